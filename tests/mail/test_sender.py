import asyncio
import contextlib
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from backend.config import Settings
from backend.mail import claims
from backend.mail.body_crypto import decrypt_body
from backend.mail.dev_mailbox import DevMailbox
from backend.mail.outbox import supersede_queued
from backend.mail.sender import RECORD_EVERY, OutboxSender
from backend.models import OutboxMessage, OutboxStatus, Practice
from tests.mail.factories import BASE_URL, KIND, closed_port, make_due, make_staff, queue_activation
from tests.mail.smtp_servers import PickyServer, running


async def test_a_queued_email_is_delivered_and_its_body_forgotten(
    practice: Practice, mailbox: DevMailbox, settings: Settings
) -> None:
    message = await queue_activation(
        practice, settings=settings, recipient="ada@example.com", token="tok-123"
    )

    sent = await OutboxSender(settings).send_due()

    assert sent == 1
    (captured,) = await mailbox.wait_for(1)
    assert captured.recipients == ("ada@example.com",)
    assert captured.sender == "no-reply@staff.localhost"
    assert captured.subject == "Activate your staff account at Riverside Family Practice"
    assert captured.links == (f"{BASE_URL}/activate#token=tok-123",)
    assert captured.html is not None and "token=tok-123" in captured.html
    row = await OutboxMessage.get(id=message.id)
    assert row.status is OutboxStatus.SENT
    assert row.attempts == 1
    assert row.sent_at is not None and row.sent_at <= datetime.now(UTC)
    assert row.body_text is None and row.body_html is None and row.mime is None
    assert row.claimed_until is None and row.last_error is None
    assert await OutboxSender(settings).send_due() == 0
    assert len(mailbox.messages()) == 1


async def test_an_outage_keeps_the_message_and_schedules_a_retry(
    practice: Practice, mailbox: DevMailbox, settings: Settings
) -> None:
    message = await queue_activation(practice, settings=settings)
    mailbox.stop()
    before = datetime.now(UTC)

    sent = await OutboxSender(settings).send_due()

    assert sent == 0
    row = await OutboxMessage.get(id=message.id)
    assert row.status is OutboxStatus.QUEUED
    assert row.attempts == 1
    assert row.last_error == "SMTP server unreachable: Connection refused"
    # Kept for the retry, encrypted: the link is readable only with the key set.
    assert row.body_text is not None and "tok-ada" not in row.body_text
    body = decrypt_body(row.body_text, settings)
    assert body is not None and "token=tok-ada" in body
    assert row.claimed_until is None
    # First retry after mail_retry_base_seconds (5 s).
    assert before + timedelta(seconds=4) < row.next_attempt_at
    assert row.next_attempt_at <= datetime.now(UTC) + timedelta(seconds=5)
    # Not due yet: a second pass leaves it alone.
    assert await OutboxSender(settings).send_due() == 0
    assert (await OutboxMessage.get(id=message.id)).attempts == 1

    # The server comes back on the same port.
    revived = DevMailbox(port=mailbox.port)
    revived.start()
    try:
        await make_due(message)
        assert await OutboxSender(settings).send_due() == 1
        assert await OutboxSender(settings).send_due() == 0
        (captured,) = await revived.wait_for(1)
        assert captured.links == (f"{BASE_URL}/activate#token=tok-ada",)
        await asyncio.sleep(0.05)
        assert len(revived.messages()) == 1
    finally:
        revived.stop()
    row = await OutboxMessage.get(id=message.id)
    assert (row.status, row.attempts, row.body_text) == (OutboxStatus.SENT, 2, None)


async def test_an_outage_never_gives_a_message_up(practice: Practice, settings: Settings) -> None:
    # The server, not the message, is at fault: however long it is down, the email waits.
    down = replace(settings, smtp_port=closed_port(), mail_max_attempts=2)
    message = await queue_activation(practice, settings=settings)
    for _ in range(4):
        await make_due(message)
        await OutboxSender(down).send_due()

    row = await OutboxMessage.get(id=message.id)
    assert (row.status, row.attempts) == (OutboxStatus.QUEUED, 4)
    assert row.last_error == "SMTP server unreachable: Connection refused"
    assert row.body_text is not None
    await make_due(message)
    assert await OutboxSender(settings).send_due() == 1


async def test_the_last_allowed_attempt_fails_a_refused_message_for_good(
    practice: Practice, settings: Settings
) -> None:
    message = await queue_activation(practice, settings=settings, recipient="bounce@example.com")
    with running(PickyServer()) as port:
        picky = replace(settings, smtp_port=port, mail_max_attempts=2)
        await OutboxSender(picky).send_due()
        assert (await OutboxMessage.get(id=message.id)).status is OutboxStatus.QUEUED
        await make_due(message)
        await OutboxSender(picky).send_due()

    row = await OutboxMessage.get(id=message.id)
    assert row.status is OutboxStatus.FAILED
    assert row.attempts == 2
    assert row.last_error == "Recipient refused: 550 5.1.1 No such user here"
    assert row.body_text is None and row.body_html is None
    await make_due(message)
    assert await OutboxSender(settings).send_due() == 0


