"""An outbox row as a MIME message: plain text with an HTML alternative."""

from datetime import datetime
from email.message import EmailMessage
from email.policy import default
from email.utils import format_datetime, parseaddr
from typing import Any
from uuid import UUID

from backend.config import Settings
from backend.mail.body_crypto import decrypt_body
from backend.models.outbox import OutboxMessage


class MissingBodyError(ValueError):
    """A queued row without a text body: there is nothing to send."""


# Every line 7-bit: non-ASCII text goes quoted-printable or base64, so the rendered bytes
# suit any SMTP server as they are, with no 8BITMIME or SMTPUTF8 to negotiate per send.
_SEVEN_BIT = default.clone(cte_type="7bit")
# As written to the SMTP server: CRLF line ends.
_ON_THE_WIRE = _SEVEN_BIT.clone(linesep="\r\n")


def build_message(message: OutboxMessage, *, settings: Settings, now: datetime) -> EmailMessage:
    """Raises MissingBodyError, or UndecryptableBodyError (both ValueErrors) when the
    bodies cannot be read."""
    text = decrypt_body(message.body_text, settings)
    if text is None:
        raise MissingBodyError(f"outbox message {message.id} has no text body")
    html = decrypt_body(message.body_html, settings)
    return compose(
        message_id=message.id,
        recipient=message.recipient,
        subject=message.subject,
        text=text,
        html=html,
        settings=settings,
        now=now,
    )


def compose(
    *,
    message_id: UUID,
    recipient: str,
    subject: str,
    text: str,
    html: str | None,
    settings: Settings,
    now: datetime,
) -> EmailMessage:
    mail_from = settings.mail_from
    mime = EmailMessage(policy=_SEVEN_BIT)
    mime["From"] = mail_from
    mime["To"] = recipient
    mime["Subject"] = subject
    mime["Date"] = format_datetime(now)
    # Derived from the outbox id, so a retry after an unrecorded delivery
    # carries the same Message-ID and receivers can drop the duplicate.
    mime["Message-ID"] = f"<{message_id}@{sender_domain(mail_from)}>"
    mime.set_content(text)
    if html is not None:
        mime.add_alternative(html, subtype="html")
    return mime


def render(**parts: Any) -> str | None:
    """The message `compose(**parts)` makes, as the SMTP server receives it (ASCII, CRLF
    line ends); None when it cannot be written so (a malformed header: the sender builds it
    again when sending and records why it fails). None too for an address that is not
    ASCII: only send_message negotiates the SMTPUTF8 it needs, so the sender builds it."""
    if not (str(parts["recipient"]).isascii() and parts["settings"].mail_from.isascii()):
        return None
    try:
        return compose(**parts).as_bytes(policy=_ON_THE_WIRE).decode("ascii")
    except (ValueError, UnicodeError):
        return None


def envelope_sender(settings: Settings) -> str:
    """MAIL FROM: the address of MAIL_FROM, as send_message would take it from From."""
    _, address = parseaddr(settings.mail_from)
    return address


def sender_domain(mail_from: str) -> str:
    _, address = parseaddr(mail_from)
    _, at, domain = address.rpartition("@")
    return domain if at and domain else "localhost"
