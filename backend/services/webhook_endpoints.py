"""Webhook endpoints of a practice: register, change, rotate the secret, delete, test.

Managed by people with Manage Accounts, or by an API client with webhooks:manage and
staff:read: an endpoint receives every staff member's record, so without staff:read it
would let a client read what its scopes do not allow."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.models import WebhookEndpoint, WebhookEvent
from backend.services import audit
from backend.services.audit_log import decode_cursor, encode_cursor, page_size
from backend.services.caller import Access, Caller
from backend.services.errors import DomainError, ErrorCode, ErrorCollector
from backend.webhooks import events, signing, ssrf
from backend.webhooks.payloads import Actor, EventType

DESCRIPTION_MAX_LENGTH = 200
# After a rotation the old secret keeps signing beside the new one for this long, so a
# receiver can switch to the new secret without dropping events meanwhile.
ROTATION_OVERLAP = timedelta(hours=24)
SUBSCRIBABLE = tuple(event_type for event_type in EventType if event_type is not EventType.PING)
DEFAULT_PAGE_SIZE = 25


@dataclass(frozen=True, kw_only=True)
class EndpointFields:
    """What a create or an update gives; None leaves a field as it is (on update)."""

    url: str | None = None
    event_types: Sequence[EventType] | None = None
    description: str | None = None
    enabled: bool | None = None


@dataclass(frozen=True)
class IssuedEndpointSecret:
    """An endpoint and its new signing secret: the only time the secret is seen."""

    endpoint: WebhookEndpoint
    secret: str
    previous_secret_expires_at: datetime | None = None


def require_manager(caller: Caller) -> None:
    """People with Manage Accounts; API clients with webhooks:manage and staff:read."""
    caller.require(Access.WEBHOOKS_MANAGE)
    caller.require(Access.STAFF_READ)


async def _clean(data: EndpointFields, settings: Settings, *, creating: bool) -> dict[str, object]:
    errors = ErrorCollector()
    values: dict[str, object] = {}
    if data.url is not None or creating:
        url = (data.url or "").strip()
        problem = "Give the endpoint's URL." if not url else ssrf.url_problem(url, settings)
        if problem is None and url:
            problem = await ssrf.refusal(url, settings)
        if problem:
            errors.add(ErrorCode.REQUIRED if not url else ErrorCode.INVALID, problem, "url")
        values["url"] = url
    if data.event_types is not None or creating:
        chosen = list(data.event_types or [])
        if not chosen:
            errors.add(ErrorCode.REQUIRED, "Subscribe to at least one event type.", "eventTypes")
        elif EventType.PING in chosen:
            errors.add(
                ErrorCode.INVALID,
                "ping is sent on request (webhookEndpointPing), not subscribed to.",
                "eventTypes",
            )
        values["event_types"] = sorted({event_type.value for event_type in chosen})
    if data.description is not None:
        description = data.description.strip()
        if len(description) > DESCRIPTION_MAX_LENGTH:
            errors.add(
                ErrorCode.TOO_LONG,
                f"The description is longer than {DESCRIPTION_MAX_LENGTH} characters.",
                "description",
            )
        values["description"] = description
    if data.enabled is not None:
        values["enabled"] = data.enabled
        if data.enabled:
            # Turned on again by a person: the failure clock starts afresh.
            values["disabled_reason"] = None
            values["failing_since"] = None
    errors.raise_if_any()
    return values


async def create(
    *, caller: Caller, data: EndpointFields, settings: Settings
) -> IssuedEndpointSecret:
    require_manager(caller)
    values = await _clean(data, settings, creating=True)
    secret = signing.new_secret()
    async with in_transaction() as db:
        endpoint = await WebhookEndpoint.create(
            using_db=db,
            practice_id=caller.practice_id,
            secret_encrypted=signing.seal(secret, settings),
            **values,
        )
        await audit.record_by(caller, "webhook_endpoint.create", target_id=endpoint.id, using_db=db)
    return IssuedEndpointSecret(endpoint=endpoint, secret=secret)


async def update(
    *, caller: Caller, endpoint_id: UUID, data: EndpointFields, settings: Settings
) -> WebhookEndpoint:
    require_manager(caller)
    values = await _clean(data, settings, creating=False)
    async with in_transaction() as db:
        endpoint = await _endpoint(caller, endpoint_id, lock=True, db=db)
        if values:
            await WebhookEndpoint.filter(id=endpoint.id).using_db(db).update(**values)
            await endpoint.refresh_from_db(using_db=db)
        await audit.record_by(
            caller,
            "webhook_endpoint.update",
            target_id=endpoint.id,
            details={"fields": sorted(values)},
            using_db=db,
        )
    return endpoint


async def rotate_secret(
    *, caller: Caller, endpoint_id: UUID, settings: Settings, now: datetime | None = None
) -> IssuedEndpointSecret:
    """A new secret; the current one keeps signing beside it for ROTATION_OVERLAP."""
    require_manager(caller)
    now = now or datetime.now(UTC)
    secret = signing.new_secret()
    overlap_ends = now + ROTATION_OVERLAP
    async with in_transaction() as db:
        endpoint = await _endpoint(caller, endpoint_id, lock=True, db=db)
        await (
            WebhookEndpoint.filter(id=endpoint.id)
            .using_db(db)
            .update(
                secret_encrypted=signing.seal(secret, settings),
                previous_secret_encrypted=endpoint.secret_encrypted,
                previous_secret_expires_at=overlap_ends,
            )
        )
        await endpoint.refresh_from_db(using_db=db)
        await audit.record_by(
            caller, "webhook_endpoint.rotate_secret", target_id=endpoint.id, using_db=db
        )
    return IssuedEndpointSecret(
        endpoint=endpoint, secret=secret, previous_secret_expires_at=overlap_ends
    )


async def delete(*, caller: Caller, endpoint_id: UUID) -> UUID:
    """The endpoint and its delivery log go; the practice's events stay (other endpoints')."""
    require_manager(caller)
    async with in_transaction() as db:
        endpoint = await _endpoint(caller, endpoint_id, lock=True, db=db)
        await WebhookEndpoint.filter(id=endpoint.id).using_db(db).delete()
        await audit.record_by(caller, "webhook_endpoint.delete", target_id=endpoint.id, using_db=db)
    return endpoint.id


async def ping(*, caller: Caller, endpoint_id: UUID) -> WebhookEvent:
    """Queue a `ping` event for this endpoint only, whatever it subscribes to."""
    require_manager(caller)
    async with in_transaction() as db:
        endpoint = await _endpoint(caller, endpoint_id, lock=True, db=db)
        return await events.record(
            type=EventType.PING,
            practice_id=caller.practice_id,
            actor=Actor.of(caller),
            resource_id=endpoint.id,
            data={"endpointId": str(endpoint.id)},
            using_db=db,
            endpoint_ids=[endpoint.id],
        )


async def get(*, caller: Caller, endpoint_id: UUID) -> WebhookEndpoint | None:
    require_manager(caller)
    return await WebhookEndpoint.get_or_none(id=endpoint_id, practice_id=caller.practice_id)


@dataclass(frozen=True)
class EndpointPage:
    items: list[WebhookEndpoint]
    cursors: list[str]
    has_next_page: bool


async def list_endpoints(
    *, caller: Caller, first: int | None = None, after: str | None = None
) -> EndpointPage:
    """The practice's endpoints, newest first; keyset cursors on (created_at, id)."""
    require_manager(caller)
    size = page_size(first, DEFAULT_PAGE_SIZE)
    rows = WebhookEndpoint.filter(practice_id=caller.practice_id)
    if after:
        created_at, endpoint_id = decode_cursor(after)
        rows = rows.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=endpoint_id)
        )
    found = list(await rows.order_by("-created_at", "-id").limit(size + 1))
    items = found[:size]
    return EndpointPage(
        items=items,
        cursors=[encode_cursor(item.created_at, item.id) for item in items],
        has_next_page=len(found) > size,
    )


async def _endpoint(
    caller: Caller, endpoint_id: UUID, *, lock: bool, db: BaseDBAsyncClient
) -> WebhookEndpoint:
    query = WebhookEndpoint.filter(id=endpoint_id, practice_id=caller.practice_id).using_db(db)
    if lock:
        query = query.select_for_update()
    endpoint = await query.first()
    if endpoint is None:
        raise DomainError.single(
            ErrorCode.NOT_FOUND, "This webhook endpoint does not exist.", ["id"]
        )
    return endpoint
