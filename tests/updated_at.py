"""Reading and backdating staff_member.updated_at underneath its triggers (migration 0010),
so that a test can tell a bump from no bump whatever the clock's resolution."""

import importlib
from datetime import UTC, datetime
from uuid import UUID

from tortoise import connections

from backend.models import StaffMember

MIGRATION = importlib.import_module("backend.migrations.0012_scim")
LONG_AGO = datetime(2001, 1, 1, tzinfo=UTC)


async def updated_at(staff_id: UUID) -> datetime:
    staff = await StaffMember.get(id=staff_id)
    return staff.updated_at


async def backdate(*staff_ids: UUID, to: datetime = LONG_AGO) -> None:
    client = connections.get("default")
    if client.capabilities.dialect == "postgres":
        await client.execute_script("ALTER TABLE staff_member DISABLE TRIGGER USER")
        await StaffMember.filter(id__in=staff_ids).update(updated_at=to)
        await client.execute_script("ALTER TABLE staff_member ENABLE TRIGGER USER")
        return
    # SQLite cannot disable a trigger: drop it and create it again as the migration does.
    await client.execute_script("DROP TRIGGER staff_member_stamp_update")
    await StaffMember.filter(id__in=staff_ids).update(updated_at=to)
    for statement in MIGRATION._sqlite_up():
        if "TRIGGER staff_member_stamp_update" in statement:
            await client.execute_script(statement)


async def database_now() -> datetime:
    client = connections.get("default")
    if client.capabilities.dialect == "postgres":
        rows = await client.execute_query_dict("SELECT clock_timestamp() AS now")
        now: datetime = rows[0]["now"]
        return now
    rows = await client.execute_query_dict(f"SELECT {MIGRATION.SQLITE_NOW} AS now")
    return datetime.fromisoformat(rows[0]["now"])
