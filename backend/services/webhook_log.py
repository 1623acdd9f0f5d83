"""What endpoints were sent and what came back: the delivery log, redelivery, and the
event listing a receiver that was down or disabled catches up from."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar
from uuid import UUID

from tortoise.expressions import Q

from backend.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from backend.services import audit
from backend.services.audit_log import decode_cursor, encode_cursor, page_size
from backend.services.caller import Caller
from backend.services.errors import DomainError, ErrorCode
from backend.services.webhook_endpoints import require_manager

DEFAULT_PAGE_SIZE = 25
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool


async def deliveries(
    *,
    caller: Caller,
    endpoint_id: UUID,
    status: DeliveryStatus | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[WebhookDelivery]:
    """An endpoint's deliveries, newest first, each with its attempts (oldest first)."""
    require_manager(caller)
    size = page_size(first, DEFAULT_PAGE_SIZE)
    # Another practice's endpoint reads as one without deliveries, as `node` reads it as
    # null: nothing tells whether the ID exists elsewhere.
    rows = WebhookDelivery.filter(endpoint_id=endpoint_id, endpoint__practice_id=caller.practice_id)
    if status is not None:
        rows = rows.filter(status=status)
    if after:
        created_at, delivery_id = decode_cursor(after)
        rows = rows.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=delivery_id)
        )
    found = list(
        await rows.order_by("-created_at", "-id")
        .limit(size + 1)
        .select_related("event")
        .prefetch_related("attempt_log")
    )
    items = found[:size]
    return Page(
        items=items,
        cursors=[encode_cursor(item.created_at, item.id) for item in items],
        has_next_page=len(found) > size,
    )


async def retry(*, caller: Caller, delivery_id: UUID) -> WebhookDelivery:
    """Deliver again now, whatever happened before (delivered, failed or waiting); the
    retry schedule starts over. A disabled endpoint's retry waits until it is enabled."""
    require_manager(caller)
    delivery = await WebhookDelivery.get_or_none(
        id=delivery_id, endpoint__practice_id=caller.practice_id
    )
    if delivery is None:
        raise DomainError.single(ErrorCode.NOT_FOUND, "This delivery does not exist.", ["id"])
    # Not while a worker holds it: its attempt is in flight and will be recorded.
    now = datetime.now(UTC)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    updated = await WebhookDelivery.filter(free, id=delivery.id).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, claimed_until=None
    )
    if not updated:
        raise DomainError.single(
            ErrorCode.INVALID_TRANSITION,
            "This delivery is being attempted right now. Look again in a few seconds.",
            ["id"],
        )
    await audit.record_by(caller, "webhook_delivery.retry", target_id=delivery.id)
    await delivery.refresh_from_db()
    return delivery


async def events_since(
    *, caller: Caller, after_event_id: UUID | None, first: int | None = None
) -> Page[WebhookEvent]:
    """The practice's events in the order they were recorded, after the given one (from the
    oldest kept when none is given): a receiver replays what it missed."""
    require_manager(caller)
    size = page_size(first, DEFAULT_PAGE_SIZE)
    rows = WebhookEvent.filter(practice_id=caller.practice_id)
    if after_event_id is not None:
        last = await WebhookEvent.get_or_none(id=after_event_id, practice_id=caller.practice_id)
        if last is None:
            raise DomainError.single(
                ErrorCode.NOT_FOUND,
                "There is no such event (or it is older than the 30 days events are kept).",
                ["afterEventId"],
            )
        rows = rows.filter(
            Q(created_at__gt=last.created_at) | Q(created_at=last.created_at, id__gt=last.id)
        )
    found = list(await rows.order_by("created_at", "id").limit(size + 1))
    items = found[:size]
    return Page(
        items=items,
        cursors=[str(item.id) for item in items],
        has_next_page=len(found) > size,
    )
