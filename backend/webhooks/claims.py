"""Deliveries as the worker sees them: lease the due ones, then record each attempt.

A lease (`claimed_until`) is taken as for email (backend/mail/claims.py): the due rows are
read FOR UPDATE SKIP LOCKED on PostgreSQL and leased with one UPDATE that repeats the due
condition, so two workers never hold the same delivery. Every outcome is written only
while this worker's lease is still the row's, so a worker that lost its lease (it stalled
past it) cannot overwrite what the next one did."""

from datetime import datetime, timedelta

from tortoise.expressions import Q, Subquery
from tortoise.functions import Min
from tortoise.transactions import in_transaction

from backend.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def _due(now: datetime) -> Q:
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    # A disabled endpoint's deliveries wait: enabling it again resumes them.
    enabled = Q(endpoint_id__in=Subquery(WebhookEndpoint.filter(enabled=True).values("id")))
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) & unclaimed & enabled


async def claim_due(
    *, limit: int, share: int, lease: timedelta, now: datetime
) -> list[WebhookDelivery]:
    """Lease up to `limit` due deliveries, at most `share` of them per endpoint: the
    endpoints whose oldest due delivery waited longest first, each its oldest first. So
    one endpoint's backlog (a bulk import, a receiver that times out) cannot fill every
    pass while other endpoints' deliveries wait."""
    claimed_until = now + lease
    async with in_transaction() as db:
        endpoint_ids = await (
            WebhookDelivery.filter(_due(now))
            .using_db(db)
            .annotate(first_due=Min("next_attempt_at"))
            .group_by("endpoint_id")
            .order_by("first_due")
            .limit(limit)
            .values_list("endpoint_id", flat=True)
        )
        rows: list[WebhookDelivery] = []
        for endpoint_id in endpoint_ids:
            if len(rows) >= limit:
                break
            rows += await (
                WebhookDelivery.filter(_due(now), endpoint_id=endpoint_id)
                .order_by("next_attempt_at", "id")
                .limit(min(share, limit - len(rows)))
                .select_for_update(skip_locked=True, of=("webhook_delivery",))
                .using_db(db)
            )
        if not rows:
            return []
        ids = [row.id for row in rows]
        won = (
            await WebhookDelivery.filter(_due(now), id__in=ids)
            .using_db(db)
            .update(claimed_until=claimed_until)
        )
    query = WebhookDelivery.filter(id__in=ids, claimed_until=claimed_until)
    if won != len(rows):
        query = query.filter(status=DeliveryStatus.PENDING)
    return list(await query.select_related("event", "endpoint").order_by("next_attempt_at", "id"))


def held(delivery: WebhookDelivery) -> Q:
    """The delivery still leased by this worker, as it claimed it."""
    return Q(id=delivery.id, status=DeliveryStatus.PENDING, claimed_until=delivery.claimed_until)


async def release(deliveries: list[WebhookDelivery]) -> None:
    """Give back claimed deliveries that were not attempted: due again at the next pass,
    their attempt count untouched (only while this worker still holds them)."""
    if deliveries:  # one pass's deliveries share one lease
        await WebhookDelivery.filter(
            id__in=[delivery.id for delivery in deliveries],
            status=DeliveryStatus.PENDING,
            claimed_until=deliveries[0].claimed_until,
        ).update(claimed_until=None)
