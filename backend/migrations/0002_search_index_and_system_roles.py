"""Trigram search index on PostgreSQL and the system roles every practice can use."""

import json
from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

# Frozen here on purpose: a migration must not change when application code does.
SYSTEM_ROLES = [
    (
        "00000000-0000-4000-8000-000000000001",
        "Practice Administrator (System)",
        [
            "MANAGE_ACCOUNTS", "SCHEDULING", "CHARTING", "PATIENT_INFORMATION", "SETTINGS",
            "PROFILES", "REPORTING", "BILLING", "BUSINESS_INTELLIGENCE", "SUBMIT_CLAIMS",
        ],
    ),
    (
        "00000000-0000-4000-8000-000000000002",
        "Staff (System)",
        ["SCHEDULING", "PATIENT_INFORMATION", "PROFILES"],
    ),
    (
        "00000000-0000-4000-8000-000000000003",
        "Nurse (System)",
        ["SCHEDULING", "CHARTING", "PATIENT_INFORMATION", "SIGN_CLINICAL_NOTES"],
    ),
]

# Tortoise compiles `search_text__contains` to CAST("search_text" AS VARCHAR) LIKE ...;
# the index must be on that very expression for the planner to use it.
PG_SEARCH_INDEX = (
    "CREATE INDEX IF NOT EXISTS staff_member_search_trgm ON staff_member "
    "USING gin ((CAST(search_text AS VARCHAR)) gin_trgm_ops)"
)


def _placeholders(postgres: bool, count: int) -> list[str]:
    return [f"${i}" if postgres else "?" for i in range(1, count + 1)]


async def forward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    if postgres:
        await client.execute_script("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        await client.execute_script(PG_SEARCH_INDEX)
    p = _placeholders(postgres, 4)
    sql = (
        "INSERT INTO role (id, practice_id, name, name_key, is_system, permissions, "
        f"created_at, updated_at) VALUES ({p[0]}, NULL, {p[1]}, {p[2]}, TRUE, {p[3]}, "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    for role_id, name, permissions in SYSTEM_ROLES:
        await client.execute_query(sql, [role_id, name, name.lower(), json.dumps(permissions)])


async def backward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    if postgres:
        await client.execute_script("DROP INDEX IF EXISTS staff_member_search_trgm")
    p = _placeholders(postgres, 1)
    for role_id, _name, _permissions in SYSTEM_ROLES:
        await client.execute_query(f"DELETE FROM role WHERE id = {p[0]}", [role_id])


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [ops.RunPython(forward, backward)]
