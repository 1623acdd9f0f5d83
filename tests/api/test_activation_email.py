"""The activation email goes through the outbox: nothing lost while the mail server is down,
delivered once when it returns, and no token left readable after sending."""

import asyncio
from datetime import UTC, datetime
from typing import Any

from backend.config import Settings
from backend.mail.body_crypto import decrypt_body
from backend.mail.dev_mailbox import DevMailbox
from backend.models import ActivationToken, OutboxMessage, OutboxStatus, StaffMember
from backend.services.secrets import token_digest
from tests.api.client import GraphQLClient
from tests.api.staff_factory import create_staff
from tests.api.test_lifecycle import token_from

EMAIL_STATUS = """
query($id: ID!) { staffMember(id: $id) { activationEmail { status attempts lastError sentAt } } }
"""


async def email_status(admin: GraphQLClient, staff_id: str) -> dict[str, Any]:
    data = await admin.data(EMAIL_STATUS, {"id": staff_id})
    status: dict[str, Any] = data["staffMember"]["activationEmail"]
    return status


async def wait_until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def test_mail_server_down_then_back_delivers_exactly_once(
    admin: GraphQLClient, mailbox: DevMailbox
) -> None:
    port = mailbox.port
    mailbox.stop()
    staff = await create_staff(admin)
    assert staff["status"] == "PENDING"

    async def failed_once() -> bool:
        return bool((await email_status(admin, staff["id"]))["attempts"] >= 1)

    await wait_until(failed_once)
    status = await email_status(admin, staff["id"])
    assert status["status"] == "QUEUED"
    assert status["sentAt"] is None
    assert "unreachable" in status["lastError"].lower() or "refused" in status["lastError"].lower()

    back = DevMailbox(port=port)
    back.start()
    try:
        await OutboxMessage.all().update(next_attempt_at=datetime.now(UTC))
        [message] = await back.wait_for(1)
        await asyncio.sleep(0.5)  # several more sender passes: still exactly one email
        assert len(back.messages()) == 1
        assert token_from(message.text)
        status = await email_status(admin, staff["id"])
        assert status["status"] == "SENT" and status["sentAt"] is not None
    finally:
        back.stop()


async def test_no_token_stays_readable_after_sending(
    admin: GraphQLClient, mailbox: DevMailbox
) -> None:
    await create_staff(admin)
    [message] = await mailbox.wait_for(1)
    token = token_from(message.text)

    async def sent() -> bool:
        return await OutboxMessage.filter(status=OutboxStatus.SENT).exists()

    await wait_until(sent)
    outbox = await OutboxMessage.get()
    assert outbox.body_text is None and outbox.body_html is None
    stored = await ActivationToken.get()
    assert stored.token_hash == token_digest(token) and stored.token_hash != token


async def test_the_email_is_written_with_the_staff_member(
    admin: GraphQLClient, mailbox: DevMailbox, settings: Settings
) -> None:
    mailbox.stop()  # nothing can be sent: what we see is what the transaction wrote
    await create_staff(admin)
    outbox = await OutboxMessage.get()
    staff = await StaffMember.get(username_key="cnurse")
    assert outbox.staff_id == staff.id
    assert (outbox.kind, outbox.recipient) == ("activation", "camille.nurse@example.com")
    assert outbox.status == OutboxStatus.QUEUED
    # Queued, it carries a live link: encrypted at rest, readable only with the key set.
    assert outbox.body_text is not None and outbox.body_html is not None
    assert "token" not in outbox.body_text and "token" not in outbox.body_html
    assert "/activate#token=" in (decrypt_body(outbox.body_text, settings) or "")
    assert "/activate#token=" in (decrypt_body(outbox.body_html, settings) or "")
