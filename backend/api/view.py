"""The strawberry ASGI app: builds the per-request context, encodes with orjson and
bounds each operation's running time."""

import asyncio
import dataclasses
import json
import logging

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from backend import logs
from backend.api.context import Context
from backend.api.cookies import session_credentials
from backend.api.documents import (
    NamedDocument,
    Refused,
    TrustedDocuments,
    keep_persisted_query,
    refusal,
    resolve,
)
from backend.api.error_codes import ErrorCode
from backend.api.error_policy import mask_uncoded
from backend.api.schema import schema
from backend.config import Settings
from backend.documents.spa_manifest import load_spa_documents
from backend.graphiql_csp import graphiql_policy
from backend.services import api_client_rate, api_clients
from backend.services.api_client_rate import Draw
from backend.services.caller import ApiClientCaller
from backend.services.sessions import resolve_session
from backend.services.viewer import AuthMethod, RequestMeta

logger = logging.getLogger(__name__)


# What strawberry's refusals of a request that is not GraphQL at all answer (it would
# answer them in plain text).
_HTTP_ERROR_CODES = {
    400: ErrorCode.BAD_REQUEST,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
}


@dataclasses.dataclass
class _RequestData(GraphQLRequestData):
    # A persisted document request's `documentId` (GraphQL over HTTP, Appendix A), as sent.
    document_id: object = None


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.is_development else None,
            allow_queries_via_get=False,
            multipart_uploads_enabled=False,
        )
        self.settings = settings
        self.trusted_documents = TrustedDocuments(load_spa_documents())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as refused:
            code = _HTTP_ERROR_CODES.get(refused.status_code, ErrorCode.BAD_REQUEST)
            body = {"errors": [{"message": refused.reason, "extensions": {"code": code.name}}]}
            response = JSONResponse(body, status_code=refused.status_code)
        except _RateLimited as limited:
            response = _rate_limited_response(limited.draw)
        draw: Draw | None = getattr(request.state, "rate_limit", None)
        if draw is not None:
            _add_rate_limit_headers(response, draw)
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        # Its own policy: the app's (set only where a response has none) blocks the CDN
        # scripts and the inline start-up script of the page.
        page = self.graphql_ide_html
        return HTMLResponse(page, headers={"content-security-policy": graphiql_policy(page)})

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        # Only HTTP is routed here (no subscriptions), so both are plain HTTP objects.
        assert isinstance(request, Request) and isinstance(response, Response)
        token, auth_method = session_credentials(request, self.settings)
        # The method is recorded only for a live session: a sign-in that happens to carry a
        # stale cookie was not authenticated by it.
        meta = request_meta(request, auth_method)
        if (
            token
            and auth_method == AuthMethod.BEARER_SESSION
            and api_clients.is_client_secret(token)
        ):
            client = await self._api_client(request, token, meta)
            meta = client.meta if client else dataclasses.replace(meta, auth_method=None)
            return Context(
                request=request,
                response=response,
                settings=self.settings,
                meta=meta,
                viewer=None,
                api_client=client,
            )
        viewer = await resolve_session(token, settings=self.settings, meta=meta) if token else None
        if viewer is None:
            meta = dataclasses.replace(meta, auth_method=None)
        else:
            logs.note_practice(viewer.practice_id)
        return Context(
            request=request, response=response, settings=self.settings, meta=meta, viewer=viewer
        )

    async def _api_client(
        self, request: Request, secret: str, meta: RequestMeta
    ) -> ApiClientCaller | None:
        """The API client of a live secret, once it has drawn on its rate limit (an
        exhausted one is refused before anything runs)."""
        client = await api_clients.authenticate(secret, settings=self.settings, meta=meta)
        if client is None:
            return None
        logs.note_practice(client.practice_id)
        draw = await api_client_rate.draw(client.api_client_id, self.settings)
        request.state.rate_limit = draw
        if not draw.allowed:
            raise _RateLimited(draw)
        return client

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """strawberry's reading, plus the `documentId` it does not know."""
        parsed = await super().parse_http_body(request)
        if isinstance(parsed, list):
            return parsed  # refused later: batching is off
        if request.method == "GET":
            document_id: object = request.query_params.get("documentId")
        else:
            # Decoded again (strawberry keeps only the fields it knows): microseconds for
            # a body within MAX_REQUEST_BYTES.
            body = self.decode_json(await request.get_body())
            document_id = body.get("documentId") if isinstance(body, dict) else None
        return _RequestData(**vars(parsed), document_id=document_id)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """The request's document (its text, or the one it names), checked against the
        allow-list when the setting asks for it, then run."""
        named = NamedDocument(
            method=request_adapter.method,
            query=request_data.query,
            document_id=getattr(request_data, "document_id", None),
            persisted_query=(request_data.extensions or {}).get("persistedQuery"),
        )
        restricted = (
            self.settings.trusted_documents_only
            and context.meta.auth_method == AuthMethod.COOKIE
        )
        try:
            resolved = await resolve(named, trusted=self.trusted_documents, restricted=restricted)
        except Refused as refused:
            return refusal(refused, sub_response, context.meta.request_id)
        request_data = dataclasses.replace(request_data, query=resolved.text)
        result = await self._run(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        await keep_persisted_query(resolved, result, self.settings)
        return result

    async def _run(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """The operation, cancelled after GRAPHQL_TIMEOUT_SECONDS (its transaction, if
        any, is rolled back by the cancellation) and answered with a TIMEOUT error."""
        logs.note_operation(request_data.operation_name, request_data.query)
        try:
            async with asyncio.timeout(self.settings.graphql_timeout_seconds):
                result = await super().execute_single(
                    request=request,
                    request_adapter=request_adapter,
                    sub_response=sub_response,
                    context=context,
                    root_value=root_value,
                    request_data=request_data,
                )
            mask_uncoded(
                result.errors, context.meta.request_id, request_data.query, request_data.variables
            )
            return result
        except TimeoutError:
            logger.warning(
                "operation %s cancelled after %ss (request %s)",
                request_data.operation_name or "(anonymous)",
                self.settings.graphql_timeout_seconds,
                context.meta.request_id,
            )
            error = GraphQLError(
                "The operation took too long and was cancelled. Try again, or ask for less.",
                extensions={"code": "TIMEOUT"},
            )
            return ExecutionResult(data=None, errors=[error])

    def decode_json(self, data: str | bytes) -> object:
        # orjson refuses nesting beyond 1024 levels with a JSONDecodeError, which strawberry
        # answers 400; the standard module raises RecursionError, a plain-text 500.
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        # orjson is an order of magnitude faster than the standard json module; it only
        # refuses integers beyond 64 bits, which the standard module can still write.
        try:
            return orjson.dumps(data)
        except TypeError:
            return json.dumps(data).encode()


class _RateLimited(Exception):
    def __init__(self, draw: Draw) -> None:
        super().__init__("rate limited")
        self.draw = draw


def _rate_limited_response(draw: Draw) -> Response:
    message = (
        "This API client has used up its rate limit: wait "
        f"{draw.retry_after_seconds} s (Retry-After), then retry."
    )
    extensions = {
        "code": ErrorCode.TOO_MANY_REQUESTS.name,
        "retryAfterSeconds": draw.retry_after_seconds,
    }
    return JSONResponse(
        {"errors": [{"message": message, "extensions": extensions}]},
        status_code=429,
        headers={"retry-after": str(draw.retry_after_seconds)},
    )


def _add_rate_limit_headers(response: Response, draw: Draw) -> None:
    # The fields of the IETF draft "RateLimit header fields for HTTP", as separate headers.
    response.headers["ratelimit-limit"] = str(draw.limit)
    response.headers["ratelimit-remaining"] = str(draw.remaining)
    response.headers["ratelimit-reset"] = str(draw.reset_seconds)


def request_meta(request: Request, auth_method: AuthMethod | None = None) -> RequestMeta:
    client = request.client
    return RequestMeta(
        ip=client.host if client else None,
        user_agent=request.headers.get("user-agent"),
        request_id=getattr(request.state, "request_id", None),
        auth_method=auth_method,
    )
