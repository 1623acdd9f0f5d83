from datetime import datetime
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from backend.models.session import Session


class SessionToken(Model):
    """One access and refresh token pair of a bearer session, the family of its pairs.
    Only the SHA-256 of each token is stored. A pair is current until its
    refresh token is exchanged (rotated_at), and generation n+1 is the pair exchanged
    for generation n, so the unique (session, generation) allows one successor per pair."""

    id = fields.UUIDField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "models.Session", related_name="tokens", on_delete=fields.CASCADE
    )
    session_id: UUID  # the foreign key's id column, which Tortoise adds
    generation = fields.IntField()
    access_hash = fields.CharField(max_length=64, unique=True)
    refresh_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    access_expires_at = fields.DatetimeField()
    rotated_at: datetime | None = fields.DatetimeField(null=True)

    class Meta:
        table = "session_token"
        unique_together = (("session_id", "generation"),)
