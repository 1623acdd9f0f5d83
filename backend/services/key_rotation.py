"""After a new key is put first in SECRET_KEYS: re-encrypt what can be re-encrypted with it,
and report what still needs an older key, so that an operator knows when one can go.

TOTP secrets, queued emails and webhook signing secrets are re-encrypted here. PIN hashes
cannot be: the PIN is not known, so each is re-stored at its owner's next correct unlock
(or when a new PIN is set); this only counts them per key."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from tortoise.queryset import QuerySet

from backend.config import Settings
from backend.mail.body_crypto import UndecryptableBodyError, rotate_body
from backend.models import OutboxMessage, OutboxStatus, StaffMember, WebhookEndpoint
from backend.services import keys
from backend.services.pin_hash import LEGACY_PREFIX, uses_key
from backend.services.totp_crypto import rotate_secret
from backend.webhooks.signing import reseal

BATCH_SIZE = 500


@dataclass(frozen=True, kw_only=True)
class PinKeyUse:
    position: int  # in the key set: 1 is the newest
    key_id: str
    count: int


@dataclass(frozen=True, kw_only=True)
class RotationReport:
    totp_rotated: int
    totp_unreadable: int  # no configured key decrypts them: two-factor must be reset
    emails_rotated: int  # queued emails now encrypted with the newest key
    emails_unreadable: int
    pins_by_key: tuple[PinKeyUse, ...]  # every key of the set, newest first
    pins_argon2: int  # from before keyed PIN hashes; they depend on no key
    pins_unusable: int  # made with a key no longer in the set, or not a PIN hash at all
    webhook_secrets_rotated: int = 0  # current and previous signing secrets of endpoints
    webhook_secrets_unreadable: int = 0  # such endpoints need webhookEndpointRotateSecret

    @property
    def older_keys_in_use(self) -> tuple[PinKeyUse, ...]:
        return tuple(use for use in self.pins_by_key[1:] if use.count)


async def rotate_keys(*, settings: Settings) -> RotationReport:
    totp_rotated, totp_unreadable = await _rotate_totp_secrets(settings)
    emails_rotated, emails_unreadable = await _rotate_queued_emails(settings)
    webhooks_rotated, webhooks_unreadable = await _rotate_webhook_secrets(settings)
    pins_by_key = tuple(
        [
            PinKeyUse(
                position=position,
                key_id=key_id,
                count=await StaffMember.filter(pin_hash__startswith=uses_key(key_id)).count(),
            )
            for position, key_id in enumerate(keys.key_ids(settings), start=1)
        ]
    )
    pins_argon2 = await StaffMember.filter(pin_hash__startswith=LEGACY_PREFIX).count()
    total = await StaffMember.all().count()
    return RotationReport(
        totp_rotated=totp_rotated,
        totp_unreadable=totp_unreadable,
        emails_rotated=emails_rotated,
        emails_unreadable=emails_unreadable,
        pins_by_key=pins_by_key,
        pins_argon2=pins_argon2,
        pins_unusable=total - pins_argon2 - sum(use.count for use in pins_by_key),
        webhook_secrets_rotated=webhooks_rotated,
        webhook_secrets_unreadable=webhooks_unreadable,
    )


async def _rotate_totp_secrets(settings: Settings) -> tuple[int, int]:
    rotated = unreadable = 0
    query = StaffMember.filter(totp_secret_encrypted__isnull=False)
    async for staff_id, token in _rows(query, "totp_secret_encrypted"):
        new_token = rotate_secret(token, settings)
        if new_token is None:
            unreadable += 1
            continue
        # Only over the value just read: an enrolment started meanwhile is kept.
        rotated += await StaffMember.filter(id=staff_id, totp_secret_encrypted=token).update(
            totp_secret_encrypted=new_token
        )
    return rotated, unreadable


async def _rotate_queued_emails(settings: Settings) -> tuple[int, int]:
    rotated = unreadable = 0
    query = OutboxMessage.filter(status=OutboxStatus.QUEUED, body_text__isnull=False)
    async for message_id, text, html, mime in _rows(query, "body_text", "body_html", "mime"):
        try:
            new_text = rotate_body(text, settings)
            new_html = None if html is None else rotate_body(html, settings)
            new_mime = None if mime is None else rotate_body(mime, settings)
        except UndecryptableBodyError:
            unreadable += 1
            continue
        # A row sent or superseded meanwhile has had its bodies cleared: leave it so.
        rotated += await OutboxMessage.filter(
            id=message_id, status=OutboxStatus.QUEUED, body_text=text
        ).update(body_text=new_text, body_html=new_html, mime=new_mime)
    return rotated, unreadable


async def _rotate_webhook_secrets(settings: Settings) -> tuple[int, int]:
    rotated = unreadable = 0
    for column in ("secret_encrypted", "previous_secret_encrypted"):
        query = WebhookEndpoint.filter(**{f"{column}__isnull": False})
        async for endpoint_id, token in _rows(query, column):
            new_token = reseal(token, settings)
            if new_token is None:
                unreadable += 1
                continue
            # Only over the value just read: a rotation of the endpoint meanwhile is kept.
            rotated += await WebhookEndpoint.filter(id=endpoint_id, **{column: token}).update(
                **{column: new_token}
            )
    return rotated, unreadable


async def _rows(query: QuerySet[Any], *fields: str) -> AsyncIterator[tuple[Any, ...]]:
    """(id, *fields) of every row the query matches, a page at a time in id order, so
    that neither memory nor one statement grows with the table."""
    after: UUID | None = None
    while True:
        page = query if after is None else query.filter(id__gt=after)
        rows = await page.order_by("id").limit(BATCH_SIZE).values_list("id", *fields)
        for row in rows:
            yield row
        if len(rows) < BATCH_SIZE:
            return
        after = rows[-1][0]
