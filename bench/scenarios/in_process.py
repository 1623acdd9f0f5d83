"""B2 `in_process`: the staff page executed in-process, without HTTP, on the real
PostgreSQL database, against the same rows fetched and built by hand.

Ours is the real schema (backend/api/schema.py, every extension included) running
bench/queries/staff_page.graphql with a fresh per-request Context, as the HTTP view builds
it, and its real resolvers: whatever path the schema takes to the database (the service
functions, or a planned path) is what is measured. The session lookup is left out (the
viewer is built once, as the view's guard would find it).

The reference fetches the same page (one row more, for hasNextPage) and the counts with the
SQL of bench/reference_app.py, on a connection of the same pool (Tortoise's asyncpg
client), builds the response dict by hand (`reference_page_document`) and encodes it with
orjson. Both must produce the same bytes; that is checked before timing.

Timed per operation, median (and mean) over `executions` runs after `warmup` runs: CPU time
(time.process_time, this process only: PostgreSQL's work is not in it) and wall time.

    python -m bench.scenarios.in_process [--database-url URL] [--practice small|large]
        [--executions N] [--json]
"""

import argparse
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from strawberry.http import process_result
from tortoise import connections

from backend.api.context import Context
from backend.api.schema import schema
from backend.config import Settings
from backend.db import close_database, open_database
from backend.models import StaffMember, StaffStatus
from backend.services.validation import username_key
from backend.services.viewer import AuthMethod, RequestMeta, Viewer
from bench.context import BenchContext
from bench.data.fixture import DEFAULT_DATABASE_URL, load_fixture
from bench.queries import STAFF_PAGE
from bench.reference_app import COUNTS_SQL, FIRST_PAGE_SQL, reference_page_document
from bench.report import Row, verdict
from bench.servers import run_module_json

NAME, ALIAS = "in_process", "B2"
PAGE_SIZE = 25
VARIABLES = {"status": StaffStatus.ACTIVE.value, "first": PAGE_SIZE}
GRAPHQL_CPU_TARGET_MS = 1.0

_SCOPE: dict[str, Any] = {
    "type": "http",
    "http_version": "1.1",
    "method": "POST",
    "scheme": "http",
    "path": "/graphql",
    "root_path": "",
    "query_string": b"",
    "headers": [(b"content-type", b"application/json"), (b"authorization", b"Bearer b2")],
    "client": ("127.0.0.1", 40000),
    "server": ("127.0.0.1", 8000),
}


@dataclass(frozen=True)
class Timing:
    cpu_ms_median: float
    cpu_ms_mean: float
    wall_ms_median: float
    wall_ms_mean: float


async def administrator(admin_username: str) -> Viewer:
    """The administrator as a bearer session's viewer (the database must be open)."""
    admin = await StaffMember.get(username_key=username_key(admin_username)).select_related("role")
    return Viewer(
        staff_id=admin.id,
        practice_id=admin.practice_id,
        permissions=frozenset(admin.role.permissions),
    )


def _context(viewer: Viewer, settings: Settings) -> Context:
    meta = RequestMeta(ip="127.0.0.1", request_id="b2", auth_method=AuthMethod.BEARER_SESSION)
    return Context(
        request=Request(_SCOPE), response=Response(), settings=settings, meta=meta, viewer=viewer
    )


async def execute_ours(viewer: Viewer, settings: Settings) -> bytes:
    """What the HTTP view does for the request, minus HTTP and the session lookup."""
    result = await schema.execute(
        STAFF_PAGE,
        variable_values=VARIABLES,
        context_value=_context(viewer, settings),
        operation_name="StaffPage",
    )
    return orjson.dumps(process_result(result))


async def build_reference(viewer: Viewer) -> bytes:
    """The same page by hand: the reference's SQL on a connection of the app's pool."""
    client: Any = connections.get("default")
    async with client.acquire_connection() as connection:
        rows = await connection.fetch(
            FIRST_PAGE_SQL, viewer.practice_id, StaffStatus.ACTIVE.value, PAGE_SIZE + 1
        )
        counts = dict(await connection.fetch(COUNTS_SQL, viewer.practice_id))
    document = reference_page_document(
        rows[:PAGE_SIZE], has_next_page=len(rows) > PAGE_SIZE, counts=counts
    )
    return orjson.dumps(document)


