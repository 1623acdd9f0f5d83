"""What `python -m bench.data.generate` loaded, as recorded in the `bench_fixture` table.

The other bench scripts read it with `load_fixture(database_url)`: the large and small
practices (ids, administrator usernames, staff counts), the password and the search terms
with their match counts.
"""

import json
from typing import Any
from urllib.parse import urlsplit

import asyncpg  # type: ignore[import-untyped]

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/staff_bench"
FIXTURE_TABLE = "bench_fixture"
# Bump when the generated data changes: an older database is then regenerated.
SPEC_VERSION = 1

GENERATE_HINT = "run python -m bench.data.generate first"


class FixtureMissingError(RuntimeError):
    """No complete benchmark data (of this spec version) in the database."""


def connect_url(database_url: str) -> str:
    """The URL for asyncpg: the app's `postgres://` form, `postgresql://` or `asyncpg://`."""
    if database_url.startswith("asyncpg://"):
        return "postgresql://" + database_url.removeprefix("asyncpg://")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise ValueError(f"not a PostgreSQL URL: {database_url!r}")
    return database_url


def database_name(database_url: str) -> str:
    return urlsplit(connect_url(database_url)).path.lstrip("/") or "postgres"


async def read_fixture(connection: Any) -> dict[str, Any] | None:
    """The bench_fixture rows as {key: value}, or None when the table does not exist."""
    exists = await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", FIXTURE_TABLE)
    if not exists:
        return None
    rows = await connection.fetch(f"SELECT key, value::text AS value FROM {FIXTURE_TABLE}")
    return {row["key"]: json.loads(row["value"]) for row in rows}


def is_complete(fixture: dict[str, Any] | None) -> bool:
    spec = (fixture or {}).get("spec") or {}
    return bool(spec.get("complete")) and spec.get("version") == SPEC_VERSION


async def load_fixture(database_url: str = DEFAULT_DATABASE_URL) -> dict[str, Any]:
    """The fixture of a complete generation; FixtureMissingError when there is none."""
    name = database_name(database_url)
    try:
        connection = await asyncpg.connect(connect_url(database_url))
    except asyncpg.InvalidCatalogNameError:
        raise FixtureMissingError(f"database {name!r} does not exist: {GENERATE_HINT}") from None
    try:
        fixture = await read_fixture(connection)
    finally:
        await connection.close()
    if fixture is None:
        raise FixtureMissingError(f"no bench data in database {name!r}: {GENERATE_HINT}")
    if not is_complete(fixture):
        version = (fixture.get("spec") or {}).get("version")
        raise FixtureMissingError(
            f"bench data in database {name!r} is incomplete or of spec version {version} "
            f"(expected {SPEC_VERSION}): {GENERATE_HINT}"
        )
    return fixture
