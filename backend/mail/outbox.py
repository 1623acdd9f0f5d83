"""The outbox as services see it: queue an email inside a transaction, revoke it, report on it."""

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID, uuid4

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import RawSQL

from backend.config import Settings
from backend.mail.body_crypto import encrypt_body
from backend.mail.mime import render
from backend.mail.render import RenderedEmail
from backend.models.outbox import OutboxMessage, OutboxStatus

# The newest message of the same staff member and kind, correlated with the
# outer row. Portable SQL (SQLite has no DISTINCT ON), served by the
# (staff_id, kind, created_at) index, and the id breaks created_at ties.
_IS_NEWEST_OF_ITS_KIND = RawSQL(
    "(SELECT newer.id FROM outbox_message AS newer"
    " WHERE newer.staff_id = outbox_message.staff_id AND newer.kind = outbox_message.kind"
    " ORDER BY newer.created_at DESC, newer.id DESC LIMIT 1)"
)


async def enqueue_email(
    *,
    kind: str,
    practice_id: UUID,
    staff_id: UUID | None,
    recipient: str,
    email: RenderedEmail,
    settings: Settings,
    using_db: BaseDBAsyncClient | None = None,
) -> OutboxMessage:
    # Callers pass their transaction: the email exists if and only if the
    # change that causes it commits. The bodies are stored encrypted: until the
    # email is sent they carry a live activation link.
    message_id = uuid4()
    now = datetime.now(UTC)
    # Rendered once here, so that a sender's pass only decrypts and sends.
    rendered = render(
        message_id=message_id,
        recipient=recipient,
        subject=email.subject,
        text=email.text,
        html=email.html,
        settings=settings,
        now=now,
    )
    return await OutboxMessage.create(
        using_db=using_db,
        id=message_id,
        mime=None if rendered is None else encrypt_body(rendered, settings),
        kind=kind,
        practice_id=practice_id,
        staff_id=staff_id,
        recipient=recipient,
        subject=email.subject,
        body_text=encrypt_body(email.text, settings),
        body_html=encrypt_body(email.html, settings),
        status=OutboxStatus.QUEUED,
        next_attempt_at=now,
    )


async def supersede_queued(
    *, staff_id: UUID, kind: str, using_db: BaseDBAsyncClient | None = None
) -> int:
    # The old link is being revoked: the body that carries it must not go out
    # later, nor stay readable in the table.
    return await (
        OutboxMessage.filter(staff_id=staff_id, kind=kind, status=OutboxStatus.QUEUED)
        .using_db(using_db)
        .update(status=OutboxStatus.SUPERSEDED, body_text=None, body_html=None, mime=None)
    )


async def latest_for_staff(staff_ids: Sequence[UUID], kind: str) -> dict[UUID, OutboxMessage]:
    if not staff_ids:
        return {}
    messages = await OutboxMessage.filter(
        staff_id__in=list(staff_ids), kind=kind, id=_IS_NEWEST_OF_ITS_KIND
    )
    return {message.staff_id: message for message in messages if message.staff_id is not None}
