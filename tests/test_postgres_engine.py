"""A transaction that fails to start gives its connection back (backend/postgres_engine.py).

Tortoise alone leaves such a transaction installed as the task's connection and never
returns its connection to the pool: the task, and every task it starts, then share that
one connection ("another operation is in progress"). The failure here is a cancellation
during BEGIN (the GraphQL timeout, a client going away); a server cutting the session
during a restart takes the same path."""

import asyncio
from typing import Any

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from backend.db import close_database, open_database


async def _select_in_transaction(value: int) -> int:
    async with in_transaction() as transaction:
        # Long enough for the two transactions below to overlap on a shared connection.
        _, rows = await transaction.execute_query(f"SELECT pg_sleep(0.05), {value} AS value")
        result: int = rows[0]["value"]
        return result


async def _cancel_a_begin_then_look() -> dict[str, Any]:
    """Runs in a task of its own, so that what the failed transaction leaves in the
    task's context cannot reach the test's teardown."""
    pool_client = connections.get("default")
    await pool_client.execute_query("SELECT 1")  # the pool's one connection, idle
    with pytest.raises(TimeoutError):
        # Expires at the first wait, which is BEGIN's round trip to the server.
        async with asyncio.timeout(0):
            async with in_transaction():
                pytest.fail("the transaction should not have started")
    task_connection = connections.get("default")
    # Tasks started now copy this task's context, as `gather` does for resolvers.
    both = asyncio.gather(
        _select_in_transaction(1), _select_in_transaction(2), return_exceptions=True
    )
    return {
        "the task's connection is the pool again": task_connection is pool_client,
        "two transactions after it": await asyncio.wait_for(both, 10),
    }


@pytest.mark.postgres_only
async def test_a_transaction_cancelled_during_begin_leaves_nothing_behind(
    postgres_url: str,
) -> None:
    # One connection: a leaked connection is then the only one there is.
    await open_database(f"{postgres_url}?maxsize=1")
    try:
        seen = await asyncio.create_task(_cancel_a_begin_then_look())
        assert seen == {
            "the task's connection is the pool again": True,
            "two transactions after it": [1, 2],
        }
        # The pool has its connection back: another task gets it at once.
        fresh = asyncio.create_task(connections.get("default").execute_query("SELECT 3"))
        assert (await asyncio.wait_for(fresh, 5))[0] == 1
    finally:
        await asyncio.wait_for(close_database(), 15)
