"""The four-digit app unlock PIN, stored as a keyed hash.

Ten thousand PINs resist no offline search whatever the KDF, so argon2 bought nothing but
CPU: the PIN's protection is the attempt limit (backend/services/app_unlock.py). An HMAC
with a server-side subkey ("pin", see keys.py) and a per-record salt cannot be searched at
all from a database-only leak, and costs microseconds, on the event loop.

Stored form: pin-hmac-sha256$<key id>$<salt>$<digest> (URL-safe base64 without padding).
Hashes from before (argon2, "$argon2...") still verify, and ask to be re-stored."""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from backend.config import Settings
from backend.services import keys
from backend.services.secrets import verify_secret

SCHEME = "pin-hmac-sha256"
SALT_BYTES = 16
LEGACY_PREFIX = "$argon2"  # what backend.services.secrets.hash_secret stored


@dataclass(frozen=True, kw_only=True)
class PinCheck:
    matched: bool
    # A match whose hash is of an older kind or key: store hash_pin(pin) in its place.
    needs_rehash: bool = False


def hash_pin(pin: str, settings: Settings) -> str:
    key_id, key = keys.hmac_keys(settings, "pin")[0]
    salt = secrets.token_bytes(SALT_BYTES)
    return "$".join((SCHEME, key_id, _b64(salt), _b64(_digest(key, salt, pin))))


async def verify_pin(stored: str, pin: str, settings: Settings) -> PinCheck:
    if stored.startswith(LEGACY_PREFIX):
        matched = await verify_secret(stored, pin, settings)
        return PinCheck(matched=matched, needs_rehash=matched)
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != SCHEME:
        return PinCheck(matched=False)
    _, key_id, salt, digest = parts
    available = keys.hmac_keys(settings, "pin")
    key = dict(available).get(key_id)
    if key is None:  # made with a key no longer in the set: it cannot be checked
        return PinCheck(matched=False)
    try:
        expected = _digest(key, _unb64(salt), pin)
        matched = hmac.compare_digest(expected, _unb64(digest))
    except ValueError:  # a corrupted row
        return PinCheck(matched=False)
    return PinCheck(matched=matched, needs_rehash=matched and key_id != available[0][0])


def uses_key(key_id: str) -> str:
    """The prefix of every hash made with that key (for counting them in SQL)."""
    return f"{SCHEME}${key_id}$"


def _digest(key: bytes, salt: bytes, pin: str) -> bytes:
    # The salt has a fixed length, so salt + PIN cannot be read two ways.
    return hmac.new(key, salt + pin.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
