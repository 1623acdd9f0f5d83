"""Reading the audit trail: the practice's events and one staff member's history."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry.types import Info

from backend.api.audit_types import AuditEvent, AuditEventConnection, AuditEventEdge
from backend.api.context import Context
from backend.api.errors import translate
from backend.api.ids import NO_SUCH_ID, from_global_id, parse_reference
from backend.api.permissions import allowing
from backend.api.relay import PageInfo
from backend.services import audit_log
from backend.services.audit_log import AuditQuery
from backend.services.caller import Access


@strawberry.input(description="Narrows the audit trail; all given conditions must hold.")
class AuditEventFilter:
    target_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only events about this staff member (a StaffMember ID)."
    )
    actor_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only events done by this staff member or API client (a StaffMember or "
        "an ApiClient ID).",
    )
    action: str | None = strawberry.field(
        default=None, description='Only this action, e.g. "staff.deactivate".'
    )
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="Only events at or after this time."
    )
    to: datetime | None = strawberry.field(
        default=None, description="Only events at or before this time."
    )


def _query(filter: AuditEventFilter | None) -> AuditQuery:
    if filter is None:
        return AuditQuery()
    return AuditQuery(
        target_staff_id=parse_reference(filter.target_id, "StaffMember"),
        actor_id=_actor(filter.actor_id, "StaffMember"),
        actor_api_client_id=_actor(filter.actor_id, "ApiClient"),
        action=filter.action,
        since=_as_utc(filter.from_),
        until=_as_utc(filter.to),
    )


def _actor(global_id: str | None, kind: str) -> UUID | None:
    """The actor filter's id when it names a `kind` (a person or an API client); an ID of
    neither kind matches nothing."""
    if global_id is None or global_id == "":
        return None
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] not in ("StaffMember", "ApiClient"):
        return NO_SUCH_ID if kind == "StaffMember" else None
    return decoded[1] if decoded[0] == kind else None


def _as_utc(moment: datetime | None) -> datetime | None:
    """A time given without an offset is read as UTC, the time zone of every stored time."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="The practice's audit trail, newest first.",
        permission_classes=allowing(Access.AUDIT_READ),
    )
    async def audit_events(
        self,
        info: Info[Context, None],
        filter: Annotated[
            AuditEventFilter | None, strawberry.argument(description="Conditions all rows meet.")
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, at most 100.")
        ] = 25,
        after: Annotated[
            str | None, strawberry.argument(description="`endCursor` of the previous page.")
        ] = None,
    ) -> AuditEventConnection:
        caller, query = info.context.require_caller(), _query(filter)
        page = await translate(
            lambda: audit_log.list_events(caller=caller, query=query, first=first, after=after)
        )
        edges = [
            AuditEventEdge(
                node=AuditEvent.from_model(event, page.actors, info.context.settings),
                cursor=cursor,
            )
            for event, cursor in zip(page.items, page.cursors, strict=True)
        ]
        return AuditEventConnection(
            edges=edges,
            page_info=PageInfo.forward(page.cursors, has_next_page=page.has_next_page),
            _caller=caller,
            _query=query,
        )
