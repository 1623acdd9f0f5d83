"""Probes for orchestrators and load balancers.

- `/livez` (and `/healthz`, its older alias): the process answers. It touches nothing
  else, so a database outage never gets a healthy process restarted.
- `/readyz`: the database answers and its schema is current (every migration in
  backend/migrations is recorded as applied); otherwise 503 with the reason, so traffic
  waits for `staff-accounts migrate` instead of meeting a missing column.

`/readyz` is polled: once the migrations are found current they stay so for the life of
the process (the code cannot change under it), and from then on a probe costs one
`SELECT 1`. The reason never quotes the driver's message (it may name hosts or users)."""

import asyncio
import pkgutil

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise import connections

from backend import migrations
from backend.db_errors import is_database_unavailable, unavailability_cause

APP_LABEL = "models"
# Where Tortoise 1.x records applied migrations (tortoise.migrations.recorder).
MIGRATIONS_TABLE = "tortoise_migrations"
# A database that does not answer within this is not ready: the probe must not hang.
TIMEOUT_SECONDS = 2.0


def migrations_on_disk() -> list[str]:
    """The migrations this code expects, in order ("0001_initial", ...)."""
    return sorted(
        module.name
        for module in pkgutil.iter_modules(migrations.__path__)
        if not module.name.startswith("_")
    )


async def pending_migrations() -> list[str]:
    """Those of `migrations_on_disk` the database has not recorded as applied."""
    client = connections.get("default")
    try:
        rows = await client.execute_query_dict(
            f'SELECT "name" FROM "{MIGRATIONS_TABLE}" WHERE "app" = \'{APP_LABEL}\''
        )
    except Exception as exc:
        if is_database_unavailable(exc):
            raise
        # No migrations table: nothing was ever applied.
        rows = []
    applied = {str(row["name"]) for row in rows}
    return [name for name in migrations_on_disk() if name not in applied]


class Probes:
    """The probe endpoints of one app; remembers that the migrations were found current."""

    def __init__(self) -> None:
        self._migrations_current = False

    async def live(self, request: Request) -> Response:
        return _answer(200, "ok")

    async def ready(self, request: Request) -> Response:
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                if self._migrations_current:
                    await connections.get("default").execute_query("SELECT 1")
                    return _answer(200, "ok")
                pending = await pending_migrations()
        except TimeoutError:
            return _answer(503, "unavailable", f"database did not answer in {TIMEOUT_SECONDS} s")
        except Exception as exc:
            if not is_database_unavailable(exc):
                raise
            cause = type(unavailability_cause(exc) or exc).__name__
            return _answer(503, "unavailable", f"database unreachable ({cause})")
        if pending:
            return _answer(503, "unavailable", f"migrations pending: {', '.join(pending)}")
        self._migrations_current = True
        return _answer(200, "ok")


def _answer(status_code: int, status: str, reason: str | None = None) -> Response:
    body: dict[str, str] = {"status": status}
    if reason is not None:
        body["reason"] = reason
    # A probe's answer is about this moment: no cache may keep it.
    return JSONResponse(body, status_code=status_code, headers={"cache-control": "no-store"})
