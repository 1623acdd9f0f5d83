"""A search's page in name order, found by walking the name order first.

A term that matches most of a large practice (its email domain, say) made PostgreSQL
read the trigram index for every match and sort them all, where the name order would
have given the page after about as many rows as it holds. The planner cannot tell the
two apart reliably (its estimate of a LIKE's selectivity is a guess), so the service
asks the cheap question first: among the next WALK_ROWS rows in name order, are there a
page's worth of matches? The walk is a subquery with its own LIMIT, which the planner
must read as written: in order, on an index that carries search_text (migration 0018),
so it reads the index alone. When it fills the page, those rows are the page exactly
(the first matches after the cursor, in order); when it does not, the caller takes the
usual path, where the trigram index serves a term that is rare there.
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from pypika_tortoise.queries import Query
from pypika_tortoise.terms import Field
from tortoise import connections
from tortoise.expressions import Subquery
from tortoise.filters import contains
from tortoise.queryset import QuerySet

from backend.models import StaffMember

# Rows the walk reads at most: about a millisecond from the index. A term found in fewer
# than one row of WALK_ROWS / (page size + 1) there is rare enough for the trigram index.
WALK_ROWS = 2000
NAME_ORDER = ("last_name", "first_name", "id")
# What the walk reads: the order, the id and the text searched, all in the covering index.
WALK_COLUMNS = (*NAME_ORDER, "search_text")


async def first_matches(
    window: QuerySet[StaffMember], words: Sequence[str], count: int
) -> list[UUID] | None:
    """The ids of the first `count` rows of `window` (the list's rows after the cursor,
    unsearched) that contain every word, in name order; None when the walk's WALK_ROWS
    rows hold fewer, so that only the usual search can say which rows come next."""
    client = connections.get("default")
    sql, params = walk_statement(window, words, count, client.query_class)
    rows: list[dict[str, Any]] = await client.execute_query_dict(sql, params)
    if len(rows) < count:
        return None
    return [_uuid(row["id"]) for row in rows]


def walk_statement(
    window: QuerySet[StaffMember], words: Sequence[str], count: int, query_class: type[Query]
) -> tuple[str, list[Any]]:
    """SELECT id FROM (the window in name order, LIMIT WALK_ROWS) AS walk WHERE every word
    ORDER BY the name order LIMIT count. The inner LIMIT bounds the rows read and keeps
    the planner from searching the whole practice first."""
    walk = Subquery(window.order_by(*NAME_ORDER).limit(WALK_ROWS).only(*WALK_COLUMNS)).as_(
        "walk"
    )
    query = query_class.from_(walk).select(Field("id", table=walk))
    for word in words:
        # The very expression the ORM's `search_text__contains` compiles to.
        query = query.where(contains(Field("search_text", table=walk), word))
    query = query.orderby(*(Field(column, table=walk) for column in NAME_ORDER)).limit(count)
    sql, params = query.get_parameterized_sql()
    return sql, list(params)


def _uuid(value: Any) -> UUID:
    """asyncpg gives UUIDs; SQLite keeps them as text."""
    return value if isinstance(value, UUID) else UUID(str(value))
