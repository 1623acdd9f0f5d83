"""The browser's session cookie: HttpOnly, SameSite=Lax, Secure and __Host- over HTTPS."""

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response

from backend.config import Settings
from backend.services.viewer import AuthMethod


def cookie_name(settings: Settings) -> str:
    return "__Host-staff_session" if settings.cookie_secure else "staff_session"


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        cookie_name(settings),
        token,
        max_age=int(settings.session_absolute.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        cookie_name(settings),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


def bearer_token(headers: Headers) -> str | None:
    """The token of an `Authorization: Bearer …` header, if there is one."""
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


def session_credentials(
    request: Request, settings: Settings
) -> tuple[str | None, AuthMethod | None]:
    """The session token and how it came: as a bearer token (the mobile app; it wins) or
    as the cookie (browsers), or (None, None)."""
    token = bearer_token(request.headers)
    if token:
        return token, AuthMethod.BEARER_SESSION
    cookie = request.cookies.get(cookie_name(settings))
    return (cookie, AuthMethod.COOKIE) if cookie else (None, None)
