from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from backend.models.practice import Office, Practice, Provider
from backend.models.role import Role


class ScimDefaults(Model):
    """What a person provisioned over SCIM gets when the identity provider does not say:
    Okta and Entra send names, emails and phones, never a role, a provider or offices.
    One row per practice (every API client of the practice provisions into the same staff)."""

    id = fields.UUIDField(primary_key=True)
    practice: fields.OneToOneRelation[Practice] = fields.OneToOneField(
        "models.Practice", related_name="scim_defaults", on_delete=fields.RESTRICT
    )
    role: fields.ForeignKeyNullableRelation[Role] = fields.ForeignKeyField(
        "models.Role", related_name="scim_defaults", null=True, on_delete=fields.RESTRICT
    )
    primary_provider: fields.ForeignKeyNullableRelation[Provider] = fields.ForeignKeyField(
        "models.Provider", related_name="scim_defaults", null=True, on_delete=fields.RESTRICT
    )
    offices: fields.ManyToManyRelation[Office] = fields.ManyToManyField(
        "models.Office", related_name="scim_defaults", through="scim_default_office"
    )
    # The foreign keys' id columns, which Tortoise adds: declared for the type checker.
    practice_id: UUID
    role_id: UUID | None
    primary_provider_id: UUID | None
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "scim_defaults"
