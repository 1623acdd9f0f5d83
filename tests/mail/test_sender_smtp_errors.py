import asyncio
from dataclasses import replace

from backend.config import Settings
from backend.mail.sender import OutboxSender
from backend.models import OutboxMessage, OutboxStatus, Practice
from tests.mail.factories import queue_activation
from tests.mail.smtp_servers import PickyServer, running


async def test_a_refused_recipient_is_recorded_and_the_pass_goes_on(
    practice: Practice, settings: Settings
) -> None:
    server = PickyServer()
    bounced = await queue_activation(practice, settings=settings, recipient="bounce@example.com")
    fine = await queue_activation(practice, settings=settings, recipient="fine@example.com")

    with running(server) as port:
        sent = await OutboxSender(replace(settings, smtp_port=port)).send_due()

    assert sent == 1
    assert server.delivered == ["fine@example.com"]
    assert server.connections == 1
    row = await OutboxMessage.get(id=bounced.id)
    assert row.status is OutboxStatus.QUEUED
    assert row.attempts == 1
    assert row.last_error == "Recipient refused: 550 5.1.1 No such user here"
    assert (await OutboxMessage.get(id=fine.id)).status is OutboxStatus.SENT


async def test_a_dropped_connection_is_reopened_once_and_the_message_retried(
    practice: Practice, settings: Settings
) -> None:
    server = PickyServer(per_connection=3)
    for number in range(5):
        await queue_activation(practice, settings=settings, recipient=f"user{number}@example.com")

    with running(server) as port:
        sent = await OutboxSender(replace(settings, smtp_port=port)).send_due()

    assert sent == 5
    assert server.connections == 2
    assert sorted(server.delivered) == [f"user{number}@example.com" for number in range(5)]
    rows = await OutboxMessage.all()
    assert {(row.status, row.attempts, row.last_error) for row in rows} == {
        (OutboxStatus.SENT, 1, None)
    }


async def test_a_second_drop_ends_the_pass_and_counts_an_attempt_for_the_rest(
    practice: Practice, settings: Settings
) -> None:
    server = PickyServer(per_connection=2)
    for number in range(6):
        await queue_activation(practice, settings=settings, recipient=f"user{number}@example.com")

    with running(server) as port:
        sent = await OutboxSender(replace(settings, smtp_port=port)).send_due()

    assert sent == 4
    assert server.connections == 2
    waiting = await OutboxMessage.filter(status=OutboxStatus.QUEUED).order_by("recipient")
    assert [(row.recipient, row.attempts) for row in waiting] == [
        ("user4@example.com", 1),
        ("user5@example.com", 1),
    ]
    assert waiting[0].last_error == (
        "SMTP server closing the connection: 421 4.7.0 Too many messages on this connection"
    )
    assert waiting[1].last_error == "SMTP server closed the connection"


class SlowServer(PickyServer):
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        await asyncio.sleep(3)
        return await super().handle_DATA(server, session, envelope)


async def test_a_send_never_outlives_its_lease(practice: Practice, settings: Settings) -> None:
    # aiosmtplib's timeout applies per command, so a slow server could keep one send busy
    # for several timeouts; the lease deadline cuts it before another worker may claim it.
    message = await queue_activation(practice, settings=settings)
    slow = replace(settings, smtp_timeout_seconds=1.0)
    with running(SlowServer()) as port:
        started = asyncio.get_running_loop().time()
        sent = await OutboxSender(replace(slow, smtp_port=port), lease_seconds=3.5).send_due()
        elapsed = asyncio.get_running_loop().time() - started
    assert sent == 0
    assert elapsed < 3.5
    row = await OutboxMessage.get(id=message.id)
    assert (row.status, row.attempts) == (OutboxStatus.QUEUED, 1)
    assert row.last_error == "SMTP server too slow: the send was cut off"


async def test_a_backlog_is_drained_over_one_connection_closed_when_idle(
    practice: Practice, settings: Settings
) -> None:
    """Full batches show a backlog: the next pass goes on on the same connection, and the
    connection is closed once a pass finds less than a batch (nothing held open idle)."""
    server = PickyServer()
    for number in range(5):
        await queue_activation(practice, settings=settings, recipient=f"user{number}@example.com")

    with running(server) as port:
        sender = OutboxSender(replace(settings, smtp_port=port), batch_size=2, poll_seconds=0.05)
        running_sender = asyncio.create_task(sender.run())
        async with asyncio.timeout(20):
            while await OutboxMessage.filter(status=OutboxStatus.SENT).count() < 5:
                await asyncio.sleep(0.02)
        # One more message after the drain: a pass of less than a batch closed the last
        # connection, so this one opens a second.
        await queue_activation(practice, settings=settings, recipient="later@example.com")
        sender.wake()
        async with asyncio.timeout(20):
            while await OutboxMessage.filter(status=OutboxStatus.SENT).count() < 6:
                await asyncio.sleep(0.02)
        sender.stop()
        await running_sender

    assert server.connections == 2
    assert sorted(server.delivered) == sorted(
        [f"user{number}@example.com" for number in range(5)] + ["later@example.com"]
    )
    rows = await OutboxMessage.all()
    assert {(row.status, row.attempts, row.body_text) for row in rows} == {
        (OutboxStatus.SENT, 1, None)
    }


async def test_a_kept_connection_the_server_counted_on_may_be_reopened_again(
    practice: Practice, settings: Settings
) -> None:
    """A server that allows 3 messages a connection, batches of 5: a pass that begins on
    the connection kept from the last one meets the limit early, and its second reopening
    is not held against the messages (each is sent once, no attempt counted)."""
    server = PickyServer(per_connection=3)
    for number in range(10):
        await queue_activation(practice, settings=settings, recipient=f"user{number}@example.com")

    with running(server) as port:
        sender = OutboxSender(replace(settings, smtp_port=port), batch_size=5, poll_seconds=0.05)
        running_sender = asyncio.create_task(sender.run())
        async with asyncio.timeout(20):
            while await OutboxMessage.filter(status=OutboxStatus.SENT).count() < 10:
                await asyncio.sleep(0.02)
        sender.stop()
        await running_sender

    assert sorted(server.delivered) == sorted(f"user{number}@example.com" for number in range(10))
    rows = await OutboxMessage.all()
    assert {(row.status, row.attempts, row.last_error) for row in rows} == {
        (OutboxStatus.SENT, 1, None)
    }
