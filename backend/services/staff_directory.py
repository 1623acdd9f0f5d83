"""Reading staff: the filtered, keyset-paginated list and the tab counts."""

import functools
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from backend.models import StaffMember, StaffStatus
from backend.services import (
    activation_state,
    login_locks,
    staff_cursors,
    staff_order,
    staff_page_sql,
    staff_search,
)
from backend.services.caller import Access, Caller
from backend.services.errors import DomainError, ErrorCode
from backend.services.staff_order import DEFAULT_ORDER, SortDirection, StaffOrder

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25
MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True, kw_only=True)
class StaffQuery:
    status: StaffStatus | None = None
    search: str | None = None
    role_id: UUID | None = None
    two_factor_enabled: bool | None = None
    # Changed at or after this instant (inclusive); the list is then in change order.
    updated_since: datetime | None = None
    # Pending people with no working activation link (True) / with one (False).
    link_expired: bool | None = None
    # Sign-in locked after too many failed attempts (True) / not (False).
    login_locked: bool | None = None
    # Sorting by column; with `updated_since` only the default is allowed (change order).
    order: StaffOrder = DEFAULT_ORDER


@dataclass(frozen=True)
class StaffPage:
    items: list[StaffMember]
    cursors: list[str]
    has_next_page: bool


@dataclass(frozen=True)
class StatusCounts:
    active: int
    pending: int
    inactive: int


async def list_staff(
    *, caller: Caller, query: StaffQuery, first: int | None = None, after: str | None = None
) -> StaffPage:
    """Sorted by last name, first name (then id, so the order is total), or by the column
    of `query.order` (staff_order); with `updated_since`, by updated_at then id, oldest
    change first, for partners' syncs. Keyset cursors make the last page cost what the
    first does; each cursor names its order and is refused in any other."""
    caller.require(Access.STAFF_READ)
    if staff_page_sql.serves(query):  # no search term: one fixed statement (its module)
        items, cursors, has_next = await staff_page_sql.page(
            caller.practice_id, query, size=_page_size(first), after=after
        )
        return StaffPage(items=items, cursors=cursors, has_next_page=has_next)
    return await _list_page(caller, query, size=_page_size(first), after=after)


async def _list_page(
    caller: Caller, query: StaffQuery, *, size: int, after: str | None
) -> StaffPage:
    encode: Callable[[StaffMember], str]
    if query.updated_since is not None:
        rows = await _change_order_page(_filtered(caller, query), after, size)
        encode = staff_cursors.change_cursor
    elif query.order.is_default:
        rows = await _name_order_page(caller, query, after, size)
        encode = staff_cursors.name_cursor
    else:
        order = query.order
        rows = await _column_order_page(_filtered(caller, query), order, after, size)
        encode = functools.partial(staff_cursors.ordered_cursor, order)
    items = list(rows[:size])
    return StaffPage(
        items=items,
        cursors=[encode(staff) for staff in items],
        has_next_page=len(rows) > size,
    )


EXPORT_BATCH_SIZE = 500


async def export_staff(
    *, caller: Caller, query: StaffQuery, batch_size: int = EXPORT_BATCH_SIZE
) -> AsyncGenerator[list[StaffMember]]:
    """Every row of the list under its filter and order, in keyset batches (so memory is
    bounded by one batch whatever the practice's size): the CSV export's rows."""
    caller.require(Access.STAFF_READ)
    after: str | None = None
    while True:
        page = await _list_page(caller, query, size=batch_size, after=after)
        if page.items:
            yield page.items
        if not page.has_next_page:
            return
        after = page.cursors[-1]


async def _name_order_page(
    caller: Caller, query: StaffQuery, after: str | None, size: int
) -> list[StaffMember]:
    """A search first walks the name order (staff_search): a common term's page is then
    read in order rather than found among all its matches and sorted."""
    words = search_words(query.search)
    unsearched = _after_name(_unsearched(caller, query), after)
    rows = _searched(unsearched, words).order_by(*staff_search.NAME_ORDER)
    if words and _walk_pays(query):
        ids = await staff_search.first_matches(unsearched, words, size + 1)
        if ids == []:
            return []
        if ids is not None:
            page = await _page(rows.filter(id__in=ids), size)
            # Fewer when one of them changed between the two statements: search afresh.
            if len(page) == len(ids):
                return page
    return await _page(rows, size)


