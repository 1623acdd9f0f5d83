from datetime import datetime
from typing import Any

from tortoise import fields
from tortoise.models import Model


class IdempotencyKey(Model):
    """A mutation done under an Idempotency-Key: its fingerprint and what it answered.
    Never the request itself (it carries passwords and PINs), only a keyed hash of it."""

    id = fields.UUIDField(primary_key=True)
    # Who sent the key: "staff:<uuid>" or "api_client:<uuid>" (not the access token,
    # which rotates).
    principal = fields.CharField(max_length=80)
    key = fields.CharField(max_length=255)
    operation = fields.CharField(max_length=60)
    # HMAC-SHA256 of the canonical request under the key set's "idempotency" subkey.
    fingerprint = fields.CharField(max_length=64)
    # The identity of what the mutation produced (e.g. the staff member's id), so that a
    # replay answers with the same object; for SCIM, the whole answer (status, Location,
    # ETag, body: a SCIM User holds no secret).
    response: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at: datetime = fields.DatetimeField()

    class Meta:
        table = "idempotency_key"
        unique_together = (("principal", "key"),)
        indexes = (("expires_at",),)
