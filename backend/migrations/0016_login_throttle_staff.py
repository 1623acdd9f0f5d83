"""The Staff page's "sign-in locked" and "link expired" filters (issue 16), in SQL.

login_throttle.staff_id names the staff member whose username an account counter counts
(the key is a keyed hash the database cannot compute), indexed with locked_at for the
subquery of locked accounts. activation_token gets a partial index on the outstanding
links, (expires_at, staff_id), for the subquery of links that still work: a range on
expires_at read from the index alone. Partial indexes work on SQLite and PostgreSQL.
Counters locked before this migration are linked when next locked, or when the person is
created or renamed."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

OUTSTANDING_LINKS_INDEX = (
    "CREATE INDEX IF NOT EXISTS activation_token_outstanding ON activation_token "
    "(expires_at, staff_id) WHERE used_at IS NULL AND revoked_at IS NULL"
)


async def forward(apps: Any, schema_editor: Any) -> None:
    await schema_editor.client.execute_script(OUTSTANDING_LINKS_INDEX)


async def backward(apps: Any, schema_editor: Any) -> None:
    await schema_editor.client.execute_script("DROP INDEX IF EXISTS activation_token_outstanding")


class Migration(migrations.Migration):
    dependencies = [('models', '0015_trusted_documents')]

    initial = False

    operations = [
        ops.AddField(
            model_name='LoginThrottle',
            name='staff_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddIndex(
            model_name='LoginThrottle',
            index=Index(fields=['locked_at', 'staff_id']),
        ),
        ops.RunPython(forward, backward),
    ]
