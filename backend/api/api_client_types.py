"""The ApiClient type, its connection and the scopes enum. Never exposes a secret's hash."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.ids import to_global_id
from backend.api.practice_types import Practice
from backend.api.relay import Node, PageInfo
from backend.config import Settings
from backend.models import ApiClient as ApiClientModel
from backend.services import api_clients
from backend.services.api_clients import ApiClientStatus
from backend.services.caller import Scope
from backend.services.viewer import Viewer

if TYPE_CHECKING:
    from backend.api.staff_types import StaffMember

ApiClientScope = strawberry.enum(
    Scope,
    name="ApiClientScope",
    description="What an API client may do. On the command line and in FORBIDDEN messages "
    "a scope is written as its value: STAFF_READ is staff:read, STAFF_WRITE staff:write, "
    "ROLES_READ roles:read, ROLES_WRITE roles:write, AUDIT_READ audit:read, WEBHOOKS_MANAGE "
    "webhooks:manage, SCIM scim.",
)
ApiClientStatusEnum = strawberry.enum(
    ApiClientStatus,
    name="ApiClientStatus",
    description="ACTIVE: its secret works. EXPIRED: past its expiry, or unused for the idle "
    "period (API_CLIENT_IDLE_DAYS). REVOKED: revoked by an administrator.",
)


@strawberry.type(
    description="A partner system's credential for the practice. Not a staff member: it "
    "takes no seat and cannot sign in to the app."
)
class ApiClient(Node):
    name: str = strawberry.field(description="What the administrator called it.")
    scopes: list[Scope] = strawberry.field(description="What it may do.")
    status: ApiClientStatus = strawberry.field(description="Whether its secret works now.")
    created_at: datetime = strawberry.field(description="When it was created.")
    expires_at: datetime | None = strawberry.field(
        description="When it expires, as chosen at creation; null for no fixed expiry."
    )
    idle_expires_at: datetime | None = strawberry.field(
        description="When it expires if it is not used before then (API_CLIENT_IDLE_DAYS "
        "after its last use); null once revoked."
    )
    last_used_at: datetime | None = strawberry.field(
        description="When its secret was last used (to a minute); null if never."
    )
    last_used_ip: str | None = strawberry.field(description="The client address of that last use.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked.")
    _created_by_id: strawberry.Private[UUID | None]

    @strawberry.field(
        description="Who created it; null when created from the command line, or when the "
        "caller may not read staff (an API client without staff:read)."
    )
    async def created_by(
        self, info: Info[Context, None]
    ) -> Annotated["StaffMember", strawberry.lazy("backend.api.staff_types")] | None:
        from backend.api.staff_types import StaffMember

        creator_id = api_clients.visible_creator_id(info.context.caller, self._created_by_id)
        if creator_id is None:
            return None
        creator = await info.context.loaders.staff.load(creator_id)
        return StaffMember.from_model(creator) if creator else None

    @classmethod
    def from_model(cls, client: ApiClientModel, settings: Settings) -> "ApiClient":
        idle_from = client.last_used_at or client.created_at
        return cls(
            id=to_global_id("ApiClient", client.id),
            name=client.name,
            scopes=[Scope(value) for value in client.scopes if value in Scope._value2member_map_],
            status=api_clients.status(client, settings),
            created_at=client.created_at,
            expires_at=client.expires_at,
            idle_expires_at=None if client.revoked_at else idle_from + settings.api_client_idle,
            last_used_at=client.last_used_at,
            last_used_ip=client.last_used_ip,
            revoked_at=client.revoked_at,
            _created_by_id=client.created_by_id,
        )


@strawberry.type(description="An API client in a list, with its cursor.")
class ApiClientEdge:
    node: ApiClient = strawberry.field(description="The API client.")
    cursor: str = strawberry.field(description="Opaque position of this item.")


@strawberry.type(description="A page of API clients, newest first.")
class ApiClientConnection:
    edges: list[ApiClientEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is.")
    _viewer: strawberry.Private[Viewer]

    @strawberry.field(description="API clients of the practice in all pages.")
    async def total_count(self) -> int:
        return await api_clients.count_clients(viewer=self._viewer)


@strawberry.type(description="The API client asking, as it may learn about itself.")
class CurrentApiClient:
    api_client: ApiClient = strawberry.field(description="The client itself: name, scopes, expiry.")
    practice: Practice = strawberry.field(description="The practice it belongs to.")
