"""Serves the static single-page app; unknown paths get index.html for client routes."""

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope


def _frontend_dir() -> Path:
    """frontend/ as installed from a wheel (package data of `backend.frontend`, next to
    this module), else the repository's frontend/ beside the package (a checkout or an
    editable install, where it is not copied)."""
    package = Path(__file__).resolve().parent
    installed = package / "frontend"
    return installed if (installed / "index.html").is_file() else package.parent / "frontend"


FRONTEND_DIR = _frontend_dir()

# Server paths, never client routes: when their endpoint is off they must stay a 404.
_SERVER_PREFIXES = ("dev/", "graphql", "healthz")


class SinglePageApp(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as missing:
            # /activate, /staff … are routes of the app, not files; a missing asset
            # (a path with an extension) stays a 404.
            is_asset = "." in path.rsplit("/", 1)[-1]
            if missing.status_code != 404 or is_asset or path.startswith(_SERVER_PREFIXES):
                raise
            return await super().get_response("index.html", scope)
