"""A database outage answered as such: 503, Retry-After and a GraphQL-shaped error body,
instead of the plain-text 500 that Starlette gives any exception escaping the app.

It covers what fails before GraphQL execution starts (the session lookup in the context
getter, above all); inside resolvers backend/api/error_policy.py answers the same.
"""

import logging

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.db_errors import OUTAGE_MESSAGE as MESSAGE
from backend.db_errors import OUTAGE_RETRY_AFTER_SECONDS as RETRY_AFTER_SECONDS
from backend.db_errors import unavailability_cause

logger = logging.getLogger(__name__)

CODE = "SERVICE_UNAVAILABLE"

_BODY = orjson.dumps(
    {
        "errors": [
            {
                "message": MESSAGE,
                "extensions": {"code": CODE, "retryAfterSeconds": RETRY_AFTER_SECONDS},
            }
        ]
    }
)


class DatabaseOutageMiddleware:
    """Turns an exception that says the database is unreachable, raised below this
    middleware before the response started, into a 503. Anything else propagates."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def send_and_note(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except Exception as exc:
            cause = unavailability_cause(exc)
            # Once the status line is out, a 503 can no longer be sent.
            if cause is None or response_started:
                raise
            # One line, no traceback, nothing from the request (its body or headers may
            # carry secrets): the error's type and words, from the driver, suffice.
            logger.warning(
                "database unavailable, answered 503 (request %s): %s: %s",
                scope.get("state", {}).get("request_id"),
                type(cause).__name__,
                str(cause)[:200],
            )
            await _send_service_unavailable(send)


async def _send_service_unavailable(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(_BODY)).encode()),
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _BODY})
