"""The AuditEvent type and its connection."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from backend.api.ids import to_global_id
from backend.api.relay import Node, PageInfo
from backend.config import Settings
from backend.models import AuditEvent as AuditEventModel
from backend.services import audit_log
from backend.services.audit_log import Actors, AuditQuery
from backend.services.caller import Caller

if TYPE_CHECKING:
    from backend.api.api_client_types import ApiClient
    from backend.api.staff_types import StaffMember


@strawberry.type(description="One entry of an audit event's details.")
class AuditDetail:
    key: str = strawberry.field(description='What the value is, e.g. "fields" or "status".')
    value: str = strawberry.field(description="The value as text; lists are comma-separated.")


@strawberry.type(
    description="Who did what to whom, when and from where. Never holds a password, PIN, "
    "token or code."
)
class AuditEvent(Node):
    created_at: datetime = strawberry.field(description="When it happened (UTC).")
    action: str = strawberry.field(
        description='What was done, e.g. "auth.login", "staff.create", "staff.update", '
        '"staff.deactivate", "role.update".'
    )
    outcome: str = strawberry.field(description='"SUCCESS" or "FAILURE".')
    # Lazy: StaffMember has auditEvents, so the staff types import this module.
    actor: Annotated["StaffMember", strawberry.lazy("backend.api.staff_types")] | None = (
        strawberry.field(
            description="The person who did it; null when an API client did it "
            "(actorApiClient), for an anonymous caller (e.g. a failed sign-in) or the system."
        )
    )
    actor_api_client: (
        Annotated["ApiClient", strawberry.lazy("backend.api.api_client_types")] | None
    ) = strawberry.field(
        description="The API client that did it (authMethod api_client); null when a person "
        "did it or nobody did."
    )
    target_id: strawberry.ID | None = strawberry.field(
        description="Global ID of the StaffMember, Role or Practice acted on, when known."
    )
    auth_method: str | None = strawberry.field(
        description='How the actor was authenticated: "cookie" (a session cookie: the '
        'browser app), "bearer_session" (a person\'s session sent as a bearer token: the '
        'mobile app), "password" (a sign-in) or "api_client" (an API client\'s secret); '
        "null without a session."
    )
    ip: str | None = strawberry.field(description="The caller's IP address, if known.")
    user_agent: str | None = strawberry.field(description="The caller's user agent, if known.")
    request_id: str | None = strawberry.field(description="ID of the request that did it.")
    details: list[AuditDetail] = strawberry.field(
        description='Further facts, e.g. fields: "cellPhone, email" for staff.update.'
    )
    summary: str | None = strawberry.field(
        description='The details in one line, e.g. "fields: cellPhone"; null when there are none.'
    )

    @classmethod
    def from_model(cls, event: AuditEventModel, actors: Actors, settings: Settings) -> "AuditEvent":
        """`actors`: who acted in the events shown, loaded once for them all."""
        from backend.api.api_client_types import ApiClient
        from backend.api.staff_types import StaffMember

        pairs = audit_log.safe_details(event.details)
        staff = actors.staff.get(event.actor_id) if event.actor_id else None
        client = actors.api_clients.get(event.api_client_id) if event.api_client_id else None
        return cls(
            id=to_global_id("AuditEvent", event.id),
            created_at=event.created_at,
            action=event.action,
            outcome=event.outcome,
            actor=StaffMember.from_model(staff) if staff else None,
            actor_api_client=ApiClient.from_model(client, settings) if client else None,
            target_id=_target_global_id(event),
            auth_method=audit_log.auth_method(event.details),
            ip=event.ip,
            user_agent=event.user_agent,
            request_id=event.request_id,
            details=[AuditDetail(key=key, value=value) for key, value in pairs],
            summary=audit_log.summary(pairs),
        )


def _target_global_id(event: AuditEventModel) -> strawberry.ID | None:
    kind = audit_log.target_kind(event.action)
    if kind is None or not event.target_id:
        return None
    try:
        return to_global_id(kind, UUID(event.target_id))
    except ValueError:
        return None


@strawberry.type(description="An audit event in a list, with its cursor.")
class AuditEventEdge:
    node: AuditEvent = strawberry.field(description="The event.")
    cursor: str = strawberry.field(description="Opaque position of this item.")


@strawberry.type(description="A page of audit events, newest first.")
class AuditEventConnection:
    edges: list[AuditEventEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is.")
    # What totalCount counts, kept for the resolver: the count runs only when asked for.
    _caller: strawberry.Private[Caller]
    _query: strawberry.Private[AuditQuery]

    @strawberry.field(description="Matching events in all pages.")
    async def total_count(self) -> int:
        return await audit_log.count_events(caller=self._caller, query=self._query)
