"""The service's own path prefixes, and the JSON 404 for unknown paths under them.

Without it every unknown path got the SPA's page with status 200, so a probe or a
scraper pointed at a wrong path looked healthy."""

from starlette.responses import JSONResponse

# Paths of the service (APIs, probes, metrics, development tools), never client routes:
# anything unknown under them is a JSON 404, whether or not its endpoint is switched on.
RESERVED_PREFIXES = (
    "/graphql",
    "/scim",
    "/export",
    "/metrics",
    "/livez",
    "/readyz",
    "/healthz",
    "/dev",
    "/.well-known",
)

MESSAGE = "No such endpoint."


def is_reserved(path: str) -> bool:
    """Whether `path` is a prefix above or below it (`/scim/v2/Users`), not merely starts
    with its letters (`/devices` would be a client route)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in RESERVED_PREFIXES)


def not_found() -> JSONResponse:
    body = {"errors": [{"message": MESSAGE, "extensions": {"code": "NOT_FOUND"}}]}
    return JSONResponse(body, status_code=404, headers={"cache-control": "no-store"})
