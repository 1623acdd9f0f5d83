"""What an attempt's outcome changes: the delivery (delivered, retried, given up) and its
endpoint (healthy again, disabled by 410 Gone, disabled after failing for days)."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.mail.notices import Notice
from backend.models import (
    DeliveryStatus,
    StaffMember,
    StaffStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from backend.services import notices
from backend.services.managers import manager_role_ids
from backend.webhooks import schedule
from backend.webhooks.claims import held

EXCERPT_BYTES = 1024
ERROR_MAX_LENGTH = 500
DISABLED_NOTICE_KIND = "webhook_disabled"


@dataclass(frozen=True)
class AttemptResult:
    started_at: datetime
    duration: timedelta
    http_status: int | None = None
    error: str | None = None
    response_excerpt: str | None = None
    timed_out: bool = False

    @property
    def succeeded(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300

    @property
    def gone(self) -> bool:
        return self.http_status == 410


async def record_attempt(
    delivery: WebhookDelivery,
    result: AttemptResult,
    *,
    now: datetime,
    settings: Settings,
    rng: random.Random | None = None,
) -> DeliveryStatus | None:
    """Log the attempt and move the delivery on; None when the lease was lost meanwhile
    (then nothing is written: the worker that holds it now owns the outcome)."""
    endpoint = delivery.endpoint
    attempts = delivery.attempts + 1
    async with in_transaction() as db:
        if result.succeeded:
            status, changes = DeliveryStatus.DELIVERED, {"delivered_at": now}
        elif result.gone:
            status, changes = DeliveryStatus.FAILED, {}
        else:
            retry_at = schedule.next_attempt_at(attempts, now, rng=rng)
            status = DeliveryStatus.PENDING if retry_at else DeliveryStatus.FAILED
            changes = {"next_attempt_at": retry_at} if retry_at else {}
        updated = (
            await WebhookDelivery.filter(held(delivery))
            .using_db(db)
            .update(status=status, attempts=attempts, claimed_until=None, **changes)
        )
        if not updated:
            return None
        await WebhookAttempt.create(
            using_db=db,
            delivery_id=delivery.id,
            started_at=result.started_at,
            duration_ms=int(result.duration.total_seconds() * 1000),
            http_status=result.http_status,
            error=(result.error or "")[:ERROR_MAX_LENGTH] or None,
            response_excerpt=result.response_excerpt,
        )
        endpoints = WebhookEndpoint.filter(id=endpoint.id).using_db(db)
        if result.succeeded:
            await endpoints.filter(failing_since__not_isnull=True).update(failing_since=None)
        elif result.gone:
            await endpoints.filter(enabled=True).update(enabled=False, disabled_reason="GONE")
        else:
            await endpoints.filter(failing_since__isnull=True).update(failing_since=now)
            current = await endpoints.get()
            if (
                current.enabled
                and current.failing_since is not None
                and schedule.should_disable(current.failing_since, now)
            ):
                disabled = await endpoints.filter(enabled=True).update(
                    enabled=False, disabled_reason="FAILING"
                )
                if disabled:
                    await _tell_managers(current, settings, db)
    return status


async def record_delivered(
    delivered: list[tuple[WebhookDelivery, AttemptResult]], *, now: datetime
) -> int:
    """The successes of one pass, in one transaction of a few statements whatever their
    number (a pass's deliveries share one lease); deliveries whose lease was lost meanwhile
    are left to the worker that holds them. Returns how many were recorded."""
    if not delivered:
        return 0
    by_id = {delivery.id: (delivery, result) for delivery, result in delivered}
    async with in_transaction() as db:
        held_ids = [delivery.id for delivery, _ in delivered]
        still_held: list[UUID] = [
            UUID(str(delivery_id))
            for delivery_id in await WebhookDelivery.filter(
                id__in=held_ids,
                status=DeliveryStatus.PENDING,
                claimed_until=delivered[0][0].claimed_until,
            )
            .using_db(db)
            .select_for_update()
            .values_list("id", flat=True)
        ]
        if not still_held:
            return 0
        await (
            WebhookDelivery.filter(id__in=still_held)
            .using_db(db)
            .update(
                status=DeliveryStatus.DELIVERED,
                attempts=F("attempts") + 1,
                claimed_until=None,
                delivered_at=now,
            )
        )
        await WebhookAttempt.bulk_create(
            [
                WebhookAttempt(
                    delivery_id=delivery_id,
                    started_at=by_id[delivery_id][1].started_at,
                    duration_ms=int(by_id[delivery_id][1].duration.total_seconds() * 1000),
                    http_status=by_id[delivery_id][1].http_status,
                    response_excerpt=by_id[delivery_id][1].response_excerpt,
                )
                for delivery_id in still_held
            ],
            using_db=db,
        )
        endpoint_ids = {by_id[delivery_id][0].endpoint_id for delivery_id in still_held}
        await (
            WebhookEndpoint.filter(id__in=list(endpoint_ids), failing_since__not_isnull=True)
            .using_db(db)
            .update(failing_since=None)
        )
    return len(still_held)


async def _tell_managers(
    endpoint: WebhookEndpoint, settings: Settings, db: BaseDBAsyncClient
) -> None:
    roles = await manager_role_ids(endpoint.practice_id, db)
    managers = await StaffMember.filter(
        practice_id=endpoint.practice_id, status=StaffStatus.ACTIVE, role_id__in=list(roles)
    ).using_db(db)
    notice = Notice(
        subject="A webhook endpoint was disabled",
        paragraphs=(
            f"The webhook endpoint {endpoint.url} of {{practice}} has not accepted an event "
            f"for {schedule.DISABLE_AFTER_FAILING.days} days, so it was disabled. "
            "Its events are kept: once the receiver works again, enable the endpoint "
            "(or retry the failed deliveries) from the delivery log.",
        ),
        warn=False,
    )
    for manager in managers:
        await notices.send(
            manager, notice, settings=settings, kind=DISABLED_NOTICE_KIND, using_db=db
        )
