from datetime import datetime
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from backend.models.practice import Practice
from backend.models.staff import StaffMember


class ApiClient(Model):
    """A partner system's machine credential for one practice. Not a staff member: it
    takes no seat and cannot sign in. Its secrets are in api_client_secret."""

    id = fields.UUIDField(primary_key=True)
    practice: fields.ForeignKeyRelation[Practice] = fields.ForeignKeyField(
        "models.Practice", related_name="api_clients", on_delete=fields.RESTRICT
    )
    practice_id: UUID  # the foreign key's id column, which Tortoise adds
    name = fields.CharField(max_length=100)
    # Scope values (backend/services/caller.py Scope), in the catalogue's order.
    scopes: list[str] = fields.JSONField(default=list)
    # Null when created from the command line.
    created_by: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "models.StaffMember",
        related_name="api_clients_created",
        null=True,
        on_delete=fields.RESTRICT,
    )
    created_by_id: UUID | None
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at: datetime | None = fields.DatetimeField(null=True)
    revoked_at: datetime | None = fields.DatetimeField(null=True)
    # Written at most once a minute (backend/services/api_clients.py).
    last_used_at: datetime | None = fields.DatetimeField(null=True)
    last_used_ip = fields.CharField(max_length=64, null=True)
    # The rate limit's token bucket: tokens left at bucket_at (seconds since the epoch),
    # drawn with one conditional UPDATE (backend/services/api_client_rate.py).
    bucket_tokens = fields.FloatField(default=0)
    bucket_at = fields.FloatField(default=0)

    class Meta:
        table = "api_client"
        indexes = (("practice_id", "created_at"),)


class ApiClientSecret(Model):
    """A secret of an API client: only its SHA-256 is stored. A rotated-out secret keeps
    working until expires_at (the rotation overlap)."""

    id = fields.UUIDField(primary_key=True)
    client: fields.ForeignKeyRelation[ApiClient] = fields.ForeignKeyField(
        "models.ApiClient", related_name="secrets", on_delete=fields.CASCADE
    )
    client_id: UUID
    secret_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Null while it is the client's current secret.
    expires_at: datetime | None = fields.DatetimeField(null=True)

    class Meta:
        table = "api_client_secret"
        indexes = (("client_id", "expires_at"),)
