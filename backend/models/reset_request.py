from datetime import datetime
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from backend.models.staff import StaffMember


class PasswordResetRequest(Model):
    """A forgot-password request waiting to be turned into its email. Written before the
    answer for every request within the limits, whether or not an account matched, so
    that the answer costs the same and a crash after it loses nothing. Deleted once
    handled, within seconds."""

    id = fields.UUIDField(primary_key=True)
    # None: no account matched (the row is dropped unhandled).
    staff: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "models.StaffMember", related_name="reset_requests", null=True, on_delete=fields.CASCADE
    )
    staff_id: UUID | None  # the foreign key's id column, which Tortoise adds
    created_at: datetime = fields.DatetimeField(auto_now_add=True)
    ip = fields.CharField(max_length=64, null=True)
    user_agent = fields.CharField(max_length=300, null=True)
    request_id = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "password_reset_request"
        indexes = (("created_at",),)
