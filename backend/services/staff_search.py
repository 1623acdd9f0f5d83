"""A search's page in name order, found by walking the name order first.

A term that matches most of a large practice (its email domain, say) made PostgreSQL
read the trigram index for every match and sort them all, where the name order would
have given the page after about as many rows as it holds. The planner cannot tell the
two apart reliably (its estimate of a LIKE's selectivity is a guess), so the service
asks the cheap question first: among the next WALK_ROWS rows in name order, are there a
page's worth of matches? The walk is a subquery with its own LIMIT, which the planner
must read as written: in order, on an index that carries search_text (migration 0018),
so it reads the index alone. When it fills the page, or the list ends within it (a
small practice, the last pages), those rows are the page exactly (the first matches
after the cursor, in order); otherwise the caller takes the usual path, where the
trigram index serves a term that is rare there.
"""

import functools
import operator
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from pypika_tortoise.analytics import RowNumber
from pypika_tortoise.queries import Query, Selectable
from pypika_tortoise.terms import Bracket, Field
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
    unsearched) that contain every word, in name order: all of them when the window ends
    within the walk (fewer than WALK_ROWS rows: a small practice, a last page). None when
    the walk read WALK_ROWS rows without finding `count`: only the usual search can say
    which rows come next."""
    client = connections.get("default")
    sql, params = walk_statement(window, words, count, client.query_class)
    rows: list[dict[str, Any]] = await client.execute_query_dict(sql, params)
    ids = [_uuid(row["id"]) for row in rows if row["matches"]]
    # The walk's last row came back: the window went on past the bound, maybe with more.
    bounded = any(row["walked"] == WALK_ROWS for row in rows)
    if len(ids) < count and bounded:
        return None
    return ids


def walk_statement(
    window: QuerySet[StaffMember], words: Sequence[str], count: int, query_class: type[Query]
) -> tuple[str, list[Any]]:
    """SELECT the first `count` rows containing every word among the window's first
    WALK_ROWS in name order, and also the walk's last row when it reads all WALK_ROWS
    (so that a short answer says whether the window ended or the walk's bound did). The
    inner LIMIT bounds the rows read and keeps the planner from searching the whole
    practice first; the row number streams, so a filled page stops the walk early."""
    walk = Subquery(window.order_by(*NAME_ORDER).limit(WALK_ROWS).only(*WALK_COLUMNS))
    walked = walk.as_("walk")
    # The very expression the ORM's `search_text__contains` compiles to, for each word.
    matches = functools.reduce(
        operator.and_, [contains(Field("search_text", table=walked), w) for w in words]
    )
    numbered = (
        query_class.from_(walked)
        .select(
            *_columns(walked, *NAME_ORDER),
            # Bracketed: an AND of criteria would drop its alias.
            Bracket(matches).as_("matches"),
            RowNumber().orderby(*_columns(walked, *NAME_ORDER)).as_("walked"),
        )
        .as_("numbered")
    )
    matched, number = _columns(numbered, "matches", "walked")
    query = (
        query_class.from_(numbered)
        .select(*_columns(numbered, "id"), matched, number)
        .where(matched | (number == WALK_ROWS))
        .orderby(*_columns(numbered, *NAME_ORDER))
        .limit(count)
    )
    sql, params = query.get_parameterized_sql()
    return sql, list(params)


def _columns(table: Selectable, *names: str) -> list[Field]:
    return [Field(name, table=table) for name in names]


def _uuid(value: Any) -> UUID:
    """asyncpg gives UUIDs; SQLite keeps them as text."""
    return value if isinstance(value, UUID) else UUID(str(value))
