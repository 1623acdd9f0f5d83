"""On PostgreSQL the search is served by the trigram index, and asyncpg's cached plans
cannot fall back to a generic plan that ignores it."""

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from backend.models import StaffMember
from backend.services.staff_directory import normalise_search


@pytest.fixture
def postgres_only(database_backend: str) -> None:
    if database_backend != "postgres":
        pytest.skip("a PostgreSQL planner check")


async def test_connections_force_custom_plans(db: str, postgres_only: None) -> None:
    rows = await connections.get("default").execute_query_dict("SHOW plan_cache_mode")
    assert rows == [{"plan_cache_mode": "force_custom_plan"}]


async def test_search_filter_uses_the_trigram_index(db: str, postgres_only: None) -> None:
    term = normalise_search("Camille")
    # The table is empty: forbid the sequential scan so that the plan shows which index
    # the ORM's expression can use at all (on real data the planner picks it by cost).
    async with in_transaction() as transaction:
        await transaction.execute_script("SET LOCAL enable_seqscan = off")
        plan = await StaffMember.filter(search_text__contains=term).using_db(transaction).explain()
    assert "staff_member_search_trgm" in str(plan), plan


async def test_releasing_a_connection_costs_no_reset_round_trip(
    db: str, postgres_only: None
) -> None:
    # asyncpg's default reset (RESET ALL and more) ran after each of Tortoise's statements,
    # doubling the round trips. Seen from the server: a session setting survives a release.
    client = connections.get("default")
    [first] = await client.execute_query_dict(
        "SELECT set_config('application_name', 'release-probe', false) AS name, "
        "pg_backend_pid() AS pid"
    )
    # The setting stays on that one connection, which the `db` fixture closes afterwards.
    for _ in range(20):  # until the pool hands out that same connection again
        [row] = await client.execute_query_dict(
            "SELECT current_setting('application_name') AS name, pg_backend_pid() AS pid"
        )
        if row["pid"] == first["pid"]:
            assert row["name"] == "release-probe"
            return
    pytest.fail("the pool never handed the same connection out again")
