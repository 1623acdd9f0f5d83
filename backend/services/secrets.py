"""Hashing of passwords (argon2id, on the lanes of backend/services/hashing.py, never on
the event loop) and of random tokens."""

import asyncio
import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backend.config import HashProfile, Settings
from backend.services.hashing import Lane, signed_in_lane


@cache
def _hasher(profile: HashProfile) -> PasswordHasher:
    if profile == "fast":
        # Test runs only (Settings refuses it elsewhere): thousands of hashes in seconds.
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()  # argon2id with the library's defaults (t=3, 64 MiB, p=4)


async def hash_secret(value: str, settings: Settings, *, lane: Lane | None = None) -> str:
    """On `lane` (from hashing.anonymous_work), or the signed-in lane."""
    lane = lane or signed_in_lane(settings)
    return await lane.run(_hasher(settings.password_hash_profile).hash, value)


async def verify_secret(
    secret_hash: str | None, value: str, settings: Settings, *, lane: Lane | None = None
) -> bool:
    """Check a value; with no hash, spend the same time on a dummy so timing reveals nothing."""
    lane = lane or signed_in_lane(settings)
    return await lane.run(_verify, settings.password_hash_profile, secret_hash, value)


async def warm_up(settings: Settings) -> None:
    """Compute the dummy hash at start-up, so the first unknown-username sign-in is not
    slower than the others."""
    await asyncio.to_thread(_dummy_hash, settings.password_hash_profile)


def _verify(profile: HashProfile, secret_hash: str | None, value: str) -> bool:
    try:
        matched = _hasher(profile).verify(secret_hash or _dummy_hash(profile), value)
    except (VerificationError, InvalidHashError):
        return False
    return bool(matched) and secret_hash is not None


@cache
def _dummy_hash(profile: HashProfile) -> str:
    return _hasher(profile).hash(secrets.token_urlsafe(16))


def new_token() -> tuple[str, str]:
    """A URL-safe token of 32 random bytes and the SHA-256 hex digest to store."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