def _walk_pays(query: StaffQuery) -> bool:
    """The walk's indexes hold the practice, status, name order and search text only.
    Under another filter (a role, locked sign-ins, ...) the next rows in name order may
    hold few of the list's rows, and the walk would read them from the table for nothing.
    (It would still be right: the filters apply before its bound.)"""
    return (
        query.role_id is None
        and query.two_factor_enabled is None
        and query.link_expired is None
        and query.login_locked is None
    )


def _after_name(rows: QuerySet[StaffMember], after: str | None) -> QuerySet[StaffMember]:
    if not after:
        return rows
    at = staff_cursors.name_position(after)
    # The leading `>=` gives the planner a range on the sort index; the OR refines it.
    return rows.filter(last_name__gte=at.last_name).filter(
        Q(last_name__gt=at.last_name)
        | Q(last_name=at.last_name, first_name__gt=at.first_name)
        | Q(last_name=at.last_name, first_name=at.first_name, id__gt=at.staff_id)
    )


async def _change_order_page(
    rows: QuerySet[StaffMember], after: str | None, size: int
) -> list[StaffMember]:
    if after:
        at = staff_cursors.change_position(after)
        # As above, on the (practice, updated_at, id) index. Ties on updated_at are common
        # (one statement stamps many rows alike): the id orders them, so no row is skipped.
        rows = rows.filter(updated_at__gte=at.updated_at).filter(
            Q(updated_at__gt=at.updated_at) | Q(updated_at=at.updated_at, id__gt=at.staff_id)
        )
    return await _page(rows.order_by("updated_at", "id"), size)


async def _column_order_page(
    rows: QuerySet[StaffMember], order: StaffOrder, after: str | None, size: int
) -> list[StaffMember]:
    """Any column order. A nullable column (last sign-in) is read in two keyset parts, the
    rows with a value then those without (by id), so the nulls come last in both directions
    and each part is a plain range on the (practice, column, id) index."""
    columns = order.columns
    at = staff_cursors.ordered_position(after, order) if after else None
    in_null_part = at is not None and order.nullable and at.values[0] is None
    found: list[StaffMember] = []
    if not in_null_part:
        part = rows.filter(**{f"{columns[0]}__isnull": False}) if order.nullable else rows
        if at is not None:
            leading, exact = staff_order.after(order, at.values, at.staff_id)
            part = part.filter(leading).filter(exact)
        found = await _page(part.order_by(*staff_order.order_by(order)), size)
    if order.nullable and len(found) <= size:
        nulls = rows.filter(**{f"{columns[0]}__isnull": True})
        if in_null_part and at is not None:
            op = "lt" if order.direction == SortDirection.DESC else "gt"
            nulls = nulls.filter(**{f"id__{op}": at.staff_id})
        # All null, so in id order; naming the column too matches the index's order, which
        # the planner needs to read the range in order rather than sort it.
        found += await _page(nulls.order_by(*staff_order.order_by(order)), size - len(found))
    return found


async def _page(rows: QuerySet[StaffMember], size: int) -> list[StaffMember]:
    return await (
        rows.limit(size + 1).select_related("role", "primary_provider").prefetch_related("offices")
    )


async def count_staff(*, caller: Caller, query: StaffQuery) -> int:
    """How many staff match in all pages. Separate from the page: counting a common search
    term in a large practice costs more than the page itself, so only callers who ask pay."""
    caller.require(Access.STAFF_READ)
    return await _filtered(caller, query).count()


async def count_by_status(*, caller: Caller, query: StaffQuery) -> StatusCounts:
    caller.require(Access.STAFF_READ)
    if staff_page_sql.serves(query):  # no search term: one fixed statement (its module)
        return _status_counts(await staff_page_sql.counts(caller.practice_id, query))
    rows = await (
        _filtered(
            caller,
            StaffQuery(
                search=query.search,
                role_id=query.role_id,
                two_factor_enabled=query.two_factor_enabled,
                link_expired=query.link_expired,
                login_locked=query.login_locked,
            ),
        )
        .annotate(count=Count("id"))
        .group_by("status")
        .values_list("status", "count")
    )
    return _status_counts({StaffStatus(status): count for status, count in rows})


def _status_counts(counts: dict[StaffStatus, int]) -> StatusCounts:
    return StatusCounts(
        active=counts.get(StaffStatus.ACTIVE, 0),
        pending=counts.get(StaffStatus.PENDING, 0),
        inactive=counts.get(StaffStatus.INACTIVE, 0),
    )


