from datetime import datetime
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from backend.models.staff import StaffMember


class Session(Model):
    """A signed-in session. Only the SHA-256 of the opaque token is stored."""

    id = fields.UUIDField(primary_key=True)
    staff: fields.ForeignKeyRelation[StaffMember] = fields.ForeignKeyField(
        "models.StaffMember", related_name="sessions", on_delete=fields.RESTRICT
    )
    staff_id: UUID  # the foreign key's id column, which Tortoise adds
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at: datetime | None = fields.DatetimeField(null=True)
    ip = fields.CharField(max_length=64, null=True)
    user_agent = fields.CharField(max_length=300, null=True)
    # Opened for an account that must enrol in two-factor sign-in first: until it does,
    # the session holds no permission.
    two_factor_enrollment_required = fields.BooleanField(default=False, db_default=False)
    # Opened for an account an administrator requires a new password of: until it is
    # chosen, the session can do nothing but change it.
    password_change_required = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "session"
        indexes = (("staff_id", "revoked_at"),)
