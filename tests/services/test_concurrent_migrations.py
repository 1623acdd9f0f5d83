"""Replicas that migrate at start, or several `migrate` runs, on one empty PostgreSQL
database: they take turns on an advisory lock, and every one of them succeeds."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

from backend.migrations import __path__ as migrations_path
from tests import databases

ROOT = Path(__file__).resolve().parents[2]
RUNS = 4


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    databases.require_postgres()
    url = databases.create_postgres_database(migrate=False)
    yield url
    databases.drop_postgres_database(url)


def _migration_names() -> set[str]:
    return {path.stem for path in Path(migrations_path[0]).glob("0*.py")}


async def test_four_migrate_runs_at_once_all_succeed(empty_postgres: str) -> None:
    env = {**os.environ, "DATABASE_URL": empty_postgres, "APP_ENV": "test"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "migrate"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(RUNS)
    ]
    outputs = [run.communicate(timeout=90)[0] for run in runs]
    assert [run.returncode for run in runs] == [0] * RUNS, outputs

    connection = await asyncpg.connect(empty_postgres)
    try:
        tables = {
            row["tablename"]
            for row in await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        }
        applied = [
            row["name"] for row in await connection.fetch("SELECT name FROM tortoise_migrations")
        ]
    finally:
        await connection.close()
    assert {"practice", "staff_member", "session", "outbox_message", "audit_event"} <= tables
    assert sorted(applied) == sorted(_migration_names())
