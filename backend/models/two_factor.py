from datetime import datetime

from tortoise import fields
from tortoise.models import Model

from backend.models.staff import StaffMember


class TwoFactorRecoveryCode(Model):
    """A single-use two-factor recovery code. Only the SHA-256 of the code is stored."""

    id = fields.UUIDField(primary_key=True)
    staff: fields.ForeignKeyRelation[StaffMember] = fields.ForeignKeyField(
        "models.StaffMember", related_name="recovery_codes", on_delete=fields.CASCADE
    )
    code_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    used_at: datetime | None = fields.DatetimeField(null=True)

    class Meta:
        table = "two_factor_recovery_code"
        unique_together = (("staff_id", "code_hash"),)
