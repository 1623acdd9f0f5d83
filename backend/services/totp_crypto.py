"""Encryption of TOTP secrets at rest (Fernet, key from settings)."""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken

from backend.config import Settings


@cache
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode("ascii"))


def encrypt_secret(secret: str, settings: Settings) -> str:
    return _fernet(settings.effective_two_factor_key).encrypt(secret.encode()).decode("ascii")


def decrypt_secret(token: str, settings: Settings) -> str | None:
    """The secret, or None when it cannot be decrypted (for example after a key change)."""
    try:
        return _fernet(settings.effective_two_factor_key).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return None