async def test_a_pass_sends_everything_over_one_connection(
    practice: Practice, mailbox: DevMailbox, settings: Settings
) -> None:
    for number in range(30):
        await queue_activation(practice, settings=settings, recipient=f"user{number}@example.com")

    sent = await OutboxSender(settings).send_due()

    assert sent == 30
    captured = await mailbox.wait_for(30)
    assert sorted(c.recipients[0] for c in captured) == sorted(
        f"user{number}@example.com" for number in range(30)
    )
    assert mailbox.connection_count == 1
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 30


async def test_a_pass_takes_at_most_one_batch_oldest_first(
    practice: Practice, mailbox: DevMailbox, settings: Settings
) -> None:
    for number in range(5):
        message = await queue_activation(
            practice, settings=settings, recipient=f"user{number}@example.com"
        )
        await OutboxMessage.filter(id=message.id).update(
            next_attempt_at=datetime.now(UTC) - timedelta(minutes=10 - number)
        )

    assert await OutboxSender(settings, batch_size=2).send_due() == 2

    captured = await mailbox.wait_for(2)
    assert [c.recipients[0] for c in captured] == ["user0@example.com", "user1@example.com"]
    assert await OutboxMessage.filter(status=OutboxStatus.QUEUED).count() == 3


async def test_concurrent_senders_deliver_each_message_exactly_once(
    practice: Practice, mailbox: DevMailbox, settings: Settings
) -> None:
    for number in range(20):
        await queue_activation(practice, settings=settings, recipient=f"user{number}@example.com")

    results = await asyncio.gather(
        OutboxSender(settings).send_due(),
        OutboxSender(settings).send_due(),
        OutboxSender(settings).send_due(),
    )

    assert sum(results) == 20
    await mailbox.wait_for(20)
    await asyncio.sleep(0.05)
    recipients = [c.recipients[0] for c in mailbox.messages()]
    assert sorted(recipients) == sorted(f"user{number}@example.com" for number in range(20))
    rows = await OutboxMessage.all()
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.SENT, 1)}


