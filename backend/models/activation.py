from datetime import datetime
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from backend.models.staff import StaffMember


class ActivationToken(Model):
    """An emailed activation link. Only the SHA-256 of the token is stored."""

    id = fields.UUIDField(primary_key=True)
    staff: fields.ForeignKeyRelation[StaffMember] = fields.ForeignKeyField(
        "models.StaffMember", related_name="activation_tokens", on_delete=fields.RESTRICT
    )
    staff_id: UUID  # the foreign key's id column, which Tortoise adds
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at: datetime | None = fields.DatetimeField(null=True)
    revoked_at: datetime | None = fields.DatetimeField(null=True)

    class Meta:
        table = "activation_token"
