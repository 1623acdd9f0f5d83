import asyncio
from datetime import UTC, datetime
from email.message import EmailMessage

import aiosmtplib
import pytest

from backend.mail.dev_mailbox import DevMailbox


def _message(subject: str, text: str, html: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Staff Accounts <no-reply@staff.localhost>"
    message["To"] = "ada@example.com, bob@example.com"
    message["Subject"] = subject
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


async def _send(mailbox: DevMailbox, message: EmailMessage) -> None:
    await aiosmtplib.send(message, hostname=mailbox.host, port=mailbox.port, timeout=5)


async def test_it_captures_parts_links_and_envelope(mailbox: DevMailbox) -> None:
    text = (
        "Open https://staff.example.test/activate#token=abc-1_2.\n"
        "(or http://127.0.0.1:8000/activate#token=x), not ftp://nope.test"
    )
    await _send(mailbox, _message("Welcome", text, "<p><a href='https://h.test/x'>x</a></p>"))

    (captured,) = await mailbox.wait_for(1)
    assert captured.id == 1
    assert captured.sender == "no-reply@staff.localhost"
    assert captured.recipients == ("ada@example.com", "bob@example.com")
    assert captured.subject == "Welcome"
    assert captured.text == text + "\n"
    assert captured.html == "<p><a href='https://h.test/x'>x</a></p>\n"
    assert captured.links == (
        "https://staff.example.test/activate#token=abc-1_2",
        "http://127.0.0.1:8000/activate#token=x",
    )
    assert (datetime.now(UTC) - captured.received_at).total_seconds() < 5
    assert mailbox.connection_count == 1


async def test_as_json_lists_messages_for_the_dev_endpoint(mailbox: DevMailbox) -> None:
    await _send(mailbox, _message("First", "see https://a.test/1"))
    await _send(mailbox, _message("Second", "plain only"))
    messages = await mailbox.wait_for(2)

    listed = mailbox.as_json()

    assert [item["id"] for item in listed] == [1, 2]
    assert listed[0] == {
        "id": 1,
        "from": "no-reply@staff.localhost",
        "to": ["ada@example.com", "bob@example.com"],
        "subject": "First",
        "text": "see https://a.test/1\n",
        "html": None,
        "receivedAt": messages[0].received_at.isoformat(),
        "links": ["https://a.test/1"],
    }


async def test_clear_empties_the_mailbox_but_ids_keep_increasing(mailbox: DevMailbox) -> None:
    await _send(mailbox, _message("One", "1"))
    await mailbox.wait_for(1)

    mailbox.clear()
    assert mailbox.messages() == []
    await _send(mailbox, _message("Two", "2"))

    (captured,) = await mailbox.wait_for(1)
    assert (captured.id, captured.subject) == (2, "Two")


async def test_wait_for_gives_up_after_its_timeout(mailbox: DevMailbox) -> None:
    with pytest.raises(TimeoutError, match="expected 1 messages, received 0"):
        await mailbox.wait_for(1, timeout=0.05)


async def test_a_new_mailbox_can_take_over_the_port_right_after_a_stop() -> None:
    first = DevMailbox()
    first.start()
    port = first.port
    assert port != 0
    first.stop()
    with pytest.raises(aiosmtplib.SMTPConnectError):
        await _send(first, _message("Lost", "nobody listens"))

    second = DevMailbox(port=port)
    second.start()
    try:
        await _send(second, _message("Back", "listening again"))
        (captured,) = await second.wait_for(1)
    finally:
        second.stop()
    assert captured.subject == "Back"
    assert first.messages() == []


def test_starting_twice_is_refused_and_stopping_twice_is_harmless() -> None:
    mailbox = DevMailbox()
    mailbox.start()
    try:
        with pytest.raises(RuntimeError, match="already running"):
            mailbox.start()
    finally:
        mailbox.stop()
    mailbox.stop()


async def test_messages_is_safe_to_read_while_mail_arrives(mailbox: DevMailbox) -> None:
    sending = asyncio.gather(*(_send(mailbox, _message(f"m{i}", "x")) for i in range(10)))
    while not sending.done():
        assert len(mailbox.messages()) <= 10
        await asyncio.sleep(0)
    await sending
    assert sorted(m.subject for m in mailbox.messages()) == sorted(f"m{i}" for i in range(10))
    assert mailbox.connection_count == 10