async def test_a_message_claimed_by_another_worker_waits_for_its_lease(
    practice: Practice, mailbox: DevMailbox, settings: Settings
) -> None:
    message = await queue_activation(practice, settings=settings)
    await OutboxMessage.filter(id=message.id).update(
        claimed_until=datetime.now(UTC) + timedelta(seconds=30)
    )

    assert await OutboxSender(settings).send_due() == 0
    assert mailbox.messages() == []

    # That worker died: once its lease has expired the message is taken over.
    await OutboxMessage.filter(id=message.id).update(
        claimed_until=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert await OutboxSender(settings).send_due() == 1
    await mailbox.wait_for(1)


async def test_a_crash_before_mark_sent_resends_the_same_link_after_the_lease(
    practice: Practice, mailbox: DevMailbox, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = await queue_activation(practice, settings=settings, token="tok-crash")
    queued = await OutboxMessage.get(id=message.id)
    assert queued.body_text is not None and "tok-crash" not in queued.body_text
    real_mark_sent = claims.mark_sent

    async def crash(messages: list[OutboxMessage]) -> int:
        raise ConnectionError("process killed after the server accepted the message")

    # The server accepts the message, then the sender dies before recording it.
    monkeypatch.setattr(claims, "mark_sent", crash)
    with pytest.raises(ConnectionError):
        await OutboxSender(settings).send_due()
    (first,) = await mailbox.wait_for(1)
    row = await OutboxMessage.get(id=message.id)
    assert row.status is OutboxStatus.QUEUED and row.claimed_until is not None
    assert row.body_text == queued.body_text  # still encrypted, still there for the retry

    # Another worker, once the dead one's lease has expired.
    monkeypatch.setattr(claims, "mark_sent", real_mark_sent)
    assert await OutboxSender(settings).send_due() == 0  # the lease still holds
    await OutboxMessage.filter(id=message.id).update(
        claimed_until=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert await OutboxSender(settings).send_due() == 1

    first, second = await mailbox.wait_for(2)
    # The SMTP server received the decrypted link, the same both times.
    assert first.links == second.links == (f"{BASE_URL}/activate#token=tok-crash",)
    assert first.html is not None and "token=tok-crash" in first.html
    row = await OutboxMessage.get(id=message.id)
    assert (row.status, row.body_text, row.body_html) == (OutboxStatus.SENT, None, None)


async def test_superseded_messages_are_never_sent(
    practice: Practice, mailbox: DevMailbox, settings: Settings
) -> None:
    (ada,) = await make_staff(practice, 1)
    old = await queue_activation(practice, settings=settings, staff_id=ada.id, token="old-token")

    assert await supersede_queued(staff_id=ada.id, kind=KIND) == 1
    new = await queue_activation(practice, settings=settings, staff_id=ada.id, token="new-token")
    sent = await OutboxSender(settings).send_due()

    assert sent == 1
    (captured,) = await mailbox.wait_for(1)
    assert captured.links == (f"{BASE_URL}/activate#token=new-token",)
    old_row = await OutboxMessage.get(id=old.id)
    assert (old_row.status, old_row.attempts, old_row.body_text) == (
        OutboxStatus.SUPERSEDED,
        0,
        None,
    )
    assert (await OutboxMessage.get(id=new.id)).status is OutboxStatus.SENT


async def test_logs_name_messages_but_never_their_link(
    practice: Practice, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    message = await queue_activation(practice, settings=settings, token="secret-token")

    with caplog.at_level(logging.DEBUG, logger="backend.mail"):
        await OutboxSender(settings).send_due()
        await OutboxSender(replace(settings, smtp_port=closed_port())).send_due()

    text = "\n".join(record.getMessage() for record in caplog.records)
    assert str(message.id) in text
    assert "secret-token" not in text and "activate" not in text


async def test_run_sends_on_wake_and_survives_a_failing_pass(
    practice: Practice,
    mailbox: DevMailbox,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    real_claim_due = claims.claim_due
    calls = 0

    async def flaky_claim_due(*, limit: int, lease: timedelta) -> list[OutboxMessage]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database restarting")
        return await real_claim_due(limit=limit, lease=lease)

    monkeypatch.setattr(claims, "claim_due", flaky_claim_due)
    # Long poll: only wake() can make the sender look again within the test.
    sender = OutboxSender(settings, poll_seconds=60)
    task = asyncio.create_task(sender.run())
    try:
        sender.wake()
        while calls < 2:
            await asyncio.sleep(0.01)
        await queue_activation(practice, settings=settings, token="woken")
        sender.wake()
        (captured,) = await mailbox.wait_for(1, timeout=5)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    assert captured.links == (f"{BASE_URL}/activate#token=woken",)
    assert task.cancelled()
    # A database outage is one WARNING line a pass, without a traceback.
    [failed] = [r for r in caplog.records if r.getMessage().startswith("outbox pass failed")]
    assert failed.getMessage() == "outbox pass failed: the database is unavailable"
    assert (failed.levelname, failed.exc_info) == ("WARNING", None)


def test_a_lease_shorter_than_one_smtp_timeout_is_refused(settings: Settings) -> None:
    with pytest.raises(ValueError, match="lease_seconds"):
        OutboxSender(settings, lease_seconds=settings.smtp_timeout_seconds)


async def test_a_row_queued_before_messages_were_rendered_is_built_when_sent(
    practice: Practice, mailbox: DevMailbox, settings: Settings
) -> None:
    message = await queue_activation(practice, settings=settings, token="tok-older")
    await OutboxMessage.filter(id=message.id).update(mime=None)

    assert await OutboxSender(settings).send_due() == 1

    (captured,) = await mailbox.wait_for(1)
    assert captured.links == (f"{BASE_URL}/activate#token=tok-older",)
    row = await OutboxMessage.get(id=message.id)
    assert (row.status, row.body_text, row.mime) == (OutboxStatus.SENT, None, None)


async def test_non_ascii_text_arrives_intact_from_the_seven_bit_rendering(
    practice: Practice, mailbox: DevMailbox, settings: Settings
) -> None:
    practice.name = "Clínica Señora Núñez"
    await practice.save()
    message = await queue_activation(practice, settings=settings, token="tok-nunez")
    stored = decrypt_body((await OutboxMessage.get(id=message.id)).mime, settings) or ""
    assert stored.isascii() and "\r\n" in stored

    assert await OutboxSender(settings).send_due() == 1

    (captured,) = await mailbox.wait_for(1)
    assert captured.subject == "Activate your staff account at Clínica Señora Núñez"
    assert "Clínica Señora Núñez" in captured.text
    assert captured.links == (f"{BASE_URL}/activate#token=tok-nunez",)


async def test_deliveries_are_recorded_ten_at_a_time(
    practice: Practice, mailbox: DevMailbox, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the process die during a pass, only the deliveries since the last record
    (at most RECORD_EVERY) are sent again."""
    for number in range(RECORD_EVERY + 5):
        await queue_activation(practice, settings=settings, recipient=f"user{number}@example.com")
    real_mark_sent = claims.mark_sent
    calls: list[int] = []

    async def dies_the_second_time(messages: list[OutboxMessage]) -> int:
        calls.append(len(messages))
        if len(calls) == 2:
            raise ConnectionError("process killed")
        return await real_mark_sent(messages)

    monkeypatch.setattr(claims, "mark_sent", dies_the_second_time)
    with pytest.raises(ConnectionError):
        await OutboxSender(settings).send_due()
    await mailbox.wait_for(RECORD_EVERY + 5)
    assert calls == [RECORD_EVERY, 5]
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == RECORD_EVERY
    assert await OutboxMessage.filter(status=OutboxStatus.QUEUED).count() == 5


async def test_a_non_ascii_address_is_built_when_sent_with_smtputf8(
    practice: Practice, mailbox: DevMailbox, settings: Settings
) -> None:
    message = await queue_activation(practice, settings=settings, recipient="jü@bücher.example")
    assert (await OutboxMessage.get(id=message.id)).mime is None

    assert await OutboxSender(settings).send_due() == 1

    (captured,) = await mailbox.wait_for(1)
    assert captured.recipients == ("jü@bücher.example",)
