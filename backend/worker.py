"""`staff-accounts worker`: delivers queued email and webhooks, and prunes old rows on a
schedule, until SIGTERM or SIGINT asks it to stop. It then finishes the message and the
webhook requests in flight, gives back the messages it claimed but did not send, and
returns, so that the process exits 0 within seconds (a deploy's or an orchestrator's
stop)."""

import asyncio
import contextlib
import logging
import signal
from datetime import UTC, datetime

from backend.config import Settings
from backend.db_errors import is_database_unavailable
from backend.mail.sender import OutboxSender
from backend.services import password_reset, retention
from backend.webhooks.sender import WebhookSender

logger = logging.getLogger(__name__)

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def run_worker(settings: Settings) -> None:
    sender = OutboxSender(
        settings,
        poll_seconds=settings.mail_poll_seconds,
        queue_left_behind=password_reset.left_behind_sweep(settings),
    )
    webhooks = WebhookSender(settings, poll_seconds=settings.mail_poll_seconds)
    stop = asyncio.Event()

    def request_stop() -> None:
        logger.info("stop requested: finishing the message in flight")
        stop.set()
        sender.stop()
        webhooks.stop()

    loop = asyncio.get_running_loop()
    for stop_signal in _STOP_SIGNALS:
        loop.add_signal_handler(stop_signal, request_stop)
    pruning = asyncio.create_task(prune_on_schedule(settings, stop), name="retention")
    # Requests in flight finish (10 s at most); their deliveries' leases then lapse.
    delivering = asyncio.create_task(webhooks.run(), name="webhook-sender")
    try:
        await sender.run()
    finally:
        stop.set()
        webhooks.stop()
        await delivering
        for stop_signal in _STOP_SIGNALS:
            loop.remove_signal_handler(stop_signal)
        # A prune in progress is a series of short DELETEs: cutting it off loses nothing.
        pruning.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pruning


async def prune_on_schedule(settings: Settings, stop: asyncio.Event) -> None:
    """Prune at start, then every RETENTION_INTERVAL_MINUTES, until `stop` is set."""
    while not stop.is_set():
        await prune_once(settings)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(settings.retention_interval_minutes * 60):
                await stop.wait()


async def prune_once(settings: Settings) -> None:
    try:
        report = await retention.prune(settings=settings, now=datetime.now(UTC))
    except Exception as failure:
        # The next run tries again; pruning late costs nothing but space.
        if is_database_unavailable(failure):
            logger.warning("pruning skipped: the database is unavailable")
        else:
            logger.exception("pruning failed")
        return
    counts = ", ".join(f"{table} {count}" for table, count in report.deleted.items())
    logger.info("pruned old rows: %s", counts)
