"""Tortoise configuration, shared by the app lifespan, the CLI and `tortoise` migrations."""

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate

from backend.config import DEFAULT_DATABASE_URL

MODELS_MODULE = "backend.models"
MIGRATIONS_MODULE = "backend.migrations"
# tortoise's asyncpg client with transactions that cannot leak their connection when
# BEGIN fails (see the module).
POSTGRES_ENGINE = "backend.postgres_engine"
# tortoise's SQLite client counting a statement's own rows, not its triggers' (see there).
SQLITE_ENGINE = "backend.sqlite_engine"
# The key of the PostgreSQL advisory lock that one migrating process holds at a time
# (any constant that no other code uses; this one spells "staffmig" in ASCII).
MIGRATION_LOCK_KEY = 0x73746166666D6967


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def apply_migrations(database_url: str, *, target: str | None = None) -> None:
    """Bring the schema up to date (what `tortoise migrate` does), in its own context;
    `target` ("models.0004_two_factor") stops at that migration. Processes that start
    together (replicas with MIGRATE_ON_START, several `migrate` runs) take turns on
    PostgreSQL: the first migrates, the others then find nothing left to do."""
    config = tortoise_config(database_url)
    async with _migration_lock(database_url), TortoiseContext() as context:
        await context.init(config=config)
        await migrate(config=config, target=target)


@dataclass
class _Opened:
    """Tortoise's connections are one per process. An app opened while another still has
    them (tests run apps with other settings inside one) shares them instead of opening a
    second set: a second `Tortoise.init` replaced the first set without closing it, and
    that connection's thread outlived its event loop ("Event loop is closed")."""

    database_url: str | None = None
    # Connections belong to the event loop they were opened on: never shared across loops.
    loop: asyncio.AbstractEventLoop | None = None
    users: int = 0


_opened = _Opened()


@contextlib.asynccontextmanager
async def _migration_lock(database_url: str) -> AsyncIterator[None]:
    """A session-level advisory lock on a connection of its own, held while migrating.
    Without it, concurrent runs on an empty database each create the tables and all but
    one fail with IntegrityError. (SQLite serialises writers itself.)"""
    if not is_postgres(database_url):
        yield
        return
    url = database_url.replace("asyncpg://", "postgres://", 1)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        try:
            yield
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    finally:
        # Closing the session would release the lock anyway, should the unlock fail.
        await connection.close()


async def open_database(database_url: str) -> None:
    loop = asyncio.get_running_loop()
    if _opened.users and (_opened.database_url, _opened.loop) == (database_url, loop):
        _opened.users += 1
        return
    if _opened.users and _opened.loop is loop:
        await Tortoise.close_connections()  # another database: this one replaces it
    # Request tasks and the outbox sender use the same connections: the global
    # fallback makes the context visible from every task of this process.
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    _opened.database_url, _opened.loop, _opened.users = database_url, loop, 1


async def close_database() -> None:
    """Closes the connections once their last user is done."""
    _opened.users = max(_opened.users - 1, 0)
    if not _opened.users:
        await Tortoise.close_connections()
        _opened.database_url, _opened.loop = None, None


def is_postgres(database_url: str) -> bool:
    return database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def _connection(database_url: str) -> str | dict[str, Any]:
    if not is_postgres(database_url):
        _ensure_sqlite_folder(database_url)
        sqlite = expand_db_url(database_url)
        sqlite["engine"] = SQLITE_ENGINE
        return sqlite
    url = database_url.replace("postgresql://", "postgres://", 1)
    url = url.replace("asyncpg://", "postgres://", 1)
    connection = expand_db_url(url)
    connection["engine"] = POSTGRES_ENGINE
    # Cached prepared statements may switch to a generic plan that ignores the
    # trigram index (seconds instead of milliseconds for short search terms).
    connection["credentials"]["server_settings"] = {"plan_cache_mode": "force_custom_plan"}
    connection["credentials"]["reset"] = keep_session_state
    return connection


async def keep_session_state(connection: object) -> None:
    """What a pooled connection does on release, besides asyncpg's own rollback of an
    unfinished transaction: nothing. Tortoise takes a connection per statement, and
    asyncpg's default reset (`pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`)
    doubled the round trips of every request. The pooled connections take no advisory locks
    (migrations hold theirs on a connection of their own), open no cursors, listen to
    nothing and change no session setting, so there is nothing to undo."""


def _ensure_sqlite_folder(database_url: str) -> None:
    path = database_url.removeprefix("sqlite://")
    folder = os.path.dirname(path)
    if path != ":memory:" and folder:
        os.makedirs(folder, exist_ok=True)


# Read by `tortoise makemigrations` / `tortoise migrate` (see [tool.tortoise] in pyproject).
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
