from enum import Enum

from tortoise import fields
from tortoise.models import Model

from backend.models.practice import Practice


class Permission(str, Enum):
    """The permission catalogue of the Roles & Permissions page."""

    MANAGE_ACCOUNTS = "MANAGE_ACCOUNTS"
    SCHEDULING = "SCHEDULING"
    CHARTING = "CHARTING"
    PATIENT_INFORMATION = "PATIENT_INFORMATION"
    SETTINGS = "SETTINGS"
    PROFILES = "PROFILES"
    REPORTING = "REPORTING"
    SIGN_CLINICAL_NOTES = "SIGN_CLINICAL_NOTES"
    ELECTRONIC_PRESCRIBING = "ELECTRONIC_PRESCRIBING"
    BILLING = "BILLING"
    BUSINESS_INTELLIGENCE = "BUSINESS_INTELLIGENCE"
    SUBMIT_CLAIMS = "SUBMIT_CLAIMS"


class Role(Model):
    """A set of permissions. System roles have no practice and cannot be edited."""

    id = fields.UUIDField(primary_key=True)
    practice: fields.ForeignKeyNullableRelation[Practice] = fields.ForeignKeyField(
        "models.Practice", related_name="roles", null=True, on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    # Lower-cased name; unique per practice (and among system roles, whose practice is null).
    name_key = fields.CharField(max_length=100)
    is_system = fields.BooleanField(default=False)
    permissions: list[str] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "role"
        unique_together = (("practice", "name_key"),)
        ordering = ("name", "id")

    def has(self, permission: Permission) -> bool:
        return permission.value in self.permissions
