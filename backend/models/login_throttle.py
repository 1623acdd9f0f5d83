from datetime import datetime
from uuid import UUID

from tortoise import fields
from tortoise.models import Model


class LoginThrottle(Model):
    """Failed sign-in counter for one username key (user:...) or one client address (ip:...).
    Rows exist for unknown usernames too, so that throttling reveals nothing."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=255, unique=True)
    failures = fields.IntField(default=0)
    window_started_at = fields.DatetimeField()
    last_failure_at: datetime | None = fields.DatetimeField(null=True)
    locked_at: datetime | None = fields.DatetimeField(null=True)
    # The staff member whose username the key counts, when one has it (the key is a keyed
    # hash the database cannot compute): lets the staff list filter on locks in SQL.
    staff_id: UUID | None = fields.UUIDField(null=True)

    class Meta:
        table = "login_throttle"
        indexes = (("locked_at", "staff_id"),)
