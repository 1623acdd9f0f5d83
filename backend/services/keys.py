"""One rotatable key set (Settings.effective_secret_keys, newest first) and a subkey per
purpose derived from each key with HKDF-SHA256.

A leak or misuse of one purpose's subkey (say, the throttle's lookup keys) tells nothing
about another's (the TOTP secrets), and a rotation is one change of SECRET_KEYS: the newest
key encrypts and signs, every listed key still decrypts and verifies."""

import base64
import hashlib
import hmac
from functools import cache
from typing import Literal

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from backend.config import Settings

Purpose = Literal[
    "totp", "outbox", "pin", "throttle", "api-client", "webhook", "refresh", "idempotency"
]
# A Fernet subkey and an HMAC subkey of the same purpose are derived apart, so that no key
# bytes ever serve two algorithms.
_Usage = Literal["fernet", "hmac", "key-id"]

KEY_ID_LENGTH = 12  # hex characters: short, and distinct enough for a handful of keys


def fernet(settings: Settings, purpose: Purpose) -> MultiFernet:
    """Encrypts with the newest key's subkey; decrypts with any key's."""
    return _multi_fernet(settings.effective_secret_keys, purpose)


def hmac_keys(settings: Settings, purpose: Purpose) -> tuple[tuple[str, bytes], ...]:
    """(key id, subkey) per key, newest first. The key id names the key the subkey comes
    from (the same id for every purpose) and reveals nothing of it."""
    return _hmac_keys(settings.effective_secret_keys, purpose)


def key_ids(settings: Settings) -> tuple[str, ...]:
    """The ids of the key set, newest first (as stored beside keyed hashes)."""
    return tuple(_key_id(key) for key in settings.effective_secret_keys)


def keyed_digest(settings: Settings, purpose: Purpose, value: str) -> str:
    """Hex HMAC-SHA256 of `value` with the newest subkey: a lookup key that a database
    reader cannot recompute from a guessed value."""
    _, key = hmac_keys(settings, purpose)[0]
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


@cache
def _multi_fernet(keys: tuple[str, ...], purpose: Purpose) -> MultiFernet:
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(_subkey(key, purpose, "fernet"))) for key in keys]
    )


@cache
def _hmac_keys(keys: tuple[str, ...], purpose: Purpose) -> tuple[tuple[str, bytes], ...]:
    return tuple((_key_id(key), _subkey(key, purpose, "hmac")) for key in keys)


def _key_id(key: str) -> str:
    return _subkey(key, "all", "key-id").hex()[:KEY_ID_LENGTH]


@cache
def _subkey(key: str, purpose: Purpose | Literal["all"], usage: _Usage) -> bytes:
    # All 32 bytes of the Fernet-format key are the input key material; `info` names the
    # purpose (and the usage), so each derivation yields an independent key.
    material = base64.urlsafe_b64decode(key.encode("ascii"))
    info = f"staff-accounts/{purpose}/{usage}".encode("ascii")
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(material)
