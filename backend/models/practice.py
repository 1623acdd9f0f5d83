from enum import Enum

from tortoise import fields
from tortoise.models import Model


class Plan(str, Enum):
    NON_INVOICED = "NON_INVOICED"
    ASCLEPIUS = "ASCLEPIUS"
    INVOICED = "INVOICED"


class Practice(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=200)
    plan = fields.CharEnumField(Plan, max_length=20, default=Plan.INVOICED)
    # Accounts whose role holds Manage Accounts must enrol in two-factor sign-in at their
    # next sign-in before they can do anything else.
    require_two_factor_for_managers = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "practice"


class Provider(Model):
    """A clinician of the practice. Staff act on behalf of their primary provider."""

    id = fields.UUIDField(primary_key=True)
    practice: fields.ForeignKeyRelation[Practice] = fields.ForeignKeyField(
        "models.Practice", related_name="providers", on_delete=fields.RESTRICT
    )
    first_name = fields.CharField(max_length=50)
    last_name = fields.CharField(max_length=50)
    npi = fields.CharField(max_length=10, null=True)

    class Meta:
        table = "provider"
        ordering = ("last_name", "first_name", "id")


class Office(Model):
    id = fields.UUIDField(primary_key=True)
    practice: fields.ForeignKeyRelation[Practice] = fields.ForeignKeyField(
        "models.Practice", related_name="offices", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)

    class Meta:
        table = "office"
        ordering = ("name", "id")
