from datetime import datetime
from enum import Enum
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from backend.models.staff import StaffMember


class AccountTokenPurpose(str, Enum):
    PASSWORD_RESET = "PASSWORD_RESET"
    EMAIL_CHANGE = "EMAIL_CHANGE"


class AccountToken(Model):
    """An emailed single-use link of account self-service (a password reset or the
    confirmation of a new email address). Only the SHA-256 of the token is stored."""

    id = fields.UUIDField(primary_key=True)
    staff: fields.ForeignKeyRelation[StaffMember] = fields.ForeignKeyField(
        "models.StaffMember", related_name="account_tokens", on_delete=fields.RESTRICT
    )
    staff_id: UUID  # the foreign key's id column, which Tortoise adds
    purpose = fields.CharEnumField(AccountTokenPurpose, max_length=20)
    token_hash = fields.CharField(max_length=64, unique=True)
    # The address to confirm (email changes only).
    new_email = fields.CharField(max_length=254, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at: datetime | None = fields.DatetimeField(null=True)
    revoked_at: datetime | None = fields.DatetimeField(null=True)

    class Meta:
        table = "account_token"
        indexes = (("staff_id", "purpose"),)
