"""Encryption of TOTP secrets at rest, with the key set's "totp" subkey (keys.fernet).

Enrolments made before the key set existed were encrypted with TWO_FACTOR_KEY itself, not
a subkey. So each key of the set, used as it is, also decrypts (TWO_FACTOR_KEY stays in the
set as its oldest key, or is listed in SECRET_KEYS), until `staff-accounts rotate-keys`
has re-encrypted such secrets with the newest subkey."""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from backend.config import Settings
from backend.services import keys


def encrypt_secret(secret: str, settings: Settings) -> str:
    return keys.fernet(settings, "totp").encrypt(secret.encode()).decode("ascii")


def decrypt_secret(token: str, settings: Settings) -> str | None:
    """The secret, or None when no key of the set decrypts it (a key dropped too early)."""
    try:
        return _decrypt(token, settings).decode()
    except (InvalidToken, ValueError):
        return None


def rotate_secret(token: str, settings: Settings) -> str | None:
    """The same secret encrypted with the newest subkey, or None when no key decrypts it."""
    try:
        return keys.fernet(settings, "totp").rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        legacy = decrypt_secret(token, settings)  # a raw-key token, or none at all
    return None if legacy is None else encrypt_secret(legacy, settings)


def _decrypt(token: str, settings: Settings) -> bytes:
    data = token.encode("ascii")
    try:
        return keys.fernet(settings, "totp").decrypt(data)
    except InvalidToken:
        return _raw_keys(settings.effective_secret_keys).decrypt(data)


@cache
def _raw_keys(key_set: tuple[str, ...]) -> MultiFernet:
    # The legacy scheme: the configured key itself, no derivation.
    return MultiFernet([Fernet(key.encode("ascii")) for key in key_set])
