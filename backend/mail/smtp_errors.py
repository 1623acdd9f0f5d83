"""Short, human descriptions of SMTP failures for `OutboxMessage.last_error`.

They are shown to administrators and stored: they name the failure and quote
the server's reply, never credentials or the message itself.
"""

import os

import aiosmtplib

# Servers answer 421 when they are about to close the connection (overload,
# too many messages on one connection): worth one retry on a fresh connection.
SERVICE_CLOSING = 421


def is_connection_lost(exc: BaseException) -> bool:
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code == SERVICE_CLOSING


def is_refusal(exc: BaseException) -> bool:
    """The server answered and refused this message; the session can go on."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused | aiosmtplib.SMTPNotSupported):
        return True
    return isinstance(exc, aiosmtplib.SMTPResponseException) and not is_connection_lost(exc)


def describe_connect_error(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "SMTP server unreachable: timed out"
    cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
    if isinstance(cause, OSError) and cause.errno:
        # asyncio's own text quotes the address; the errno text is what people search for.
        reason = os.strerror(cause.errno) if cause.errno > 0 else cause.strerror
        return f"SMTP server unreachable: {reason}"
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return f"SMTP login refused: {_reply(exc)}"
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"SMTP server refused the connection: {_reply(exc)}"
    if isinstance(exc, aiosmtplib.SMTPException):
        return f"SMTP connection failed: {_one_line(exc.message)}"
    return f"SMTP server unreachable: {type(exc).__name__}"


def describe_send_error(exc: BaseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPResponseException) and is_connection_lost(exc):
        return f"SMTP server closing the connection: {_reply(exc)}"
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        replies = "; ".join(_reply(refusal) for refusal in exc.recipients)
        return f"Recipient refused: {replies}"
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        return f"Recipient refused: {_reply(exc)}"
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return f"Sender refused: {_reply(exc)}"
    if isinstance(exc, aiosmtplib.SMTPDataError):
        return f"Message refused: {_reply(exc)}"
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"SMTP error: {_reply(exc)}"
    if isinstance(exc, TimeoutError):
        return "SMTP server timed out"
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected):
        return "SMTP server closed the connection"
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return f"Not supported by the SMTP server: {_one_line(exc.message)}"
    if isinstance(exc, aiosmtplib.SMTPException):
        return f"SMTP error: {_one_line(exc.message)}"
    # Anything else is a bug on our side; its text could quote the message.
    return f"Unexpected error while sending: {type(exc).__name__}"


def describe_invalid_message(exc: ValueError) -> str:
    return f"Cannot send this message: {_one_line(str(exc))}"


def _reply(exc: aiosmtplib.SMTPResponseException) -> str:
    return f"{exc.code} {_one_line(exc.message)}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
