"""Covering indexes for the search's walk in name order (backend/services/staff_search).

A search term that matches most of a large practice made PostgreSQL take the trigram
bitmap over most of the table, then sort it, where reading the name order would stop
after a page. The service now first walks the name order with the term as a filter,
over a bounded number of rows; these indexes carry search_text, so that walk reads the
index alone (an index-only scan) rather than one table row per name it passes.

One per order the walk reads: all statuses, and one status (a tab). The plain name
indexes stay: the list without a search uses them, and they are smaller.

PostgreSQL: search_text as an INCLUDE column (not a key: nothing sorts by it). SQLite has
no INCLUDE; a trailing key column covers as well there. Raw SQL (as the trigram index of
0002): Tortoise's Index cannot say INCLUDE, and the models' state need not know of them.
"""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

# Frozen here on purpose: a migration must not change when application code does.
INDEXES = (
    ("staff_member_name_search", "practice_id, last_name, first_name, id"),
    ("staff_member_status_name_search", "practice_id, status, last_name, first_name, id"),
)


def _create(postgres: bool, name: str, keys: str) -> str:
    covering = f"({keys}) INCLUDE (search_text)" if postgres else f"({keys}, search_text)"
    return f"CREATE INDEX IF NOT EXISTS {name} ON staff_member {covering}"


async def forward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for name, keys in INDEXES:
        await client.execute_script(_create(postgres, name, keys))


async def backward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for name, _keys in INDEXES:
        await client.execute_script(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("models", "0017_staff_sort_indexes")]

    initial = False

    operations = [ops.RunPython(forward, backward)]
