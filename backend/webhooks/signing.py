"""Standard Webhooks 1.0 signing secrets and headers (the `standardwebhooks` package)."""

import base64
import secrets
from datetime import datetime
from typing import Literal

from cryptography.fernet import InvalidToken
from standardwebhooks.webhooks import Webhook

from backend.config import Settings
from backend.services import keys

SECRET_PREFIX = "whsec_"
_FERNET_PURPOSE: Literal["webhook"] = "webhook"


def new_secret() -> str:
    # 24 random bytes, as the Standard Webhooks libraries generate.
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def seal(secret: str, settings: Settings) -> str:
    """The secret encrypted for storage: it must be read back to sign, unlike a password."""
    return keys.fernet(settings, _FERNET_PURPOSE).encrypt(secret.encode()).decode("ascii")


class UnreadableSecretError(ValueError):
    """No key of SECRET_KEYS decrypts this signing secret (its key was dropped too early)."""


def unseal(stored: str, settings: Settings) -> str:
    try:
        return keys.fernet(settings, _FERNET_PURPOSE).decrypt(stored.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        raise UnreadableSecretError("no key of SECRET_KEYS decrypts this secret") from None


def reseal(stored: str, settings: Settings) -> str | None:
    """The secret encrypted with the newest key; None when no configured key reads it."""
    try:
        return keys.fernet(settings, _FERNET_PURPOSE).rotate(stored.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return None


def headers(
    *, message_id: str, timestamp: datetime, body: str, secrets: list[str]
) -> dict[str, str]:
    """The three headers; one signature per secret, space-separated (rotation overlap)."""
    signatures = [
        Webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=body)
        for secret in secrets
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": " ".join(signatures),
        "content-type": "application/json",
    }
