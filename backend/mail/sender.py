"""Drains the outbox over SMTP: leases against double sending, one connection kept open
while a backlog lasts, and each pass's deliveries recorded in one statement."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import aiosmtplib

from backend.config import Settings
from backend.db_errors import is_database_unavailable
from backend.mail import claims
from backend.mail.body_crypto import decrypt_body
from backend.mail.mime import build_message, envelope_sender
from backend.mail.smtp_errors import (
    describe_connect_error,
    describe_invalid_message,
    describe_send_error,
    is_connection_lost,
    is_refusal,
)
from backend.models.outbox import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

_LEASE_MARGIN_SECONDS = 2.0
# Deliveries are recorded this many at a time (and at the end of a pass): one UPDATE per
# ten messages, and should the process die, at most ten are sent again after the lease.
RECORD_EVERY = 10


class OutboxSender:
    def __init__(
        self,
        settings: Settings,
        *,
        batch_size: int = 50,
        poll_seconds: float = 1.0,
        lease_seconds: float = 60.0,
        queue_left_behind: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        # A message is only sent while its lease has at least one SMTP timeout
        # left, so that another worker cannot claim it in the middle of a send.
        if lease_seconds <= settings.smtp_timeout_seconds:
            raise ValueError("lease_seconds must exceed smtp_timeout_seconds")
        self._settings = settings
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._lease = timedelta(seconds=lease_seconds)
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        # Work whose email a stopped process may have left unqueued (a password reset
        # request answered just before): queued before each pass, so nothing is lost.
        self._queue_left_behind = queue_left_behind
        # Kept open from one pass to the next while full batches show a backlog, so that a
        # drain does not pay a connection and EHLO (and STARTTLS) per batch.
        self._smtp = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )

    def wake(self) -> None:
        """Start the next pass now, e.g. right after a transaction queued an email."""
        self._wake.set()

    def stop(self) -> None:
        """Ask `run` to end: the message being sent is finished, the others this pass
        claimed are released for another sender, and `run` returns (a worker's SIGTERM)."""
        self._stop.set()
        self._wake.set()

    async def run(self) -> None:
        logger.info("outbox sender started")
        try:
            await self._run()
        finally:
            # Cancelled (the app's lifespan) or stopped: no connection stays open. No QUIT
            # here, which would await during a cancellation.
            self._smtp.close()
        logger.info("outbox sender stopped")

    async def _run(self) -> None:
        while not self._stop.is_set():
            claimed = 0
            try:
                claimed, _ = await self._pass(keep_connection=True)
            except Exception as failure:
                # Whatever failed, the next pass starts on a fresh connection.
                self._smtp.close()
                # The database or the network may be down for a while: keep
                # polling, the leases of this pass expire on their own.
                if is_database_unavailable(failure):
                    # One line a poll, not a traceback a second, while it is down.
                    logger.warning("outbox pass failed: the database is unavailable")
                else:
                    logger.exception("outbox pass failed")
            _raise_if_cancel_was_swallowed()
            # A full batch suggests more is due: drain without waiting.
            if claimed < self._batch_size and not self._stop.is_set():
                await self._idle()

    async def send_due(self, *, keep_connection: bool = False) -> int:
        """Send what is due, once; return how many messages were delivered. With
        `keep_connection`, a full batch leaves the SMTP connection open for the next call,
        as `run` does (then `close` it when done)."""
        _, sent = await self._pass(keep_connection=keep_connection)
        return sent

    async def close(self) -> None:
        """Close the SMTP connection a pass left open, if any."""
        await _close(self._smtp)

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._poll_seconds):
                await self._wake.wait()
        self._wake.clear()

    async def _pass(self, *, keep_connection: bool = False) -> tuple[int, int]:
        if self._queue_left_behind is not None:
            await self._queue_left_behind()
        messages = await claims.claim_due(limit=self._batch_size, lease=self._lease)
        if not messages:
            await _close(self._smtp)
            return 0, 0
        loop = asyncio.get_running_loop()
        # No SMTP exchange may outlive the lease (another worker could then claim the
        # message and send it again): every connect and send is cut at `hard_deadline`,
        # and no new send starts after `send_until`.
        hard_deadline = loop.time() + self._lease.total_seconds() - _LEASE_MARGIN_SECONDS
        send_until = hard_deadline - self._settings.smtp_timeout_seconds
        try:
            sent = await _Pass(
                self._settings,
                self._smtp,
                messages,
                send_until,
                hard_deadline,
                stopping=self._stop.is_set,
            ).deliver()
        finally:
            # A full batch means more is due: the next pass goes on on this connection.
            backlog = keep_connection and len(messages) == self._batch_size
            if not backlog or self._stop.is_set():
                await _close(self._smtp)
        return len(messages), sent


