"""Migrations apply to a database that already holds data, as a deploy meets it."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

from backend.db import apply_migrations
from tests import databases

LAST_BEFORE_REQUIRE_TWO_FACTOR = "models.0004_two_factor"


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
