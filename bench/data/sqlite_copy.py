"""B8's data: the small practice (500 staff) copied from the PostgreSQL bench database
into a fresh SQLite file migrated by the app, and the SQLite side of "the same SQL"."""

import json
import statistics
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import aiosqlite
import asyncpg  # type: ignore[import-untyped]

from backend.db import apply_migrations, close_database, open_database
from backend.models import Office, Practice, Provider, Role, StaffMember
from bench.data.fixture import connect_url, load_fixture
from bench.report import percentile
from bench.sql_recording import Recorded


async def copy_small_practice(database_url: str, path: Path) -> str:
    """A new SQLite database at `path` holding the small practice; its URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    url = f"sqlite://{path}"
    await apply_migrations(url)
    practice_id = UUID((await load_fixture(database_url))["small"]["practice_id"])
    source = await asyncpg.connect(connect_url(database_url))
    try:
        practice = await source.fetch("SELECT * FROM practice WHERE id = $1", practice_id)
        roles = await source.fetch("SELECT * FROM role WHERE practice_id = $1", practice_id)
        providers = await source.fetch("SELECT * FROM provider WHERE practice_id = $1", practice_id)
        offices = await source.fetch("SELECT * FROM office WHERE practice_id = $1", practice_id)
        staff = await source.fetch("SELECT * FROM staff_member WHERE practice_id = $1", practice_id)
        links = await source.fetch(
            "SELECT l.staff_member_id, l.office_id FROM staff_member_office l "
            "JOIN staff_member s ON s.id = l.staff_member_id WHERE s.practice_id = $1",
            practice_id,
        )
    finally:
        await source.close()
    await open_database(url)
    try:
        await Practice.bulk_create([Practice(**dict(row)) for row in practice])
        await Role.bulk_create(
            [Role(**{**dict(row), "permissions": json.loads(row["permissions"])}) for row in roles]
        )
        await Provider.bulk_create([Provider(**dict(row)) for row in providers])
        await Office.bulk_create([Office(**dict(row)) for row in offices])
        await StaffMember.bulk_create([StaffMember(**dict(row)) for row in staff], batch_size=500)
    finally:
        await close_database()
    async with aiosqlite.connect(path) as connection:
        await connection.executemany(
            "INSERT INTO staff_member_office (staff_member_id, office_id) VALUES (?, ?)",
            [(str(row["staff_member_id"]), str(row["office_id"])) for row in links],
        )
        await connection.commit()
    return url


async def replay(sqlite_url: str, recorded: Recorded, runs: int) -> dict[str, float]:
    """The statements one request made, replayed in order through aiosqlite."""
    path = sqlite_url.removeprefix("sqlite://")
    async with aiosqlite.connect(path) as connection:

        async def once() -> None:
            for sql, values in recorded.statements:
                cursor = await connection.execute(sql, _sqlite_values(values))
                await cursor.fetchall()

        await once()
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            await once()
            timings.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": statistics.median(timings), "p99_ms": percentile(timings, 0.99)}


def _sqlite_values(values: list[Any]) -> list[Any]:
    return [str(v) if isinstance(v, UUID) else v for v in values]
