"""Test databases: a fresh SQLite file per test, or one PostgreSQL database per run."""

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import asyncpg  # type: ignore[import-untyped]
import pytest

from backend.db import apply_migrations

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)

# Emptied between tests; the system roles, seeded by migrations, stay.
_TABLES = (
    "audit_event, login_throttle, outbox_message, session_token, session, activation_token, "
    "account_token, two_factor_recovery_code, password_reset_request, api_client_secret, "
    "idempotency_key, api_client, scim_default_office, scim_defaults, webhook_attempt, "
    "webhook_delivery, webhook_event, webhook_endpoint, registered_document, persisted_query, "
    "staff_member_office, staff_member, office, provider"
)


def run_apart(work: Callable[[], Awaitable[None]]) -> None:
    """Run set-up work on its own loop in a thread: fixtures may call this while a loop runs."""

    async def main() -> None:
        await work()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, main()).result()


def postgres_unreachable_reason() -> str | None:
    async def probe() -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
        await connection.close()

    try:
        run_apart(probe)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}"
    return None


def require_postgres() -> None:
    """Skips the test when PostgreSQL is unreachable, or fails it under REQUIRE_POSTGRES=1
    (CI), so that no PostgreSQL test can silently not run there."""
    reason = postgres_unreachable_reason()
    if reason and os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
    if reason:
        pytest.skip(reason)


def create_postgres_database(*, migrate: bool = True) -> str:
    """A new database (migrated, unless `migrate` is false); drop it when done."""
    name = f"staff_test_{uuid.uuid4().hex[:10]}"

    async def create() -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    run_apart(create)
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    if migrate:
        run_apart(lambda: apply_migrations(url))
    return url


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]

    async def drop() -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    run_apart(drop)


async def empty_postgres_database(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            f"TRUNCATE {_TABLES}; DELETE FROM role WHERE practice_id IS NOT NULL; "
            "DELETE FROM practice"
        )
    finally:
        await connection.close()
