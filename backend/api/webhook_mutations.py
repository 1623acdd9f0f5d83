"""Registering and managing webhook endpoints, testing them, redelivering: people with
Manage Accounts, or API clients with webhooks:manage and staff:read."""

from datetime import datetime

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import UserError, denials_as_errors, user_errors
from backend.api.ids import NO_SUCH_ID, parse_id
from backend.api.permissions import allowing
from backend.api.webhook_types import WebhookDelivery, WebhookEndpoint, WebhookEvent
from backend.services import webhook_endpoints, webhook_log
from backend.services.caller import Access
from backend.services.errors import DomainError
from backend.services.webhook_endpoints import EndpointFields
from backend.webhooks.payloads import EventType

_ALLOWED = allowing(Access.WEBHOOKS_MANAGE)


@strawberry.input(description="A new webhook endpoint.")
class WebhookEndpointCreateInput:
    url: str = strawberry.field(
        description="Where to POST events: https:// (plain http only in development)."
    )
    event_types: list[EventType] = strawberry.field(
        description="The events to receive; at least one (not PING)."
    )
    description: str | None = strawberry.field(
        default=None, description="A note for administrators, at most 200 characters."
    )
    enabled: bool = strawberry.field(
        default=True,
        description="Whether events are delivered to it from the start; false registers it "
        "switched off (turn it on with webhookEndpointUpdate).",
    )


@strawberry.input(description="Changes to a webhook endpoint; omitted fields stay as they are.")
class WebhookEndpointUpdateInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")
    url: str | None = strawberry.field(default=None, description="A new URL.")
    event_types: list[EventType] | None = strawberry.field(
        default=None, description="The events to receive from now on."
    )
    description: str | None = strawberry.field(default=None, description="A new note.")
    enabled: bool | None = strawberry.field(
        default=None,
        description="Turn delivery off, or on again (which also resumes its waiting deliveries).",
    )


@strawberry.input(description="A webhook endpoint, by ID.")
class WebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")


@strawberry.input(description="A delivery of the log, by ID.")
class WebhookDeliveryRetryInput:
    id: strawberry.ID = strawberry.field(description="The delivery to send again.")


