from datetime import datetime
from enum import Enum
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from backend.models.practice import Practice


class WebhookEndpoint(Model):
    """A partner URL that receives a practice's events, signed with its own secret."""

    id = fields.UUIDField(primary_key=True)
    practice: fields.ForeignKeyRelation[Practice] = fields.ForeignKeyField(
        "models.Practice", related_name="webhook_endpoints", on_delete=fields.RESTRICT
    )
    practice_id: UUID
    url = fields.CharField(max_length=2000)
    description = fields.CharField(max_length=200, default="")
    event_types: list[str] = fields.JSONField(default=list)
    enabled = fields.BooleanField(default=True)
    # Why the service turned it off (GONE, FAILING); null when enabled or turned off by hand.
    disabled_reason = fields.CharField(max_length=20, null=True)
    # Signing secrets, Fernet-encrypted (they must be read back to sign). After a rotation
    # the previous one keeps signing beside the new one until previous_secret_expires_at.
    secret_encrypted = fields.CharField(max_length=300)
    previous_secret_encrypted = fields.CharField(max_length=300, null=True)
    previous_secret_expires_at: datetime | None = fields.DatetimeField(null=True)
    # The first failed attempt since the last success: failing for 5 days disables it.
    failing_since: datetime | None = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhook_endpoint"
        indexes = (("practice_id", "created_at"),)


class WebhookEvent(Model):
    """Something that happened to a practice's staff or roles, written in the transaction
    of the change. The payload is the exact body every endpoint receives."""

    id = fields.UUIDField(primary_key=True)
    practice: fields.ForeignKeyRelation[Practice] = fields.ForeignKeyField(
        "models.Practice", related_name="webhook_events", on_delete=fields.RESTRICT
    )
    practice_id: UUID
    type = fields.CharField(max_length=40)
    resource_id = fields.UUIDField()
    # Per resource, from 1: receivers drop an event older than the last one they applied.
    sequence = fields.IntField()
    payload: dict[str, object] = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhook_event"
        unique_together = (("resource_id", "sequence"),)
        indexes = (("practice_id", "created_at", "id"),)


class DeliveryStatus(str, Enum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    # Retries ran out, or the endpoint was disabled (410, failing for days).
    FAILED = "FAILED"


class WebhookDelivery(Model):
    """One event for one endpoint: retried until delivered or given up."""

    id = fields.UUIDField(primary_key=True)
    event: fields.ForeignKeyRelation[WebhookEvent] = fields.ForeignKeyField(
        "models.WebhookEvent", related_name="deliveries", on_delete=fields.CASCADE
    )
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "models.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE
    )
    event_id: UUID
    endpoint_id: UUID
    status = fields.CharEnumField(DeliveryStatus, max_length=10, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    # A worker leases the delivery until this time, so two never send the same attempt.
    claimed_until: datetime | None = fields.DatetimeField(null=True)
    delivered_at: datetime | None = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    attempt_log: fields.ReverseRelation["WebhookAttempt"]

    class Meta:
        table = "webhook_delivery"
        unique_together = (("event_id", "endpoint_id"),)
        indexes = (("status", "next_attempt_at"), ("endpoint_id", "created_at", "id"))


class WebhookAttempt(Model):
    """One HTTP request of a delivery and what came back."""

    id = fields.UUIDField(primary_key=True)
    delivery: fields.ForeignKeyRelation[WebhookDelivery] = fields.ForeignKeyField(
        "models.WebhookDelivery", related_name="attempt_log", on_delete=fields.CASCADE
    )
    delivery_id: UUID
    started_at = fields.DatetimeField()
    duration_ms = fields.IntField()
    http_status: int | None = fields.IntField(null=True)
    error = fields.CharField(max_length=500, null=True)
    # The first kilobyte of the response body, for the delivery log.
    response_excerpt: str | None = fields.TextField(null=True)

    class Meta:
        table = "webhook_attempt"
        indexes = (("delivery_id", "started_at"),)
