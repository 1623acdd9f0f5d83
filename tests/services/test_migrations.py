"""Migrations apply to a database that already holds data, as a deploy meets it."""

import importlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

from backend.db import apply_migrations
from tests import databases

LAST_BEFORE_REQUIRE_TWO_FACTOR = "models.0004_two_factor"
STAFF_UPDATED_AT = importlib.import_module("backend.migrations.0011_staff_updated_at")
# Whatever it follows once the branches are merged and the migrations re-chained.
LAST_BEFORE_STAFF_UPDATED_AT = ".".join(STAFF_UPDATED_AT.Migration.dependencies[0])
STAMPING_TRIGGERS = {
    "staff_member_stamp_insert",
    "staff_member_stamp_update",
    "staff_member_office_insert_touches_staff",
    "staff_member_office_delete_touches_staff",
    "activation_token_insert_touches_staff",
}


@pytest.fixture
async def scratch_url(database_backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of its own (no migration applied yet)."""
    if database_backend == "sqlite":
        yield f"sqlite://{tmp_path / 'upgrade.sqlite3'}"
        return
    reason = databases.postgres_unreachable_reason()
    if reason:
        pytest.skip(reason)
    name = f"staff_upgrade_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(databases.POSTGRES_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield databases.POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_new_not_null_columns_get_a_value_on_existing_rows(scratch_url: str) -> None:
    await apply_migrations(scratch_url, target=LAST_BEFORE_REQUIRE_TWO_FACTOR)
    await _execute(
        scratch_url,
        "INSERT INTO practice (id, name, plan, created_at) "
        "VALUES ('11111111-1111-4111-8111-111111111111', 'Existing', 'INVOICED', "
        "CURRENT_TIMESTAMP)",
    )
    await apply_migrations(scratch_url)  # failed with "contains null values" on PostgreSQL
    rows = await _fetch(scratch_url, "SELECT require_two_factor_for_managers FROM practice")
    assert [bool(row[0]) for row in rows] == [False]


async def test_upgrade_counts_existing_staff_as_changed_now(scratch_url: str) -> None:
    await apply_migrations(scratch_url, target=LAST_BEFORE_STAFF_UPDATED_AT)
    for statement in EXISTING_ROWS:
        await _execute(scratch_url, statement)
    before = datetime.now(UTC) - timedelta(seconds=5)  # both clocks are this machine's
    await apply_migrations(scratch_url)
    rows = await _fetch(scratch_url, "SELECT updated_at FROM staff_member")
    stamps = [
        row[0] if isinstance(row[0], datetime) else datetime.fromisoformat(str(row[0]))
        for row in rows
    ]
    assert len(stamps) == 1 and stamps[0] > before


EXISTING_ROWS = (
    "INSERT INTO practice (id, name, plan, created_at, require_two_factor_for_managers) "
    "VALUES ('11111111-1111-4111-8111-111111111111', 'Existing', 'INVOICED', "
    "CURRENT_TIMESTAMP, FALSE)",
    "INSERT INTO provider (id, practice_id, first_name, last_name) VALUES "
    "('22222222-2222-4222-8222-222222222222', '11111111-1111-4111-8111-111111111111', "
    "'Hannah', 'Provider')",
    "INSERT INTO staff_member (id, practice_id, role_id, primary_provider_id, first_name, "
    "last_name, username, username_key, email, password_hash, pin_hash, "
    "email_update_enabled, restrict_offices, daily_billing_report, status, "
    "two_factor_enabled, search_text, created_at, updated_at, password_change_required) "
    "VALUES ('33333333-3333-4333-8333-333333333333', '11111111-1111-4111-8111-111111111111', "
    "'00000000-0000-4000-8000-000000000002', '22222222-2222-4222-8222-222222222222', "
    "'Ann', 'Old', 'aold', 'aold', 'aold@example.com', 'x', 'x', TRUE, FALSE, FALSE, "
    "'ACTIVE', FALSE, '', '2020-01-01 00:00:00+00:00', '2020-01-01 00:00:00+00:00', FALSE)",
)


async def test_downgrade_removes_the_triggers_and_upgrade_restores_them(scratch_url: str) -> None:
    await apply_migrations(scratch_url)
    assert await _triggers(scratch_url) == STAMPING_TRIGGERS
    await apply_migrations(scratch_url, target=LAST_BEFORE_STAFF_UPDATED_AT)
    assert await _triggers(scratch_url) == set()
    await apply_migrations(scratch_url)
    assert await _triggers(scratch_url) == STAMPING_TRIGGERS


async def _triggers(url: str) -> set[str]:
    if url.startswith("sqlite://"):
        rows = await _fetch(url, "SELECT name FROM sqlite_master WHERE type = 'trigger'")
    else:
        rows = await _fetch(url, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    return {str(row[0]) for row in rows} & STAMPING_TRIGGERS


async def _execute(url: str, sql: str) -> None:
    await _fetch(url, sql)


async def _fetch(url: str, sql: str) -> list[tuple[object, ...]]:
    if url.startswith("sqlite://"):
        import aiosqlite

        async with aiosqlite.connect(url.removeprefix("sqlite://")) as connection:
            cursor = await connection.execute(sql)
            rows = [tuple(row) for row in await cursor.fetchall()]
            await connection.commit()
            return rows
    connection = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in await connection.fetch(sql)]
    finally:
        await connection.close()
