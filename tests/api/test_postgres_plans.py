"""On PostgreSQL the search is served by the trigram index, each sort order by its
index, and asyncpg's cached plans
cannot fall back to a generic plan that ignores it."""

from uuid import uuid4

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from backend.models import StaffMember, StaffStatus
from backend.services import staff_order
from backend.services.staff_directory import DEFAULT_PAGE_SIZE, normalise_search
from backend.services.staff_order import SortDirection, SortField, StaffOrder


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


# Each order's index by its key columns (the names are Tortoise's hashes). The name order
# of one tab may use either name index, or the search's covering one (migration 0018, the
# same keys): all give the order without a sort.
SORT_INDEXES = {
    SortField.NAME: {
        "practice_id, status, last_name, first_name, id",
        "practice_id, last_name, first_name, id",
    },
    SortField.USERNAME: {"practice_id, status, username_key, id"},
    SortField.EMAIL: {"practice_id, status, email, id"},
    SortField.CREATED: {"practice_id, status, created_at, id"},
    SortField.LAST_SIGN_IN: {"practice_id, status, last_sign_in_at, id"},
    SortField.PRIMARY_PROVIDER: {"practice_id, status, primary_provider_id, id"},
}


async def _index_names(columns: set[str]) -> set[str]:
    rows = await connections.get("default").execute_query_dict(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'staff_member'"
    )
    return {row["indexname"] for row in rows if _key_columns(row["indexdef"]) in columns}


def _key_columns(indexdef: str) -> str:
    """The key columns ("a, b" of "CREATE INDEX ... (a, b) INCLUDE (c)"): an INCLUDE
    list is not part of the order."""
    return indexdef.split("(", 1)[1].split(")", 1)[0]


@pytest.mark.parametrize("direction", list(SortDirection))
@pytest.mark.parametrize("field", list(SortField))
async def test_each_sort_order_reads_its_index(
    db: str, postgres_only: None, field: SortField, direction: SortDirection
) -> None:
    order = StaffOrder(field, direction)
    names = await _index_names(SORT_INDEXES[field])
    assert names, field
    # A tab's first page as staff_directory reads it (last sign-in: its non-null part).
    rows = StaffMember.filter(practice_id=uuid4(), status=StaffStatus.ACTIVE)
    if order.nullable:
        rows = rows.filter(last_sign_in_at__isnull=False)
    async with in_transaction() as transaction:
        await transaction.execute_script("SET LOCAL enable_seqscan = off")
        plan = str(
            await rows.order_by(*staff_order.order_by(order))
            .limit(DEFAULT_PAGE_SIZE + 1)
            .select_related("role", "primary_provider")
            .using_db(transaction)
            .explain()
        )
    assert any(f'"Index Name": "{name}"' in plan for name in names), plan
    if field != SortField.PRIMARY_PROVIDER:
        # Read in order from the index: no sort of the tab's rows. (The provider order sorts
        # by a joined table's columns, which no index of staff_member can hold.)
        assert '"Node Type": "Sort"' not in plan, plan


async def test_never_signed_in_part_reads_the_sign_in_index(db: str, postgres_only: None) -> None:
    names = await _index_names(SORT_INDEXES[SortField.LAST_SIGN_IN])
    rows = StaffMember.filter(
        practice_id=uuid4(), status=StaffStatus.ACTIVE, last_sign_in_at__isnull=True
    )
    async with in_transaction() as transaction:
        await transaction.execute_script("SET LOCAL enable_seqscan = off")
        order = StaffOrder(SortField.LAST_SIGN_IN, SortDirection.DESC)
        plan = str(
            await rows.order_by(*staff_order.order_by(order))
            .limit(26)
            .using_db(transaction)
            .explain()
        )
    assert any(f'"Index Name": "{name}"' in plan for name in names), plan
    assert '"Node Type": "Sort"' not in plan, plan
