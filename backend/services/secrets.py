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
    # argon2id, t=3 and 64 MiB as RFC 9106's second recommendation, but one lane (p=1):
    # with p=4 one hash keeps both cores of a small machine busy (its lanes are threads),
    # so no bound on hashing threads would leave a core to serve requests. Lanes give an
    # attacker nothing (they parallelise anyway); the cost per hash is the same.
    return PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1)


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


def needs_rehash(secret_hash: str, settings: Settings) -> bool:
    """Whether a hash was made with other parameters than today's (p=4 before), so that
    a successful sign-in stores it again."""
    try:
        return _hasher(settings.password_hash_profile).check_needs_rehash(secret_hash)
    except InvalidHashError:
        return False


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
