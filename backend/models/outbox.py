from datetime import datetime
from enum import Enum
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from backend.models.practice import Practice
from backend.models.staff import StaffMember


class OutboxStatus(str, Enum):
    QUEUED = "QUEUED"
    SENT = "SENT"
    FAILED = "FAILED"
    # Replaced by a newer message (a resend) before it could go out.
    SUPERSEDED = "SUPERSEDED"


class OutboxMessage(Model):
    """An email written in the same transaction as the change that causes it."""

    id = fields.UUIDField(primary_key=True)
    kind = fields.CharField(max_length=32)
    practice: fields.ForeignKeyRelation[Practice] = fields.ForeignKeyField(
        "models.Practice", related_name="outbox", on_delete=fields.RESTRICT
    )
    staff: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "models.StaffMember", related_name="outbox", null=True, on_delete=fields.RESTRICT
    )
    # The foreign keys' id columns, which Tortoise adds: declared for the type checker.
    practice_id: UUID
    staff_id: UUID | None
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=200)
    # The bodies carry the activation link: encrypted while queued (backend/mail/
    # body_crypto.py), and cleared once the message is sent, failed or superseded.
    body_text: str | None = fields.TextField(null=True)
    body_html: str | None = fields.TextField(null=True)
    # The whole message as the SMTP server receives it, rendered once when queued
    # (backend/mail/mime.py) and encrypted like the bodies; cleared with them. Null for a
    # row that could not be rendered then (the sender builds it and reports why).
    mime: str | None = fields.TextField(null=True)
    status = fields.CharEnumField(OutboxStatus, max_length=12, default=OutboxStatus.QUEUED)
    attempts = fields.IntField(default=0)
    last_error = fields.CharField(max_length=500, null=True)
    next_attempt_at = fields.DatetimeField()
    # A sender claims a message until this time, so parallel workers never send it twice.
    claimed_until: datetime | None = fields.DatetimeField(null=True)
    sent_at: datetime | None = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"), ("staff_id", "kind", "created_at"))
