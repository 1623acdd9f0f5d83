"""The browser's session cookie: HttpOnly, SameSite=Lax, Secure and __Host- over HTTPS."""

from starlette.requests import Request
from starlette.responses import Response

from backend.config import Settings


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


def session_credentials(request: Request, settings: Settings) -> tuple[str | None, str | None]:
    """The session token and how it came: "bearer" (API clients, wins) or "cookie"
    (browsers), or (None, None)."""
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip(), "bearer"
    cookie = request.cookies.get(cookie_name(settings))
    return (cookie, "cookie") if cookie else (None, None)
