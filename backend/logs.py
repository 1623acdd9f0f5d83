"""Logging for every process (serve, worker, migrate): one JSON object a line in
production, readable text in development, each record carrying the request id, the
practice id and the GraphQL operation name of the request that wrote it.

The JSON comes from python-json-logger: a small, maintained formatter for the standard
`logging` module, so that uvicorn's, Tortoise's and our own loggers all go through one
handler unchanged. structlog would do it too, but it is a second logging API to learn and
to bridge the standard loggers into, for no field we need."""

import contextvars
import dataclasses
import logging
import re
import sys
from typing import Any, TextIO

from pythonjsonlogger.orjson import OrjsonFormatter

from backend.config import LogFormat, Settings

# The only fields a JSON line may hold: a record's `extra=` attributes (uvicorn's
# color_message, a library's whatever) are dropped, so nothing unvetted reaches the logs.
_JSON_FIELDS = frozenset(
    {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "practice_id",
        "operation",
        "exc_info",
        "stack_info",
    }
)
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
# An email address in a message (an SMTP server's reply may quote the recipient): logs
# name people by id, never by address.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_EMAIL_MASK = "<email>"
_OPERATION_NAME = re.compile(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]{0,99})")
# A GraphQL name, not anything a client puts into operationName.
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


@dataclasses.dataclass
class LogContext:
    """What the records of one request say about it. Mutable, so that what is learnt deep
    inside the request (the practice, the operation) is seen by the access-log line written
    on the way out, even across tasks that copied the context."""

    request_id: str | None = None
    practice_id: str | None = None
    operation: str | None = None


_current: contextvars.ContextVar[LogContext | None] = contextvars.ContextVar(
    "log_context", default=None
)


def start_request(request_id: str) -> contextvars.Token[LogContext | None]:
    return _current.set(LogContext(request_id=request_id))


def end_request(token: contextvars.Token[LogContext | None]) -> None:
    _current.reset(token)


def note_practice(practice_id: object) -> None:
    context = _current.get()
    if context is not None:
        context.practice_id = str(practice_id)


def note_operation(name: str | None, document: str | None) -> None:
    """The operation's name: the request's operationName, or else the name of the
    document's only operation (clients rarely send operationName for a single one)."""
    context = _current.get()
    if context is None:
        return
    if name is None:
        names = _OPERATION_NAME.findall(document or "")
        name = names[0] if len(names) == 1 else None
    context.operation = name if name and _NAME.fullmatch(name) else None


class RequestFields(logging.Filter):
    """Adds the current request's fields to every record, and masks email addresses."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get() or LogContext()
        record.request_id = context.request_id
        record.practice_id = context.practice_id
        record.operation = context.operation
        message = record.getMessage()
        if "@" in message:
            record.msg, record.args = _EMAIL.sub(_EMAIL_MASK, message), None
        return True


class _JsonFormatter(OrjsonFormatter):
    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        for key in [key for key in log_data if key not in _JSON_FIELDS]:
            del log_data[key]


def _formatter(log_format: LogFormat) -> logging.Formatter:
    if log_format == "text":
        return logging.Formatter(_TEXT_FORMAT)
    return _JsonFormatter(
        ["levelname", "name", "message", "request_id", "practice_id", "operation"],
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
    )


def configure_logging(settings: Settings, *, stream: TextIO | None = None) -> logging.Handler:
    """Route every logger through one handler on `stream` (standard error by default), in
    LOG_FORMAT, and return it. Calling it again replaces the handler it installed before
    (uvicorn's worker processes call it again), not others."""
    return configure_format(settings.log_format, stream=stream)


def configure_format(log_format: LogFormat, *, stream: TextIO | None = None) -> logging.Handler:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_staff_accounts", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._staff_accounts = True  # type: ignore[attr-defined]
    handler.setFormatter(_formatter(log_format))
    handler.addFilter(RequestFields())
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    # Tortoise logs every query with its values at DEBUG, password hashes included:
    # keep that logger quiet even if the root level is lowered.
    logging.getLogger("tortoise.db_client").setLevel(logging.INFO)
    # aiosmtpd (the development mailbox) logs every SMTP connection at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    # uvicorn's loggers write through the root handler: no handlers of their own.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    return handler
