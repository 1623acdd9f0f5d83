"""Reading staff: the list, the tab counts, one staff member."""

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import translate
from backend.api.ids import parse_id, parse_reference
from backend.api.permissions import allowing
from backend.api.relay import PageInfo
from backend.api.staff_types import (
    StaffCounts,
    StaffMember,
    StaffMemberConnection,
    StaffMemberEdge,
)
from backend.models import StaffStatus
from backend.services import staff_directory
from backend.services.caller import Access
from backend.services.staff_directory import StaffQuery
from backend.services.staff_order import DEFAULT_ORDER, SortDirection, SortField, StaffOrder

StaffSortField = strawberry.enum(
    SortField,
    name="StaffSortField",
    description="A column the staff list can be sorted by; ties are broken by ID.",
)
SortDirectionEnum = strawberry.enum(
    SortDirection,
    name="SortDirection",
    description="Ascending or descending (rows without a last sign-in come last in both).",
)


@strawberry.input(description="The order of the staff list.")
class StaffOrderBy:
    field: StaffSortField = strawberry.field(  # type: ignore[valid-type]
        description="NAME is last name then first name; PRIMARY_PROVIDER the provider's "
        "last then first name; LAST_SIGN_IN puts people who never signed in last."
    )
    direction: SortDirectionEnum = strawberry.field(  # type: ignore[valid-type]
        default=SortDirection.ASC, description="ASC unless given."
    )


def _order(order_by: StaffOrderBy | None) -> StaffOrder:
    if order_by is None:
        return DEFAULT_ORDER
    return StaffOrder(SortField(order_by.field), SortDirection(order_by.direction))


@strawberry.input(description="Narrows the staff list; all given conditions must hold.")
class StaffFilter:
    status: StaffStatus | None = strawberry.field(default=None, description="Only this status.")
    search: str | None = strawberry.field(
        default=None,
        description="Words separated by spaces, each a case-insensitive substring of the "
        'full name, username or email, in any order: "anderson jackson" finds Jackson '
        "Anderson.",
    )
    role_id: strawberry.ID | None = strawberry.field(default=None, description="Only this role.")
    two_factor_enabled: bool | None = strawberry.field(
        default=None, description="Only staff with (true) or without (false) two-factor sign-in."
    )
    updated_since: datetime | None = strawberry.field(
        default=None,
        description="Only staff whose `updatedAt` is at or after this instant (inclusive; "
        "give a time zone, e.g. Z). The list is then sorted by `updatedAt`, then by ID, "
        'oldest change first, for incremental syncs (README, "Syncing changes").',
    )
    link_expired: bool | None = strawberry.field(
        default=None,
        description="Only pending staff whose activation link has expired, so none works "
        "(true), or whose link still works (false).",
    )
    login_locked: bool | None = strawberry.field(
        default=None,
        description="Only staff whose sign-in is locked after too many failed attempts "
        "(true), or is not (false); as `loginLocked`.",
    )


@strawberry.input(description="Narrows the tab counts like the list's filter, without status.")
class StaffCountsFilter:
    search: str | None = strawberry.field(default=None, description="As in StaffFilter.")
    role_id: strawberry.ID | None = strawberry.field(default=None, description="As in StaffFilter.")
    two_factor_enabled: bool | None = strawberry.field(
        default=None, description="As in StaffFilter."
    )
    link_expired: bool | None = strawberry.field(
        default=None,
        description="As in StaffFilter: only the pending count can then be non-zero.",
    )
    login_locked: bool | None = strawberry.field(default=None, description="As in StaffFilter.")


def _query(
    filter: StaffFilter | StaffCountsFilter | None, order: StaffOrder = DEFAULT_ORDER
) -> StaffQuery:
    if filter is None:
        return StaffQuery(order=order)
    return StaffQuery(
        order=order,
        status=getattr(filter, "status", None),
        search=filter.search,
        role_id=parse_reference(filter.role_id, "Role"),
        two_factor_enabled=filter.two_factor_enabled,
        updated_since=getattr(filter, "updated_since", None),
        link_expired=filter.link_expired,
        login_locked=filter.login_locked,
    )


@strawberry.type
class StaffQueries:
    @strawberry.field(
        description="Staff of the viewer's practice, sorted by last name then first name "
        "unless `orderBy` says otherwise; with `filter.updatedSince`, by `updatedAt` then ID. "
        "A cursor works only in the order it came from.",
        permission_classes=allowing(Access.STAFF_READ),
    )
    async def staff_members(
        self,
        info: Info[Context, None],
        filter: Annotated[
            StaffFilter | None, strawberry.argument(description="Conditions all rows meet.")
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, at most 100.")
        ] = 25,
        after: Annotated[
            str | None, strawberry.argument(description="`endCursor` of the previous page.")
        ] = None,
        order_by: Annotated[
            StaffOrderBy | None,
            strawberry.argument(description="Sort by a column; by name when left out."),
        ] = None,
    ) -> StaffMemberConnection:
        caller, query = info.context.require_caller(), _query(filter, _order(order_by))
        page = await translate(
            lambda: staff_directory.list_staff(caller=caller, query=query, first=first, after=after)
        )
        edges = [
            StaffMemberEdge(node=StaffMember.from_model(staff), cursor=cursor)
            for staff, cursor in zip(page.items, page.cursors, strict=True)
        ]
        return StaffMemberConnection(
            edges=edges,
            page_info=PageInfo.forward(page.cursors, has_next_page=page.has_next_page),
            _caller=caller,
            _query=query,
        )

    @strawberry.field(
        description="Active, pending and inactive counts under the same filter (the tabs).",
        permission_classes=allowing(Access.STAFF_READ),
    )
    async def staff_counts(
        self,
        info: Info[Context, None],
        filter: Annotated[
            StaffCountsFilter | None, strawberry.argument(description="Conditions all rows meet.")
        ] = None,
    ) -> StaffCounts:
        counts = await translate(
            lambda: staff_directory.count_by_status(
                caller=info.context.require_caller(), query=_query(filter)
            )
        )
        return StaffCounts(active=counts.active, pending=counts.pending, inactive=counts.inactive)

    @strawberry.field(
        description="One staff member of the viewer's practice; null if there is none "
        "with this ID.",
        permission_classes=allowing(Access.STAFF_MEMBER_READ),
    )
    async def staff_member(
        self,
        info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="Its ID.")],
    ) -> StaffMember | None:
        staff_id = parse_id(id, "StaffMember")
        if staff_id is None:
            return None
        staff = await translate(
            lambda: staff_directory.get_staff(
                caller=info.context.require_caller(), staff_id=staff_id
            )
        )
        return StaffMember.from_model(staff) if staff else None
