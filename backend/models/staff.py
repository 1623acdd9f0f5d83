from datetime import datetime
from enum import Enum
from uuid import UUID

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from backend.models.practice import Office, Practice, Provider
from backend.models.role import Role


class StaffStatus(str, Enum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class CareTeamIdType(str, Enum):
    NPI = "NPI"
    NCSBN_ID = "NCSBN_ID"


class StaffMember(Model):
    """A person with a login in one practice. Never hard-deleted."""

    id = fields.UUIDField(primary_key=True)
    practice: fields.ForeignKeyRelation[Practice] = fields.ForeignKeyField(
        "models.Practice", related_name="staff", on_delete=fields.RESTRICT
    )
    role: fields.ForeignKeyRelation[Role] = fields.ForeignKeyField(
        "models.Role", related_name="staff", on_delete=fields.RESTRICT
    )
    primary_provider: fields.ForeignKeyRelation[Provider] = fields.ForeignKeyField(
        "models.Provider", related_name="staff", on_delete=fields.RESTRICT
    )
    offices: fields.ManyToManyRelation[Office] = fields.ManyToManyField(
        "models.Office", related_name="staff", through="staff_member_office"
    )
    # The foreign keys' id columns, which Tortoise adds: declared for the type checker.
    practice_id: UUID
    role_id: UUID
    primary_provider_id: UUID
    first_name = fields.CharField(max_length=50)
    last_name = fields.CharField(max_length=50)
    care_team_role = fields.CharField(max_length=64, null=True)
    care_team_id_type = fields.CharEnumField(CareTeamIdType, max_length=10, null=True)
    care_team_id_number = fields.CharField(max_length=10, null=True)
    username = fields.CharField(max_length=150)
    # Normalised (lower-cased) copies carry the unique indexes, so no race can duplicate them.
    username_key = fields.CharField(max_length=150, unique=True)
    email = fields.CharField(max_length=254, unique=True)
    # Null only while pending: a person provisioned over SCIM has neither until they choose
    # both at activation (a check constraint: an active person has both).
    password_hash = fields.CharField(max_length=200, null=True)
    pin_hash = fields.CharField(max_length=200, null=True)
    # The identity provider's own id for the person (SCIM externalId), unique per practice.
    external_id = fields.CharField(max_length=255, null=True)
    # Deleted over SCIM: the person is inactive (never hard-deleted) and the SCIM resource
    # answers 404 from then on (RFC 7644 §3.6), until a POST with the same userName.
    scim_deleted_at: datetime | None = fields.DatetimeField(null=True)
    cell_phone = fields.CharField(max_length=16, null=True)
    home_phone = fields.CharField(max_length=16, null=True)
    email_update_enabled = fields.BooleanField(default=True)
    restrict_offices = fields.BooleanField(default=False)
    daily_billing_report = fields.BooleanField(default=False)
    status = fields.CharEnumField(StaffStatus, max_length=10, default=StaffStatus.PENDING)
    two_factor_enabled = fields.BooleanField(default=False)
    # Fernet-encrypted TOTP secret: pending while two_factor_enabled is false, then in use.
    totp_secret_encrypted = fields.CharField(max_length=255, null=True)
    # The last accepted TOTP time step: a code is accepted once only.
    totp_last_step: int | None = fields.BigIntField(null=True)
    # Lower-cased "first last username email" for substring search (trigram-indexed on PostgreSQL).
    search_text = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    # Set by the database, never by this code: triggers (migration 0010) stamp it with the
    # database's clock on every change of the row, of its offices, of its activation link,
    # and on backend.services.staff_changes.touch. Tortoise's auto_now only fills the
    # column on INSERT (NOT NULL); the trigger then replaces that value.
    updated_at = fields.DatetimeField(auto_now=True)
    activated_at: datetime | None = fields.DatetimeField(null=True)
    deactivated_at: datetime | None = fields.DatetimeField(null=True)
    last_sign_in_at: datetime | None = fields.DatetimeField(null=True)
    # An administrator asked for a new password: the next sign-in opens a session held
    # to choosing one (Session.password_change_required) until it is chosen.
    password_change_required = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "staff_member"
        indexes = (
            # A tab of the staff page: one status, in name order (keyset paging).
            ("practice_id", "status", "last_name", "first_name", "id"),
            # All statuses in name order: partners' syncs and searches across the tabs.
            ("practice_id", "last_name", "first_name", "id"),
            # Partners' incremental syncs: updatedSince, in (updatedAt, id) order.
            ("practice_id", "updated_at", "id"),
            # Sorting a tab by a column (staff_order): one status, (column, id) in order,
            # read forwards or backwards. Last sign-in's nulls are read as their own range
            # (IS NULL, by id), so a plain index serves "nulls last" in both directions.
            ("practice_id", "status", "username_key", "id"),
            ("practice_id", "status", "email", "id"),
            ("practice_id", "status", "created_at", "id"),
            ("practice_id", "status", "last_sign_in_at", "id"),
            # The provider order joins the provider's name: this index narrows the join.
            ("practice_id", "status", "primary_provider_id", "id"),
        )
        unique_together = (("practice_id", "external_id"),)
        constraints = (
            CheckConstraint(
                check="status <> 'ACTIVE' OR (password_hash IS NOT NULL AND pin_hash IS NOT NULL)",
                name="staff_member_active_has_secrets",
            ),
        )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