async def get_staff(*, caller: Caller, staff_id: UUID) -> StaffMember | None:
    """Anyone may read their own record; other staff need Manage Accounts."""
    caller.require(Access.STAFF_MEMBER_READ if staff_id == caller.staff_id else Access.STAFF_READ)
    return (
        await StaffMember.filter(id=staff_id, practice_id=caller.practice_id)
        .select_related("role", "primary_provider")
        .prefetch_related("offices")
        .first()
    )


def normalise_search(term: str | None) -> str | None:
    words = " ".join((term or "").split()).lower()
    return words[:MAX_SEARCH_LENGTH] or None


def search_words(term: str | None) -> list[str]:
    """The words of a search, each of which must match (in any order: "anderson jackson"
    finds Jackson Anderson). A word contained in a longer one adds nothing, so it is
    dropped, which also bounds the statement at a few LIKEs, each served by the trigram
    index on PostgreSQL."""
    words = sorted(set((normalise_search(term) or "").split()), key=len, reverse=True)
    kept: list[str] = []
    for word in words:
        if not any(word in longer for longer in kept):
            kept.append(word)
    return kept


def _filtered(caller: Caller, query: StaffQuery) -> QuerySet[StaffMember]:
    return _searched(_unsearched(caller, query), search_words(query.search))


def _searched(rows: QuerySet[StaffMember], words: Sequence[str]) -> QuerySet[StaffMember]:
    for word in words:
        # search_text is already lower-cased; on PostgreSQL a trigram index serves this.
        rows = rows.filter(search_text__contains=word)
    return rows


def _unsearched(caller: Caller, query: StaffQuery) -> QuerySet[StaffMember]:
    """Every filter of the list but the search."""
    rows = StaffMember.filter(practice_id=caller.practice_id)
    if query.status is not None:
        rows = rows.filter(status=query.status)
    if query.role_id is not None:
        rows = rows.filter(role_id=query.role_id)
    if query.two_factor_enabled is not None:
        rows = rows.filter(two_factor_enabled=query.two_factor_enabled)
    if query.updated_since is not None:
        if not query.order.is_default:
            raise DomainError.single(
                ErrorCode.INVALID,
                "`orderBy` cannot be combined with `updatedSince`, whose list is always in "
                "`updatedAt` order.",
                ["orderBy"],
            )
        rows = rows.filter(updated_at__gte=_utc(query.updated_since))
    if query.link_expired is not None:
        # Both conditions imply status PENDING: active and inactive people have no link.
        rows = rows.filter(
            activation_state.without_working_link()
            if query.link_expired
            else activation_state.with_working_link()
        )
    if query.login_locked is not None:
        rows = rows.filter(login_locks.locked() if query.login_locked else login_locks.not_locked())
    return rows


def _utc(moment: datetime) -> datetime:
    """In UTC, as stored: SQLite compares datetimes as text, so an offset would compare
    wrong. A time without an offset names no instant at all."""
    if moment.tzinfo is None:
        raise DomainError.single(
            ErrorCode.INVALID,
            "Give `updatedSince` with a time zone, e.g. 2026-01-31T09:00:00Z.",
            ["filter", "updatedSince"],
        )
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00: before the first instant there is
        raise DomainError.single(
            ErrorCode.INVALID,
            "`updatedSince` is out of range: give a time between the years 1 and 9999.",
            ["filter", "updatedSince"],
        ) from None


def _page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0:
        raise DomainError.single(ErrorCode.INVALID, "`first` cannot be negative.", ["first"])
    return min(first, MAX_PAGE_SIZE)


async def staff_with_relations_among(staff_ids: Sequence[UUID]) -> dict[UUID, StaffMember]:
    """staff_with_relations of several, in three queries whatever their number (for a page
    that names people, e.g. the creators of API clients)."""
    rows = (
        await StaffMember.filter(id__in=list(staff_ids))
        .select_related("role", "primary_provider")
        .prefetch_related("offices")
    )
    return {staff.id: staff for staff in rows}


async def staff_with_relations(staff_id: UUID) -> StaffMember:
    """A staff member with role, provider and offices loaded, for showing the result of an
    operation the caller was already allowed to make."""
    return (
        await StaffMember.get(id=staff_id)
        .select_related("role", "primary_provider")
        .prefetch_related("offices")
    )