class _Pass:
    """The messages claimed by one pass, over the sender's SMTP connection (opened if it is
    not; reopened at most once, or twice when the pass began on a connection kept from the
    last one, which the server may have closed or counted messages on). Deliveries are
    recorded RECORD_EVERY at a time: should the process die in between, those are sent
    again once the lease expires, with the same Message-ID so that receivers can drop the
    duplicate."""

    def __init__(
        self,
        settings: Settings,
        smtp: aiosmtplib.SMTP,
        messages: list[OutboxMessage],
        send_until: float,
        hard_deadline: float,
        *,
        stopping: Callable[[], bool] = lambda: False,
    ):
        self._settings = settings
        self._stopping = stopping
        self._pending = list(messages)
        self._unrecorded: list[OutboxMessage] = []
        self._delivered = 0
        self._send_until = send_until
        self._hard_deadline = hard_deadline
        self._reconnects_left = 2 if smtp.is_connected else 1
        self._smtp = smtp

    async def deliver(self) -> int:
        try:
            await self._deliver()
        finally:
            await self._record_sent()
        return self._delivered

    async def _deliver(self) -> None:
        if not self._smtp.is_connected and not await self._connect():
            return
        while self._pending:
            if self._stopping():
                logger.info("outbox sender stopping, releasing %d", len(self._pending))
                await claims.release(self._pending)
                return
            if asyncio.get_running_loop().time() > self._send_until:
                logger.warning("outbox lease running out, releasing %d", len(self._pending))
                await claims.release(self._pending)
                return
            if not self._smtp.is_connected and not await self._reconnect():
                return
            await self._send(self._pending[0])
            if len(self._unrecorded) >= RECORD_EVERY:
                await self._record_sent()

    async def _record_sent(self) -> None:
        sent, self._unrecorded = self._unrecorded, []
        if not sent:
            return
        recorded = await claims.mark_sent(sent)
        for message in sent:
            logger.info("outbox message %s sent", message.id)
        if recorded < len(sent):
            logger.warning(
                "%d outbox messages sent, but their rows were no longer queued",
                len(sent) - recorded,
            )

    async def _send(self, message: OutboxMessage) -> None:
        rendered = None
        try:
            rendered = decrypt_body(message.mime, self._settings)
            async with asyncio.timeout_at(self._hard_deadline):
                if rendered is not None:
                    await self._smtp.sendmail(
                        envelope_sender(self._settings), [message.recipient], rendered.encode()
                    )
                else:
                    # Queued before messages were rendered when queued, or not renderable.
                    mime = build_message(message, settings=self._settings, now=_now())
                    await self._smtp.send_message(mime, recipients=[message.recipient])
        except TimeoutError:
            self._smtp.close()
            await self._fail(
                message, "SMTP server too slow: the send was cut off", server_fault=True
            )
            return
        except ValueError as exc:
            # A malformed address or header. Built here, found before anything reached the
            # server; from sendmail, possibly after MAIL FROM: that session is not reused.
            if rendered is not None:
                self._smtp.close()
            await self._fail(message, describe_invalid_message(exc))
            return
        except aiosmtplib.SMTPException as exc:
            if is_connection_lost(exc) and self._reconnects_left > 0:
                # Typically an idle timeout or a per-connection message limit,
                # met at MAIL FROM: retry this message on a fresh connection.
                logger.info("SMTP connection lost at outbox message %s", message.id)
                self._smtp.close()
                return
            if not is_refusal(exc):
                # A timeout or a dropped line leaves the session in an unknown
                # state: the next message gets a fresh connection (or none).
                self._smtp.close()
            await self._fail(message, describe_send_error(exc))
            return
        self._unrecorded.append(self._pending.pop(0))
        self._delivered += 1

    async def _connect(self) -> bool:
        try:
            async with asyncio.timeout_at(self._hard_deadline):
                await self._smtp.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            # OSError covers TimeoutError from the deadline.
            error = describe_connect_error(exc)
            logger.warning("%s; %d outbox messages wait", error, len(self._pending))
            while self._pending:
                await self._fail(self._pending[0], error, server_fault=True)
            return False
        return True

    async def _reconnect(self) -> bool:
        if self._reconnects_left == 0:
            error = "SMTP server closed the connection"
            while self._pending:
                await self._fail(self._pending[0], error, server_fault=True)
            return False
        self._reconnects_left -= 1
        self._smtp.close()
        return await self._connect()

    async def _fail(
        self, message: OutboxMessage, error: str, *, server_fault: bool = False
    ) -> None:
        """Count a failed attempt. When the server, not the message, is at fault (down,
        unreachable, hanging up), the message is retried until it returns, never given up:
        an outage must lose no email."""
        self._pending.remove(message)
        outcome = await claims.mark_failed_attempt(
            message,
            error=error,
            max_attempts=None if server_fault else self._settings.mail_max_attempts,
            retry_base_seconds=self._settings.mail_retry_base_seconds,
        )
        if outcome is OutboxStatus.FAILED:
            logger.error("outbox message %s failed for good: %s", message.id, error)
        else:
            logger.warning("outbox message %s attempt failed: %s", message.id, error)


async def _close(smtp: aiosmtplib.SMTP) -> None:
    if not smtp.is_connected:
        return
    try:
        await smtp.quit()
    except aiosmtplib.SMTPException:
        smtp.close()


def _raise_if_cancel_was_swallowed() -> None:
    # On Python 3.11, asyncio.wait_for (used inside asyncpg and aiosmtplib)
    # drops a cancellation that arrives just as its inner future completes.
    # The request is still counted on the task: honour it, or shutdown hangs.
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _now() -> datetime:
    return datetime.now(UTC)
