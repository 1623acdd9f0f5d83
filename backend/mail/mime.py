"""An outbox row as a MIME message: plain text with an HTML alternative."""

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from backend.config import Settings
from backend.mail.body_crypto import decrypt_body
from backend.models.outbox import OutboxMessage


class MissingBodyError(ValueError):
    """A queued row without a text body: there is nothing to send."""


def build_message(message: OutboxMessage, *, settings: Settings, now: datetime) -> EmailMessage:
    """Raises MissingBodyError, or UndecryptableBodyError (both ValueErrors) when the
    bodies cannot be read."""
    text = decrypt_body(message.body_text, settings)
    if text is None:
        raise MissingBodyError(f"outbox message {message.id} has no text body")
    html = decrypt_body(message.body_html, settings)
    mail_from = settings.mail_from
    mime = EmailMessage()
    mime["From"] = mail_from
    mime["To"] = message.recipient
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(now)
    # Derived from the outbox id, so a retry after an unrecorded delivery
    # carries the same Message-ID and receivers can drop the duplicate.
    mime["Message-ID"] = f"<{message.id}@{sender_domain(mail_from)}>"
    mime.set_content(text)
    if html is not None:
        mime.add_alternative(html, subtype="html")
    return mime


def sender_domain(mail_from: str) -> str:
    _, address = parseaddr(mail_from)
    _, at, domain = address.rpartition("@")
    return domain if at and domain else "localhost"
