"""The outbox as the sender sees it: claim due messages, then record each outcome.

A claim is a lease (`claimed_until`) taken with a conditional UPDATE, so any
number of sender processes can drain the same table without sending a message
twice: only one UPDATE can match a free row.
"""

from datetime import UTC, datetime, timedelta

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from backend.models.outbox import OutboxMessage, OutboxStatus

MAX_RETRY_DELAY = timedelta(hours=1)
# OutboxMessage.last_error is a CharField(max_length=500).
LAST_ERROR_MAX_LENGTH = 500


def _due(now: datetime) -> Q:
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return Q(status=OutboxStatus.QUEUED, next_attempt_at__lte=now) & unclaimed


async def claim_due(*, limit: int, lease: timedelta) -> list[OutboxMessage]:
    """Lease up to `limit` due messages for this sender, oldest due first.

    One transaction of two statements, whatever `limit` is: the due rows are read and
    locked (PostgreSQL skips rows another sender has locked meanwhile), then leased with
    one UPDATE that repeats the due condition, a compare-and-set. SQLite has no row locks
    but runs one write transaction at a time; should the UPDATE still match fewer rows
    than were read, only the rows carrying this lease are kept."""
    now = datetime.now(UTC)
    claimed_until = now + lease
    async with in_transaction() as db:
        rows = await (
            OutboxMessage.filter(_due(now))
            .order_by("next_attempt_at", "id")
            .limit(limit)
            .select_for_update(skip_locked=True)
            .using_db(db)
        )
        if not rows:
            return []
        ids = [row.id for row in rows]
        won = (
            await OutboxMessage.filter(_due(now), id__in=ids)
            .using_db(db)
            .update(claimed_until=claimed_until)
        )
    if won == len(rows):
        return list(rows)
    return await OutboxMessage.filter(
        id__in=ids, status=OutboxStatus.QUEUED, claimed_until=claimed_until
    ).order_by("next_attempt_at", "id")


async def mark_sent(messages: list[OutboxMessage]) -> int:
    """Record a pass's delivered messages in one statement; returns how many were still
    queued (a row superseded meanwhile stays superseded)."""
    if not messages:
        return 0
    # The bodies carry the activation link: once delivered, nothing here needs it.
    return await OutboxMessage.filter(
        id__in=[message.id for message in messages], status=OutboxStatus.QUEUED
    ).update(
        status=OutboxStatus.SENT,
        sent_at=datetime.now(UTC),
        attempts=F("attempts") + 1,
        last_error=None,
        claimed_until=None,
        body_text=None,
        body_html=None,
        mime=None,
    )


async def mark_failed_attempt(
    message: OutboxMessage, *, error: str, max_attempts: int | None, retry_base_seconds: float
) -> OutboxStatus:
    """Count a failed attempt: retry later with exponential backoff (capped), or give up
    after `max_attempts` (never, when it is None)."""
    attempts = message.attempts + 1
    error = error[:LAST_ERROR_MAX_LENGTH]
    query = OutboxMessage.filter(id=message.id, status=OutboxStatus.QUEUED)
    if max_attempts is not None and attempts >= max_attempts:
        await query.update(
            status=OutboxStatus.FAILED,
            attempts=attempts,
            last_error=error,
            claimed_until=None,
            body_text=None,
            body_html=None,
            mime=None,
        )
        return OutboxStatus.FAILED
    await query.update(
        attempts=attempts,
        last_error=error,
        next_attempt_at=datetime.now(UTC) + retry_delay(attempts, retry_base_seconds),
        claimed_until=None,
    )
    return OutboxStatus.QUEUED


async def release(messages: list[OutboxMessage]) -> None:
    """Give unsent messages back without counting an attempt."""
    if messages:
        await OutboxMessage.filter(
            id__in=[message.id for message in messages], status=OutboxStatus.QUEUED
        ).update(claimed_until=None)


def retry_delay(attempts: int, base_seconds: float) -> timedelta:
    # Cap the exponent too: 2**attempts overflows a timedelta long before
    # mail_max_attempts could plausibly be reached.
    seconds = base_seconds * 2 ** min(attempts - 1, 32)
    return min(timedelta(seconds=seconds), MAX_RETRY_DELAY)
