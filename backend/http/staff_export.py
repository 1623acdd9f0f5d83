"""GET /export/staff.csv: the staff list as one streamed CSV download (README, "Exporting
the staff list"). This module only translates: who is calling, the query string into a
StaffQuery, errors into statuses; backend/services/staff_export owns the rows and the rules.

Who may call: whoever may read the staff list (Access.STAFF_READ): a person with Manage
Accounts, signed in by the SPA's cookie or a bearer session, or an API client with
staff:read, which already reads the same rows through `staffMembers`.

CSRF: a GET changes nothing but it does write an audit entry and download personal data,
so a cookie alone is not enough: the request must come from the SPA, either by fetch with
the SPA's X-Requested-With header, or as a same-origin link, which browsers mark with
`Sec-Fetch-Site: same-origin` (a header pages cannot set). SameSite=Lax would otherwise let
another site start the download by a top-level navigation."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar
from uuid import UUID

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from backend import logs
from backend.api.cookies import session_credentials
from backend.api.ids import parse_id
from backend.api.view import request_meta
from backend.config import Settings
from backend.models import StaffStatus
from backend.services import api_client_rate, api_clients, staff_export
from backend.services.caller import Caller
from backend.services.errors import DomainError, PermissionDenied
from backend.services.sessions import resolve_session
from backend.services.staff_directory import StaffQuery
from backend.services.staff_order import SortDirection, SortField, StaffOrder
from backend.services.viewer import AuthMethod

E = TypeVar("E", StaffStatus, SortField, SortDirection)

PARAMETERS = {
    "status",
    "search",
    "roleId",
    "twoFactorEnabled",
    "linkExpired",
    "loginLocked",
    "orderBy",
    "direction",
}


class BadRequest(Exception):
    pass


class Refusal(Exception):
    def __init__(self, status: int, message: str, code: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}


def _error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers={"cache-control": "no-store", **(headers or {})},
    )


def staff_export_endpoint(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            caller = await _authenticate(request, settings)
            query = parse_query(request)
            lines = staff_export.export_lines(caller=caller, query=query)
            # The first line comes after the first batch: refusals happen here, as statuses.
            header = await anext(lines)
        except Refusal as refusal:
            return _error(refusal.status, refusal.message, refusal.code, refusal.headers)
        except BadRequest as error:
            return _error(400, str(error), "BAD_USER_INPUT")
        except DomainError as error:
            return _error(400, str(error), "BAD_USER_INPUT")
        except PermissionDenied as error:
            return _error(403, str(error), getattr(error, "code", "FORBIDDEN"))

        async def body() -> AsyncIterator[str]:
            yield header
            async for chunk in lines:
                yield chunk

        return StreamingResponse(
            body(),
            media_type="text/csv; charset=utf-8",
            headers={
                "content-disposition": f'attachment; filename="{staff_export.filename()}"',
                "cache-control": "no-store",
            },
        )

    return endpoint


def parse_query(request: Request) -> StaffQuery:
    """The list's filter and order from the query string; anything unknown or malformed is
    refused (a typo must not quietly export everyone)."""
    params = request.query_params
    unknown = sorted(set(params) - PARAMETERS)
    if unknown:
        raise BadRequest(
            f"Unknown parameter `{unknown[0][:40]}`: use {', '.join(sorted(PARAMETERS))}."
        )
    for name in params:
        if len(params.getlist(name)) > 1:
            raise BadRequest(f"Give `{name}` once.")
    return StaffQuery(
        status=_choice(params.get("status"), StaffStatus, "status"),
        search=params.get("search") or None,
        role_id=_role_id(params.get("roleId")),
        two_factor_enabled=_boolean(params.get("twoFactorEnabled"), "twoFactorEnabled"),
        link_expired=_boolean(params.get("linkExpired"), "linkExpired"),
        login_locked=_boolean(params.get("loginLocked"), "loginLocked"),
        order=StaffOrder(
            _choice(params.get("orderBy"), SortField, "orderBy") or SortField.NAME,
            _choice(params.get("direction"), SortDirection, "direction") or SortDirection.ASC,
        ),
    )


def _choice(value: str | None, kind: type[E], name: str) -> E | None:
    if value is None or value == "":
        return None
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise BadRequest(f"`{name}` must be one of {allowed}.") from None


def _boolean(value: str | None, name: str) -> bool | None:
    if value is None or value == "":
        return None
    if value in ("true", "false"):
        return value == "true"
    raise BadRequest(f"`{name}` must be true or false.")


def _role_id(value: str | None) -> UUID | None:
    if value is None or value == "":
        return None
    role_id = parse_id(value, "Role")
    if role_id is None:
        raise BadRequest("`roleId` is not the ID of a role.")
    return role_id


async def _authenticate(request: Request, settings: Settings) -> Caller:
    token, method = session_credentials(request, settings)
    unauthenticated = Refusal(
        401,
        "Sign in, or send Authorization: Bearer <session token or API client secret>.",
        "UNAUTHENTICATED",
        {"www-authenticate": "Bearer"},
    )
    if not token:
        raise unauthenticated
    if method == AuthMethod.COOKIE and not _from_the_spa(request):
        raise Refusal(
            403,
            "Cookie-authenticated exports must carry the X-Requested-With header or come "
            "from a same-origin link.",
            "CSRF",
        )
    meta = request_meta(request, method)
    if method == AuthMethod.BEARER_SESSION and api_clients.is_client_secret(token):
        client = await api_clients.authenticate(token, settings=settings, meta=meta)
        if client is None:
            raise unauthenticated
        logs.note_practice(client.practice_id)
        draw = await api_client_rate.draw(client.api_client_id, settings)
        if not draw.allowed:
            retry = str(draw.retry_after_seconds)
            raise Refusal(
                429,
                f"This API client has used up its rate limit: wait {retry} s (Retry-After), "
                "then retry.",
                "TOO_MANY_REQUESTS",
                {"retry-after": retry},
            )
        return client
    viewer = await resolve_session(token, settings=settings, meta=meta)
    if viewer is None:
        raise unauthenticated
    logs.note_practice(viewer.practice_id)
    return viewer


def _from_the_spa(request: Request) -> bool:
    if request.headers.get("x-requested-with", "").strip():
        return True
    return request.headers.get("sec-fetch-site", "") == "same-origin"
