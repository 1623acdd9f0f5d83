"""HTTP-level guards, applied before any GraphQL work: a body size limit read while
receiving (not trusting Content-Length), the CSRF defence of cookie-authenticated
requests, and `Cache-Control: no-store` on every /graphql response."""

from urllib.parse import urlsplit

import orjson
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.api.cookies import bearer_token, cookie_name
from backend.config import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def send_json_error(send: Send, status: int, message: str, code: str) -> None:
    """A GraphQL-shaped error body, so clients handle it like any other error."""
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimitMiddleware:
    """Refuses (413) a request whose body exceeds `max_bytes`: early when Content-Length
    says so, otherwise as soon as the received bytes pass the limit. The body is read
    before the app runs and replayed to it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away; nothing to answer
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        await send_json_error(
            send,
            413,
            f"The request body is larger than {self.max_bytes} bytes.",
            "PAYLOAD_TOO_LARGE",
        )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def has_bearer_token(headers: Headers) -> bool:
    return bearer_token(headers) is not None


def csrf_refusal(scope: Scope, settings: Settings) -> str | None:
    """Why a cookie-authenticated, state-changing request looks cross-site; None when it
    is fine. Bearer and cookie-less requests carry no ambient credential: not checked."""
    if scope["method"] in SAFE_METHODS:
        return None
    headers = Headers(scope=scope)
    if has_bearer_token(headers):
        return None
    cookies = cookie_parser(headers.get("cookie", ""))
    if cookie_name(settings) not in cookies:
        return None
    if not headers.get("x-requested-with", "").strip():
        return "Cookie-authenticated requests must carry the X-Requested-With header."
    if headers.get("sec-fetch-site", "").lower() == "cross-site":
        return "Cross-site requests are not accepted."
    origin = headers.get("origin")
    if origin is not None:
        own = {_origin(settings.public_base_url)}
        host = headers.get("host")
        if host:
            own.add(f"{scope.get('scheme', 'http')}://{host}".lower())
        if origin.strip().lower() not in own:
            return "Requests from another origin are not accepted."
    return None


class GraphQLHttpGuard:
    """Wraps the GraphQL endpoint: refuses cross-site cookie requests (403, before the
    session is even looked up) and marks every answer `Cache-Control: no-store`."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        reason = csrf_refusal(scope, self.settings)
        if reason is not None:
            await send_json_error(send, 403, reason, "CSRF")
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_no_store)
