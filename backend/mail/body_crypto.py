"""Outbox bodies encrypted at rest: a queued activation email carries a live link until it
is sent, and the table must not hand it to whoever reads the database meanwhile.

Encrypted bodies are stored as "fernet:<token>" (the key set's "outbox" subkey). A body
without that prefix was queued in plain text before encryption existed and is sent as it
is; rendered emails start with their greeting, never with the prefix."""

from cryptography.fernet import InvalidToken

from backend.config import Settings
from backend.services import keys

ENCRYPTED_PREFIX = "fernet:"


class UndecryptableBodyError(ValueError):
    """No key of the set decrypts this body (its key was dropped too early)."""


def encrypt_body(body: str, settings: Settings) -> str:
    token = keys.fernet(settings, "outbox").encrypt(body.encode())
    return ENCRYPTED_PREFIX + token.decode("ascii")


def decrypt_body(stored: str | None, settings: Settings) -> str | None:
    if stored is None or not is_encrypted(stored):
        return stored
    try:
        return keys.fernet(settings, "outbox").decrypt(_token(stored)).decode()
    except (InvalidToken, ValueError):
        raise UndecryptableBodyError("no key of SECRET_KEYS decrypts this body") from None


def rotate_body(stored: str, settings: Settings) -> str:
    """The body encrypted with the newest key (a plain-text one is encrypted now)."""
    if not is_encrypted(stored):
        return encrypt_body(stored, settings)
    try:
        token = keys.fernet(settings, "outbox").rotate(_token(stored))
    except (InvalidToken, ValueError):
        raise UndecryptableBodyError("no key of SECRET_KEYS decrypts this body") from None
    return ENCRYPTED_PREFIX + token.decode("ascii")


def is_encrypted(stored: str) -> bool:
    return stored.startswith(ENCRYPTED_PREFIX)


def _token(stored: str) -> bytes:
    return stored.removeprefix(ENCRYPTED_PREFIX).encode("ascii")
