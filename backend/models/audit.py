from uuid import UUID

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from backend.models.api_client import ApiClient
from backend.models.practice import Practice
from backend.models.staff import StaffMember


class AuditEvent(Model):
    """Who did what to whom, when, from where. Never holds a secret."""

    id = fields.UUIDField(primary_key=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    practice: fields.ForeignKeyNullableRelation[Practice] = fields.ForeignKeyField(
        "models.Practice", related_name="audit_events", null=True, on_delete=fields.RESTRICT
    )
    actor: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "models.StaffMember", related_name="audit_actions", null=True, on_delete=fields.RESTRICT
    )
    # When an API client did it (actor is then null: a check constraint allows one actor).
    api_client: fields.ForeignKeyNullableRelation[ApiClient] = fields.ForeignKeyField(
        "models.ApiClient", related_name="audit_actions", null=True, on_delete=fields.RESTRICT
    )
    # The foreign keys' id columns, which Tortoise adds: declared for the type checker.
    practice_id: UUID | None
    actor_id: UUID | None
    api_client_id: UUID | None
    action = fields.CharField(max_length=64)
    outcome = fields.CharField(max_length=16, default="SUCCESS")
    target_id = fields.CharField(max_length=64, null=True)
    ip = fields.CharField(max_length=64, null=True)
    user_agent = fields.CharField(max_length=300, null=True)
    request_id = fields.CharField(max_length=64, null=True)
    details: dict[str, object] = fields.JSONField(default=dict)

    class Meta:
        table = "audit_event"
        indexes = (("practice_id", "created_at"), ("target_id", "created_at"))
        # One actor at most: a person or an API client (or neither: anonymous, system).
        constraints = (
            CheckConstraint(
                check="actor_id IS NULL OR api_client_id IS NULL",
                name="audit_event_one_actor",
            ),
        )
