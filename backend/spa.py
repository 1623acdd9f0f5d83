"""Serves the static single-page app.

- Files of frontend/ as they are; a missing asset (a path with an extension) is a 404.
- The SPA's own routes get index.html.
- Under the service's reserved prefixes (backend/http/not_found.py) an unknown path is a
  JSON 404, for any method.
- Any other path: a browser (it asks for HTML) gets index.html with status 404, and the
  SPA shows its "page not found" page; other clients get the JSON 404."""

import re
from pathlib import Path

from starlette._utils import get_route_path
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from backend.http.not_found import is_reserved, not_found


def _frontend_dir() -> Path:
    """frontend/ as installed from a wheel (package data of `backend.frontend`, next to
    this module), else the repository's frontend/ beside the package (a checkout or an
    editable install, where it is not copied)."""
    package = Path(__file__).resolve().parent
    installed = package / "frontend"
    return installed if (installed / "index.html").is_file() else package.parent / "frontend"


FRONTEND_DIR = _frontend_dir()

# The client routes of frontend/src/components/app-root/app-root.js (ROUTES); a test
# fails when the two differ. "/" is index.html itself.
SPA_ROUTES = frozenset(
    {
        "/sign-in",
        "/staff",
        "/roles",
        "/api-clients",
        "/webhooks",
        "/activate",
        "/mailbox",
        "/account",
        "/forgot-password",
        "/reset-password",
        "/confirm-email",
    }
)

# Client routes with a part that varies: a staff member's address, /staff/<id> (STAFF_MEMBER_ROUTE
# in app-root.js; the same test compares the two).
SPA_ROUTE_PATTERNS = (re.compile(r"^/staff/[^/\s]+$"),)


def is_spa_route(path: str) -> bool:
    return path in SPA_ROUTES or any(pattern.fullmatch(path) for pattern in SPA_ROUTE_PATTERNS)


class SinglePageApp(StaticFiles):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_reserved(_route(scope)):
            await not_found()(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as missing:
            is_asset = "." in path.rsplit("/", 1)[-1]
            if missing.status_code != 404 or is_asset:
                raise
            if is_spa_route(_route(scope)):
                return await super().get_response("index.html", scope)
            if not _asks_for_html(scope):
                return not_found()
            # Not through get_response: a conditional request would turn it into a 304.
            return FileResponse(FRONTEND_DIR / "index.html", status_code=404)


def _route(scope: Scope) -> str:
    return "/" + get_route_path(scope).lstrip("/")


def _asks_for_html(scope: Scope) -> bool:
    accept = dict(scope["headers"]).get(b"accept", b"")
    return b"text/html" in accept