@strawberry.type(description="Result of webhookEndpointCreate and webhookEndpointRotateSecret.")
class WebhookEndpointSecretPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(description="The endpoint.")
    secret: str | None = strawberry.field(
        description="Its signing secret (whsec_…), shown this once: store it now and verify "
        "each request's webhook-signature with it."
    )
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="After a rotation: until when the previous secret still signs too."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type(description="Result of webhookEndpointUpdate.")
class WebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(description="The endpoint.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type(description="Result of webhookEndpointDelete.")
class WebhookEndpointDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="The endpoint deleted.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type(description="Result of webhookEndpointPing.")
class WebhookEndpointPingPayload:
    event: WebhookEvent | None = strawberry.field(description="The ping event, queued.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type(description="Result of webhookDeliveryRetry.")
class WebhookDeliveryRetryPayload:
    delivery: WebhookDelivery | None = strawberry.field(description="The delivery, due now.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Register a webhook endpoint; its signing secret is in the answer, and "
        "only there.",
        permission_classes=_ALLOWED,
    )
    async def webhook_endpoint_create(
        self, info: Info[Context, None], input: WebhookEndpointCreateInput
    ) -> WebhookEndpointSecretPayload:
        context = info.context
        data = EndpointFields(
            url=input.url,
            event_types=input.event_types,
            description=input.description,
            enabled=input.enabled,
        )
        try:
            issued = await denials_as_errors(
                lambda: webhook_endpoints.create(
                    caller=context.require_caller(), data=data, settings=context.settings
                )
            )
        except DomainError as error:
            return WebhookEndpointSecretPayload(
                webhook_endpoint=None,
                secret=None,
                previous_secret_expires_at=None,
                user_errors=user_errors(error),
            )
        return WebhookEndpointSecretPayload(
            webhook_endpoint=WebhookEndpoint.from_model(issued.endpoint),
            secret=issued.secret,
            previous_secret_expires_at=None,
            user_errors=[],
        )

    @strawberry.mutation(
        description="Change a webhook endpoint's URL, events, note, or whether it is enabled.",
        permission_classes=_ALLOWED,
    )
    async def webhook_endpoint_update(
        self, info: Info[Context, None], input: WebhookEndpointUpdateInput
    ) -> WebhookEndpointPayload:
        context = info.context
        data = EndpointFields(
            url=input.url,
            event_types=input.event_types,
            description=input.description,
            enabled=input.enabled,
        )
        try:
            endpoint = await denials_as_errors(
                lambda: webhook_endpoints.update(
                    caller=context.require_caller(),
                    endpoint_id=parse_id(input.id, "WebhookEndpoint") or NO_SUCH_ID,
                    data=data,
                    settings=context.settings,
                )
            )
        except DomainError as error:
            return WebhookEndpointPayload(webhook_endpoint=None, user_errors=user_errors(error))
        return WebhookEndpointPayload(
            webhook_endpoint=WebhookEndpoint.from_model(endpoint), user_errors=[]
        )

    @strawberry.mutation(
        description="Give an endpoint a new signing secret (in the answer, and only there); "
        "for 24 hours the previous secret signs beside it (two signatures in the header).",
        permission_classes=_ALLOWED,
    )
    async def webhook_endpoint_rotate_secret(
        self, info: Info[Context, None], input: WebhookEndpointInput
    ) -> WebhookEndpointSecretPayload:
        context = info.context
        try:
            issued = await denials_as_errors(
                lambda: webhook_endpoints.rotate_secret(
                    caller=context.require_caller(),
                    endpoint_id=parse_id(input.id, "WebhookEndpoint") or NO_SUCH_ID,
                    settings=context.settings,
                )
            )
        except DomainError as error:
            return WebhookEndpointSecretPayload(
                webhook_endpoint=None,
                secret=None,
                previous_secret_expires_at=None,
                user_errors=user_errors(error),
            )
        return WebhookEndpointSecretPayload(
            webhook_endpoint=WebhookEndpoint.from_model(issued.endpoint),
            secret=issued.secret,
            previous_secret_expires_at=issued.previous_secret_expires_at,
            user_errors=[],
        )

    @strawberry.mutation(
        description="Delete a webhook endpoint and its delivery log.",
        permission_classes=_ALLOWED,
    )
    async def webhook_endpoint_delete(
        self, info: Info[Context, None], input: WebhookEndpointInput
    ) -> WebhookEndpointDeletePayload:
        context = info.context
        try:
            await denials_as_errors(
                lambda: webhook_endpoints.delete(
                    caller=context.require_caller(),
                    endpoint_id=parse_id(input.id, "WebhookEndpoint") or NO_SUCH_ID,
                )
            )
        except DomainError as error:
            return WebhookEndpointDeletePayload(deleted_id=None, user_errors=user_errors(error))
        return WebhookEndpointDeletePayload(deleted_id=input.id, user_errors=[])

    @strawberry.mutation(
        description="Send a test event (type ping) to this endpoint, whatever it subscribes to.",
        permission_classes=_ALLOWED,
    )
    async def webhook_endpoint_ping(
        self, info: Info[Context, None], input: WebhookEndpointInput
    ) -> WebhookEndpointPingPayload:
        context = info.context
        try:
            event = await denials_as_errors(
                lambda: webhook_endpoints.ping(
                    caller=context.require_caller(),
                    endpoint_id=parse_id(input.id, "WebhookEndpoint") or NO_SUCH_ID,
                )
            )
        except DomainError as error:
            return WebhookEndpointPingPayload(event=None, user_errors=user_errors(error))
        return WebhookEndpointPingPayload(event=WebhookEvent.from_model(event), user_errors=[])

    @strawberry.mutation(
        description="Deliver an event to its endpoint again, now; the retry schedule starts over.",
        permission_classes=_ALLOWED,
    )
    async def webhook_delivery_retry(
        self, info: Info[Context, None], input: WebhookDeliveryRetryInput
    ) -> WebhookDeliveryRetryPayload:
        context = info.context
        try:
            delivery = await denials_as_errors(
                lambda: webhook_log.retry(
                    caller=context.require_caller(),
                    delivery_id=parse_id(input.id, "WebhookDelivery") or NO_SUCH_ID,
                )
            )
        except DomainError as error:
            return WebhookDeliveryRetryPayload(delivery=None, user_errors=user_errors(error))
        await delivery.fetch_related("event", "attempt_log")
        return WebhookDeliveryRetryPayload(
            delivery=WebhookDelivery.from_model(delivery), user_errors=[]
        )
