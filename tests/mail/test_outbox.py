import logging
from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.policy import default

import pytest
from cryptography.fernet import Fernet
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.mail.body_crypto import UndecryptableBodyError, decrypt_body
from backend.mail.outbox import enqueue_email, latest_for_staff, supersede_queued
from backend.mail.render import RenderedEmail
from backend.models import OutboxMessage, OutboxStatus, Practice
from tests.mail.factories import KIND, make_staff, queue_activation

EMAIL = RenderedEmail(
    subject="Hi", text="text https://x.test/activate#token=t0k3n", html="<p>#token=t0k3n</p>"
)


@pytest.fixture
def settings() -> Settings:
    # Nothing is sent here: no mailbox, only the key set that encrypts the bodies.
    return Settings(environment="test", secret_keys=(Fernet.generate_key().decode(),))


async def test_enqueue_writes_a_due_queued_row(practice: Practice, settings: Settings) -> None:
    before = datetime.now(UTC)

    message = await enqueue_email(
        kind=KIND,
        practice_id=practice.id,
        staff_id=None,
        recipient="a@example.com",
        email=EMAIL,
        settings=settings,
    )

    row = await OutboxMessage.get(id=message.id)
    assert row.status is OutboxStatus.QUEUED
    assert (row.recipient, row.subject) == ("a@example.com", "Hi")
    assert row.body_text is not None and row.body_html is not None
    # The queued row carries a live link: it is readable only with the key set.
    for stored in (row.body_text, row.body_html):
        assert "t0k3n" not in stored and "token" not in stored and "x.test" not in stored
    assert decrypt_body(row.body_text, settings) == EMAIL.text
    assert decrypt_body(row.body_html, settings) == EMAIL.html
    # The whole message, rendered once here for the sender, encrypted like the bodies.
    assert row.mime is not None and "t0k3n" not in row.mime and "x.test" not in row.mime
    rendered = message_from_string(decrypt_body(row.mime, settings) or "", policy=default)
    assert rendered["Message-ID"] == f"<{row.id}@staff.localhost>"
    assert rendered["To"] == "a@example.com" and rendered["Subject"] == "Hi"
    assert rendered.get_body(("plain",)).get_content().strip() == EMAIL.text  # type: ignore[union-attr]
    other_keys = Settings(environment="test", secret_keys=(Fernet.generate_key().decode(),))
    with pytest.raises(UndecryptableBodyError):
        decrypt_body(row.body_text, other_keys)
    assert row.attempts == 0
    assert row.claimed_until is None and row.sent_at is None and row.last_error is None
    assert before <= row.next_attempt_at <= datetime.now(UTC)


async def test_enqueue_belongs_to_the_callers_transaction(
    practice: Practice, settings: Settings
) -> None:
    with pytest.raises(RuntimeError, match="rolled back"):
        async with in_transaction() as connection:
            await enqueue_email(
                kind=KIND,
                practice_id=practice.id,
                staff_id=None,
                recipient="a@example.com",
                email=EMAIL,
                settings=settings,
                using_db=connection,
            )
            raise RuntimeError("rolled back")

    assert await OutboxMessage.all().count() == 0


async def test_supersede_revokes_only_that_persons_queued_mail_of_that_kind(
    practice: Practice, settings: Settings
) -> None:
    ada, bob = await make_staff(practice, 2)
    old = await queue_activation(practice, settings=settings, staff_id=ada.id, token="old")
    sent = await queue_activation(practice, settings=settings, staff_id=ada.id, token="sent")
    await OutboxMessage.filter(id=sent.id).update(status=OutboxStatus.SENT, body_text=None)
    other_kind = await queue_activation(practice, settings=settings, staff_id=ada.id, kind="digest")
    other_person = await queue_activation(practice, settings=settings, staff_id=bob.id)

    async with in_transaction() as connection:
        count = await supersede_queued(staff_id=ada.id, kind=KIND, using_db=connection)

    assert count == 1
    row = await OutboxMessage.get(id=old.id)
    assert row.status is OutboxStatus.SUPERSEDED
    assert row.body_text is None and row.body_html is None and row.mime is None
    assert (await OutboxMessage.get(id=sent.id)).status is OutboxStatus.SENT
    for untouched in (other_kind, other_person):
        row = await OutboxMessage.get(id=untouched.id)
        assert row.status is OutboxStatus.QUEUED
        body = decrypt_body(row.body_text, settings)
        assert body is not None and "token=" in body


async def test_latest_for_staff_returns_the_newest_per_person_in_one_query(
    practice: Practice, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    ada, bob, cyd, dee = await make_staff(practice, 4)
    await queue_activation(practice, settings=settings, staff_id=ada.id, token="first")
    await supersede_queued(staff_id=ada.id, kind=KIND)
    ada_newest = await queue_activation(
        practice, settings=settings, staff_id=ada.id, token="second"
    )
    bob_only = await queue_activation(practice, settings=settings, staff_id=bob.id)
    await queue_activation(practice, settings=settings, staff_id=dee.id, kind="digest")
    # Newer, but for someone outside the requested page.
    await queue_activation(practice, settings=settings, staff_id=cyd.id)

    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        latest = await latest_for_staff([ada.id, bob.id, dee.id], KIND)

    assert {staff_id: message.id for staff_id, message in latest.items()} == {
        ada.id: ada_newest.id,
        bob.id: bob_only.id,
    }
    assert latest[ada.id].status is OutboxStatus.QUEUED
    queries = [r.getMessage() for r in caplog.records if "outbox_message" in r.getMessage()]
    assert len(queries) == 1, queries


async def test_latest_for_staff_breaks_timestamp_ties_deterministically(
    practice: Practice, settings: Settings
) -> None:
    (ada,) = await make_staff(practice, 1)
    first = await queue_activation(practice, settings=settings, staff_id=ada.id, token="a")
    second = await queue_activation(practice, settings=settings, staff_id=ada.id, token="b")
    same_time = datetime.now(UTC) - timedelta(minutes=1)
    await OutboxMessage.filter(staff_id=ada.id).update(created_at=same_time)

    latest = await latest_for_staff([ada.id], KIND)

    assert list(latest) == [ada.id]
    assert latest[ada.id].id == max(first.id, second.id, key=str)


async def test_latest_for_no_staff_asks_nothing(db: str) -> None:
    assert await latest_for_staff([], KIND) == {}


async def test_a_message_that_cannot_be_rendered_is_still_queued(
    practice: Practice, settings: Settings
) -> None:
    """A malformed recipient must not fail the change that queues the email: the row is
    queued without its rendering, and the sender reports the address when it tries."""
    message = await enqueue_email(
        kind=KIND,
        practice_id=practice.id,
        staff_id=None,
        recipient="a@example.com\r\nBcc: evil@example.com",
        email=EMAIL,
        settings=settings,
    )
    row = await OutboxMessage.get(id=message.id)
    assert row.status is OutboxStatus.QUEUED and row.mime is None and row.body_text
