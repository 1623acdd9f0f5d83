"""Reading webhook endpoints, their delivery logs, and the practice's events."""

from typing import Annotated
from uuid import UUID

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import translate
from backend.api.ids import NO_SUCH_ID, parse_id
from backend.api.permissions import allowing
from backend.api.relay import PageInfo
from backend.api.webhook_types import (
    WebhookDelivery,
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookEndpoint,
    WebhookEndpointConnection,
    WebhookEndpointEdge,
    WebhookEvent,
    WebhookEventConnection,
    WebhookEventEdge,
)
from backend.models import DeliveryStatus
from backend.services import webhook_endpoints, webhook_log
from backend.services.caller import Access
from backend.services.errors import DomainError, ErrorCode

_ALLOWED = allowing(Access.WEBHOOKS_MANAGE)
First = Annotated[int | None, strawberry.argument(description="Page size, at most 100.")]


@strawberry.input(description="Which deliveries of the log to list.")
class WebhookDeliveryFilter:
    status: DeliveryStatus | None = strawberry.field(
        default=None, description="Only deliveries in this state (e.g. FAILED)."
    )


@strawberry.type
class WebhookQueries:
    @strawberry.field(
        description="The practice's webhook endpoints, newest first.",
        permission_classes=_ALLOWED,
    )
    async def webhook_endpoints(
        self,
        info: Info[Context, None],
        first: First = 25,
        after: Annotated[
            str | None, strawberry.argument(description="`endCursor` of the previous page.")
        ] = None,
    ) -> WebhookEndpointConnection:
        caller = info.context.require_caller()
        page = await translate(
            lambda: webhook_endpoints.list_endpoints(caller=caller, first=first, after=after)
        )
        return WebhookEndpointConnection(
            edges=[
                WebhookEndpointEdge(node=WebhookEndpoint.from_model(item), cursor=cursor)
                for item, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo.forward(page.cursors, has_next_page=page.has_next_page),
        )

    @strawberry.field(
        description="An endpoint's deliveries, newest first, each with every attempt (time, "
        "HTTP status, duration, error, the first kilobyte of the response). Kept 30 days. "
        "Empty for an ID that is not one of the practice's endpoints.",
        permission_classes=_ALLOWED,
    )
    async def webhook_deliveries(
        self,
        info: Info[Context, None],
        endpoint_id: Annotated[strawberry.ID, strawberry.argument(description="The endpoint.")],
        filter: Annotated[
            WebhookDeliveryFilter | None, strawberry.argument(description="Narrow the log.")
        ] = None,
        first: First = 25,
        after: Annotated[
            str | None, strawberry.argument(description="`endCursor` of the previous page.")
        ] = None,
    ) -> WebhookDeliveryConnection:
        caller = info.context.require_caller()
        page = await translate(
            lambda: webhook_log.deliveries(
                caller=caller,
                endpoint_id=parse_id(endpoint_id, "WebhookEndpoint") or NO_SUCH_ID,
                status=filter.status if filter else None,
                first=first,
                after=after,
            )
        )
        return WebhookDeliveryConnection(
            edges=[
                WebhookDeliveryEdge(node=WebhookDelivery.from_model(item), cursor=cursor)
                for item, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo.forward(page.cursors, has_next_page=page.has_next_page),
        )

    @strawberry.field(
        description="The practice's events in the order they were recorded, after the given "
        "one: a receiver that was down or disabled replays what it missed. Kept 30 days.",
        permission_classes=_ALLOWED,
    )
    async def webhook_events(
        self,
        info: Info[Context, None],
        after_event_id: Annotated[
            str | None,
            strawberry.argument(
                description="The `id` of the last event the receiver applied; omit for the "
                "oldest kept."
            ),
        ] = None,
        first: First = 25,
    ) -> WebhookEventConnection:
        caller = info.context.require_caller()

        page = await translate(
            lambda: webhook_log.events_since(
                caller=caller, after_event_id=_event_id(after_event_id), first=first
            )
        )
        return WebhookEventConnection(
            edges=[
                WebhookEventEdge(node=WebhookEvent.from_model(item), cursor=cursor)
                for item, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo.forward(page.cursors, has_next_page=page.has_next_page),
        )


def _event_id(value: str | None) -> UUID | None:
    if value is None:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise DomainError.single(
            ErrorCode.INVALID, "`afterEventId` is not an event id.", ["afterEventId"]
        ) from None
