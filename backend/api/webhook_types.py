"""Webhook endpoints, deliveries, attempts and events as the API shows them. Never a
signing secret (only the create and rotate answers carry one, once)."""

from datetime import datetime

import orjson
import strawberry

from backend.api.ids import to_global_id
from backend.api.relay import Node, PageInfo
from backend.models import DeliveryStatus
from backend.models import WebhookAttempt as AttemptModel
from backend.models import WebhookDelivery as DeliveryModel
from backend.models import WebhookEndpoint as EndpointModel
from backend.models import WebhookEvent as EventModel
from backend.webhooks.payloads import EventType

WebhookEventType = strawberry.enum(
    EventType,
    name="WebhookEventType",
    description="What happened. The payload's `type` is the value: STAFF_CREATED is "
    'staff.created, ROLE_DELETED role.deleted, and so on (README, "Webhooks"). PING is '
    "sent by webhookEndpointPing only.",
)
WebhookDeliveryStatus = strawberry.enum(
    DeliveryStatus,
    name="WebhookDeliveryStatus",
    description="PENDING: not yet accepted, a retry is scheduled (or waits for the endpoint "
    "to be enabled). DELIVERED: the endpoint answered 2xx. FAILED: retries ran out (about 75 "
    "hours), or the endpoint answered 410 Gone.",
)


@strawberry.type(description="An HTTPS URL that receives the practice's events, signed.")
class WebhookEndpoint(Node):
    url: str = strawberry.field(description="Where events are POSTed.")
    description: str = strawberry.field(description="What the administrator noted.")
    event_types: list[EventType] = strawberry.field(description="The events it receives.")
    enabled: bool = strawberry.field(description="Whether events are delivered to it now.")
    disabled_reason: str | None = strawberry.field(
        description="Why the service disabled it: GONE (it answered 410) or FAILING (it "
        "accepted nothing for 5 days); null when enabled or disabled by a person."
    )
    failing_since: datetime | None = strawberry.field(
        description="The first failed attempt since its last success; null when healthy."
    )
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="After a rotation: until when the previous secret signs beside the new."
    )
    created_at: datetime = strawberry.field(description="When it was registered.")

    @classmethod
    def from_model(cls, endpoint: EndpointModel) -> "WebhookEndpoint":
        return cls(
            id=to_global_id("WebhookEndpoint", endpoint.id),
            url=endpoint.url,
            description=endpoint.description,
            event_types=[EventType(value) for value in endpoint.event_types],
            enabled=endpoint.enabled,
            disabled_reason=endpoint.disabled_reason,
            failing_since=endpoint.failing_since,
            previous_secret_expires_at=endpoint.previous_secret_expires_at,
            created_at=endpoint.created_at,
        )


@strawberry.type(description="An event as it was recorded and is delivered.")
class WebhookEvent:
    event_id: str = strawberry.field(
        description="The event's id: the payload's `id` and the `webhook-id` header."
    )
    type: EventType = strawberry.field(description="What happened.")
    resource_id: str = strawberry.field(
        description="The UUID of the staff member, role or (ping) endpoint it is about."
    )
    sequence: int = strawberry.field(description="Its place among the resource's events.")
    created_at: datetime = strawberry.field(description="When it was recorded.")
    body: str = strawberry.field(description="The JSON payload, as POSTed to endpoints.")

    @classmethod
    def from_model(cls, event: EventModel) -> "WebhookEvent":
        return cls(
            event_id=str(event.id),
            type=EventType(event.type),
            resource_id=str(event.resource_id),
            sequence=event.sequence,
            created_at=event.created_at,
            body=orjson.dumps(event.payload).decode(),
        )


@strawberry.type(description="One HTTP request of a delivery and what came back.")
class WebhookAttempt:
    started_at: datetime = strawberry.field(description="When the request started.")
    duration_ms: int = strawberry.field(description="How long until the answer or failure.")
    http_status: int | None = strawberry.field(
        description="The endpoint's HTTP status; null when no answer came (see `error`)."
    )
    error: str | None = strawberry.field(
        description="Why no answer counted: a timeout, a refused connection, a refused "
        "address; null when the endpoint answered."
    )
    response_excerpt: str | None = strawberry.field(
        description="The first kilobyte of the response body."
    )

    @classmethod
    def from_model(cls, attempt: AttemptModel) -> "WebhookAttempt":
        return cls(
            started_at=attempt.started_at,
            duration_ms=attempt.duration_ms,
            http_status=attempt.http_status,
            error=attempt.error,
            response_excerpt=attempt.response_excerpt,
        )


@strawberry.type(description="One event for one endpoint, with every attempt so far.")
class WebhookDelivery(Node):
    event: WebhookEvent = strawberry.field(description="What is delivered.")
    status: DeliveryStatus = strawberry.field(description="Where it stands.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due; null unless PENDING."
    )
    delivered_at: datetime | None = strawberry.field(description="When the endpoint took it.")
    created_at: datetime = strawberry.field(description="When it was queued.")
    attempts: list[WebhookAttempt] = strawberry.field(description="Oldest first.")

    @classmethod
    def from_model(cls, delivery: DeliveryModel) -> "WebhookDelivery":
        attempts = sorted(delivery.attempt_log, key=lambda attempt: attempt.started_at)
        pending = delivery.status == DeliveryStatus.PENDING
        return cls(
            id=to_global_id("WebhookDelivery", delivery.id),
            event=WebhookEvent.from_model(delivery.event),
            status=delivery.status,
            next_attempt_at=delivery.next_attempt_at if pending else None,
            delivered_at=delivery.delivered_at,
            created_at=delivery.created_at,
            attempts=[WebhookAttempt.from_model(attempt) for attempt in attempts],
        )


@strawberry.type(description="A webhook endpoint in a list, with its cursor.")
class WebhookEndpointEdge:
    node: WebhookEndpoint = strawberry.field(description="The endpoint.")
    cursor: str = strawberry.field(description="Opaque position of this item.")


@strawberry.type(description="A page of webhook endpoints, newest first.")
class WebhookEndpointConnection:
    edges: list[WebhookEndpointEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is.")


@strawberry.type(description="A delivery in the log, with its cursor.")
class WebhookDeliveryEdge:
    node: WebhookDelivery = strawberry.field(description="The delivery.")
    cursor: str = strawberry.field(description="Opaque position of this item.")


@strawberry.type(description="A page of an endpoint's delivery log, newest first.")
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is.")


@strawberry.type(description="An event in the listing, with its cursor (its event id).")
class WebhookEventEdge:
    node: WebhookEvent = strawberry.field(description="The event.")
    cursor: str = strawberry.field(description="The event id: pass as `afterEventId`.")


@strawberry.type(description="A page of the practice's events, oldest first.")
class WebhookEventConnection:
    edges: list[WebhookEventEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is.")