def _timing(cpu_s: list[float], wall_s: list[float]) -> Timing:
    return Timing(
        cpu_ms_median=statistics.median(cpu_s) * 1000,
        cpu_ms_mean=statistics.fmean(cpu_s) * 1000,
        wall_ms_median=statistics.median(wall_s) * 1000,
        wall_ms_mean=statistics.fmean(wall_s) * 1000,
    )


async def _time(operation: Callable[[], Awaitable[object]], runs: int, warmup: int) -> Timing:
    for _ in range(warmup):
        await operation()
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(runs):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        await operation()
        wall.append(time.perf_counter() - wall_start)
        cpu.append(time.process_time() - cpu_start)
    return _timing(cpu, wall)


def _first_difference(ours: bytes, reference: bytes) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(ours, reference, strict=False)) if a != b),
        min(len(ours), len(reference)),
    )
    start, end = max(at - 40, 0), at + 80
    return f"at byte {at}: ours {ours[start:end]!r}, reference {reference[start:end]!r}"


async def measure(
    database_url: str, admin_username: str, *, executions: int = 2000, warmup: int = 200
) -> dict[str, Any]:
    """B2's figures for the staff page of `admin_username`."""
    settings = Settings(database_url=database_url)
    await open_database(database_url)
    try:
        viewer = await administrator(admin_username)
        ours = await execute_ours(viewer, settings)
        reference = await build_reference(viewer)
        if b'"errors"' in ours:
            raise RuntimeError(f"our execution failed: {ours[:500]!r}")
        if ours != reference:
            raise RuntimeError(
                f"ours and the reference differ {_first_difference(ours, reference)}"
            )
        rows = len(orjson.loads(ours)["data"]["staffMembers"]["edges"])
        if rows != PAGE_SIZE:
            raise RuntimeError(f"{admin_username!r} sees {rows} active staff, not {PAGE_SIZE}")
        graphql = await _time(lambda: execute_ours(viewer, settings), executions, warmup)
        by_hand = await _time(lambda: build_reference(viewer), executions, warmup)
    finally:
        await close_database()
    return {
        "admin": admin_username,
        "rows": rows,
        "response_bytes": len(ours),
        "equal_json": True,
        "executions": executions,
        "graphql": asdict(graphql),
        "reference": asdict(by_hand),
        "ratio_cpu_median": graphql.cpu_ms_median / by_hand.cpu_ms_median,
        "ratio_wall_median": graphql.wall_ms_median / by_hand.wall_ms_median,
        "graphql_cpu_target_ms": GRAPHQL_CPU_TARGET_MS,
        "meets_target": graphql.cpu_ms_median <= GRAPHQL_CPU_TARGET_MS,
    }


def run(ctx: BenchContext) -> None:
    """B2 in a fresh interpreter of its own (no server, nothing else in the process)."""
    runs = 500 if ctx.quick else 2000
    figures = run_module_json(
        "bench.scenarios.in_process",
        "--json",
        f"--database-url={ctx.database_url}",
        "--practice=small",
        f"--executions={runs}",
    )
    ctx.report.raw["B2"] = figures
    graphql, ref = figures["graphql"], figures["reference"]
    ctx.report.add(
        Row(
            "B2",
            f"staff page in-process on PostgreSQL, CPU (wall) per execution "
            f"({figures['rows']} rows)",
            f"{graphql['cpu_ms_median']:.2f} ms ({graphql['wall_ms_median']:.2f} ms)",
            f"{ref['cpu_ms_median']:.2f} ms ({ref['wall_ms_median']:.2f} ms) by hand "
            "(the asyncpg reference's SQL)",
            f"{figures['ratio_cpu_median']:.1f}",
            "<= 1 ms",
            verdict(figures["meets_target"]),
        )
    )


async def _main(args: argparse.Namespace) -> dict[str, Any]:
    admin = args.admin_username
    if not admin:
        fixture = await load_fixture(args.database_url)
        admin = fixture[args.practice]["admin_username"]
    return await measure(args.database_url, admin, executions=args.executions, warmup=args.warmup)


def main(argv: list[str] | None = None) -> None:
    import uvloop

    parser = argparse.ArgumentParser(
        prog="python -m bench.scenarios.in_process",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--admin-username", help="whose page (default: the fixture's administrator)"
    )
    parser.add_argument("--practice", default="small", help="fixture practice: small or large")
    parser.add_argument("--executions", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="one line of JSON (for bench.run)")
    args = parser.parse_args(argv)
    figures = uvloop.run(_main(args))
    print(json.dumps(figures) if args.json else json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
