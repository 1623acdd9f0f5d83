"""SCIM provisioning (issue 13): a person created over SCIM has no password or PIN until
they choose both at activation, so both hashes become nullable while a check constraint
keeps them required for active people; the identity provider's externalId, unique per
practice; and the practice's SCIM defaults (role, primary provider, offices).

staff_member gains a column, so the updated_at trigger (0011) is re-created with it in
TRACKED_COLUMNS. On SQLite, altering a column or adding a constraint rebuilds the table:
the triggers that name staff_member are dropped first (the rebuild fails on them) and
created again afterwards, and the table's indexes are put back under their names.
"""

import importlib
from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint, UniqueConstraint

UPDATED_AT = importlib.import_module("backend.migrations.0011_staff_updated_at")

# Frozen here on purpose, as in 0011 (tests/services/test_staff_changes.py checks).
TRACKED_COLUMNS = (*UPDATED_AT.TRACKED_COLUMNS, "external_id", "scim_deleted_at")
UNTRACKED_COLUMNS = UPDATED_AT.UNTRACKED_COLUMNS
SQLITE_NOW = UPDATED_AT.SQLITE_NOW

# The indexes a SQLite rebuild loses, under the names Tortoise gave them (0001, 0011).
SQLITE_INDEXES = (
    'CREATE INDEX IF NOT EXISTS "idx_staff_membe_practic_14d654" ON "staff_member" '
    '("practice_id", "status", "last_name", "first_name", "id")',
    'CREATE INDEX IF NOT EXISTS "idx_staff_membe_practic_d83aaa" ON "staff_member" '
    '("practice_id", "last_name", "first_name", "id")',
    'CREATE INDEX IF NOT EXISTS "idx_staff_membe_practic_f5f7fd" ON "staff_member" '
    '("practice_id", "updated_at", "id")',
)


def _changed(old: str, new: str, *, distinct: str, columns: tuple[str, ...]) -> str:
    """A tracked column changed, or updated_at was set (as 0011's, over these columns)."""
    olds = ", ".join(f"{old}.{c}" for c in columns)
    news = ", ".join(f"{new}.{c}" for c in columns)
    return f"(({olds}) {distinct} ({news}) OR {old}.updated_at {distinct} {new}.updated_at)"


def _postgres_update_trigger(columns: tuple[str, ...]) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS staff_member_stamp_update ON staff_member",
        "CREATE TRIGGER staff_member_stamp_update BEFORE UPDATE ON staff_member FOR EACH ROW "
        f"WHEN {_changed('OLD', 'NEW', distinct='IS DISTINCT FROM', columns=columns)} "
        "EXECUTE FUNCTION staff_member_stamp()",
    ]


def _sqlite_triggers(columns: tuple[str, ...]) -> list[str]:
    """0011's SQLite triggers, the update trigger's WHEN over these columns."""
    stamp = f"UPDATE staff_member SET updated_at = {UPDATED_AT.SQLITE_NOW} WHERE id = NEW.id;"
    update = (
        "CREATE TRIGGER staff_member_stamp_update AFTER UPDATE ON staff_member FOR EACH ROW "
        f"WHEN {_changed('OLD', 'NEW', distinct='IS NOT', columns=columns)} "
        f"AND NEW.updated_at IS NOT {UPDATED_AT.SQLITE_NOW} BEGIN {stamp} END"
    )
    return [
        update if statement.startswith("CREATE TRIGGER staff_member_stamp_update") else statement
        for statement in UPDATED_AT._sqlite_up()
    ]


def _sqlite_up() -> list[str]:
    """The SQLite triggers as this migration leaves them (tests/updated_at.py uses them)."""
    return _sqlite_triggers(TRACKED_COLUMNS)


def _is_postgres(schema_editor: Any) -> bool:
    return bool(schema_editor.client.capabilities.dialect == "postgres")


async def _before(apps: Any, schema_editor: Any) -> None:
    """Drop the triggers in the way: on PostgreSQL the update trigger's WHEN names the
    columns (a column it names cannot be dropped), on SQLite every trigger naming the table."""
    if _is_postgres(schema_editor):
        statements = _postgres_update_trigger(TRACKED_COLUMNS)[:1]
    else:
        statements = UPDATED_AT._sqlite_down()
    for statement in statements:
        await schema_editor.client.execute_script(statement)


async def _after_forward(apps: Any, schema_editor: Any) -> None:
    await _recreate(schema_editor, TRACKED_COLUMNS)


async def _after_backward(apps: Any, schema_editor: Any) -> None:
    await _recreate(schema_editor, UPDATED_AT.TRACKED_COLUMNS)


async def _recreate(schema_editor: Any, columns: tuple[str, ...]) -> None:
    client = schema_editor.client
    if _is_postgres(schema_editor):
        statements = _postgres_update_trigger(columns)
    else:
        statements = [*SQLITE_INDEXES, *_sqlite_triggers(columns)]
    for statement in statements:
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0011_staff_updated_at')]

    initial = False

    operations = [
        # Reversed, the operations run last to first: _before then drops (SQLite) what
        # _after_backward re-created before it.
        ops.RunPython(_before, _after_backward),
        ops.CreateModel(
            name='ScimDefaults',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('practice', fields.OneToOneField('models.Practice', source_field='practice_id', db_constraint=True, to_field='id', related_name='scim_defaults', on_delete=OnDelete.RESTRICT)),
                ('role', fields.ForeignKeyField('models.Role', source_field='role_id', null=True, db_constraint=True, to_field='id', related_name='scim_defaults', on_delete=OnDelete.RESTRICT)),
                ('primary_provider', fields.ForeignKeyField('models.Provider', source_field='primary_provider_id', null=True, db_constraint=True, to_field='id', related_name='scim_defaults', on_delete=OnDelete.RESTRICT)),
                ('offices', fields.ManyToManyField('models.Office', unique=True, db_constraint=True, through='scim_default_office', forward_key='office_id', backward_key='scim_defaults_id', related_name='scim_defaults', on_delete=OnDelete.CASCADE)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'scim_defaults', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What a person provisioned over SCIM gets when the identity provider does not say:'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='StaffMember',
            name='password_hash',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AlterField(
            model_name='StaffMember',
            name='pin_hash',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='StaffMember',
            name='external_id',
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddField(
            model_name='StaffMember',
            name='scim_deleted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddConstraint(
            model_name='StaffMember',
            constraint=CheckConstraint(check="status <> 'ACTIVE' OR (password_hash IS NOT NULL AND pin_hash IS NOT NULL)", name='staff_member_active_has_secrets'),
        ),
        # After the check: on SQLite the check's rebuild loses a unique index made before it.
        ops.AddConstraint(
            model_name='StaffMember',
            constraint=UniqueConstraint(fields=('practice_id', 'external_id'), name=None),
        ),
        ops.RunPython(_after_forward, _before),
    ]
