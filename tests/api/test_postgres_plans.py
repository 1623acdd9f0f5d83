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
