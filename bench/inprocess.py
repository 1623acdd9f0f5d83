"""B2: the staff page executed in-process, without HTTP and without a database, against
building the same document by hand (bench/reference_app.py's `reference_page_document`).

Our side is the real schema (backend/api/schema.py, every extension included) running
bench/queries/staff_page.graphql with a fresh per-request Context, as the HTTP view builds
it. Only the two service functions its resolvers call are replaced:
`staff_directory.list_staff` and `staff_directory.count_by_status` return a page and counts
that those same functions loaded once from the database: 25 StaffMember model instances with
role, primary provider and offices prefetched, their cursors, and the tab counts. The query
asks for nothing that uses a DataLoader. The database connections are closed before
anything is timed.

Timed per operation, median (and mean) over `executions` runs after `warmup` runs: CPU time
(time.process_time) and wall time of
  (i) ours: Context + schema.execute (parse and validation through the schema's caches,
      execution) + the response dict + orjson.dumps;
  (ii) reference: rows from the same model instances + the dict by hand + orjson.dumps.
Both must produce the same bytes; that is checked before timing.

    python -m bench.inprocess --database-url postgres://... [--admin-username NAME]
"""

import argparse
import contextlib
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import orjson
from starlette.requests import Request
from starlette.responses import Response
from strawberry.http import process_result

from backend.api.context import Context
from backend.api.schema import schema
from backend.config import Settings
from backend.db import close_database, open_database
from backend.models import Permission, StaffMember, StaffStatus
from backend.services import staff_directory
from backend.services.staff_directory import StaffPage, StaffQuery, StatusCounts
from backend.services.validation import username_key
from backend.services.viewer import AuthMethod, RequestMeta, Viewer
from bench.reference_app import reference_page_document

QUERY = (Path(__file__).resolve().parent / "queries" / "staff_page.graphql").read_text()
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
class PageData:
    """What the two services returned once from the database, served from memory after."""

    viewer: Viewer
    page: StaffPage
    counts: StatusCounts


@dataclass(frozen=True)
class Timing:
    cpu_ms_median: float
    cpu_ms_mean: float
    wall_ms_median: float
    wall_ms_mean: float


async def load_page_data(database_url: str, admin_username: str) -> PageData:
    """The first Active page (25 rows) and the counts, as the administrator sees them,
    loaded by the real service functions."""
    await open_database(database_url)
    try:
        admin = await StaffMember.get(username_key=username_key(admin_username)).select_related(
            "role"
        )
        viewer = Viewer(
            staff_id=admin.id,
            practice_id=admin.practice_id,
            permissions=frozenset(admin.role.permissions),
        )
        page = await staff_directory.list_staff(
            caller=viewer, query=StaffQuery(status=StaffStatus.ACTIVE), first=PAGE_SIZE
        )
        counts = await staff_directory.count_by_status(caller=viewer, query=StaffQuery())
    finally:
        await close_database()
    if len(page.items) != PAGE_SIZE:
        raise RuntimeError(f"{admin_username!r} sees {len(page.items)} active staff, not 25")
    return PageData(viewer=viewer, page=page, counts=counts)


@contextlib.contextmanager
def services_from_memory(data: PageData) -> Iterator[None]:
    """Replaces the services the staff page's resolvers call; each still checks the
    permission, as the real one does, and refuses any other question."""

    async def list_staff(
        *, viewer: Viewer, query: StaffQuery, first: int | None = None, after: str | None = None
    ) -> StaffPage:
        viewer.require(Permission.MANAGE_ACCOUNTS)
        if query != StaffQuery(status=StaffStatus.ACTIVE) or first != PAGE_SIZE or after:
            raise AssertionError("B2 serves only the first page of Active staff")
        return data.page

    async def count_by_status(*, viewer: Viewer, query: StaffQuery) -> StatusCounts:
        viewer.require(Permission.MANAGE_ACCOUNTS)
        if query != StaffQuery():
            raise AssertionError("B2 serves only the unfiltered counts")
        return data.counts

    with (
        mock.patch.object(staff_directory, "list_staff", list_staff),
        mock.patch.object(staff_directory, "count_by_status", count_by_status),
    ):
        yield


def _context(viewer: Viewer, settings: Settings) -> Context:
    meta = RequestMeta(ip="127.0.0.1", request_id="b2", auth_method=AuthMethod.BEARER_SESSION)
    return Context(
        request=Request(_SCOPE), response=Response(), settings=settings, meta=meta, viewer=viewer
    )


async def execute_ours(data: PageData, settings: Settings) -> bytes:
    """What the HTTP view does for the request, minus HTTP and the session lookup."""
    result = await schema.execute(
        QUERY,
        variable_values=VARIABLES,
        context_value=_context(data.viewer, settings),
        operation_name="StaffPage",
    )
    return orjson.dumps(process_result(result))


def _row(staff: StaffMember) -> dict[str, Any]:
    """A model instance as the reference's SQL row (bench/reference_app.py)."""
    offices = list(staff.offices)
    return {
        "id": staff.id,
        "first_name": staff.first_name,
        "last_name": staff.last_name,
        "username": staff.username,
        "email": staff.email,
        "status": staff.status.value,
        "two_factor_enabled": staff.two_factor_enabled,
        "role_id": staff.role.id,
        "role_name": staff.role.name,
        "provider_id": staff.primary_provider.id,
        "provider_first_name": staff.primary_provider.first_name,
        "provider_last_name": staff.primary_provider.last_name,
        "office_ids": [office.id for office in offices],
        "office_names": [office.name for office in offices],
    }


def build_reference(data: PageData) -> bytes:
    counts = {
        StaffStatus.ACTIVE.value: data.counts.active,
        StaffStatus.PENDING.value: data.counts.pending,
        StaffStatus.INACTIVE.value: data.counts.inactive,
    }
    rows = [_row(staff) for staff in data.page.items]
    document = reference_page_document(rows, has_next_page=data.page.has_next_page, counts=counts)
    return orjson.dumps(document)


def _timing(cpu_s: list[float], wall_s: list[float]) -> Timing:
    return Timing(
        cpu_ms_median=statistics.median(cpu_s) * 1000,
        cpu_ms_mean=statistics.fmean(cpu_s) * 1000,
        wall_ms_median=statistics.median(wall_s) * 1000,
        wall_ms_mean=statistics.fmean(wall_s) * 1000,
    )


async def _time_async(operation: Callable[[], Awaitable[object]], runs: int, warmup: int) -> Timing:
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


def _time_sync(operation: Callable[[], object], runs: int, warmup: int) -> Timing:
    for _ in range(warmup):
        operation()
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(runs):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        operation()
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


async def run_b2(
    database_url: str,
    fixture: Mapping[str, Any] | None = None,
    *,
    practice: str = "large",
    admin_username: str | None = None,
    executions: int = 2000,
    warmup: int = 200,
) -> dict[str, Any]:
    """B2's figures. The administrator is `admin_username`, or else the one of
    `fixture[practice]` (bench/fixture.py)."""
    admin = admin_username or (fixture or {}).get(practice, {}).get("admin_username")
    if not admin:
        raise ValueError("give admin_username, or a fixture with that practice")
    data = await load_page_data(database_url, admin)
    settings = Settings()
    with services_from_memory(data):
        ours = await execute_ours(data, settings)
        reference = build_reference(data)
        if b'"errors"' in ours:
            raise RuntimeError(f"our execution failed: {ours[:500]!r}")
        if ours != reference:
            raise RuntimeError(
                f"ours and the reference differ {_first_difference(ours, reference)}"
            )
        graphql = await _time_async(lambda: execute_ours(data, settings), executions, warmup)
        by_hand = _time_sync(lambda: build_reference(data), executions, warmup)
    document = orjson.loads(reference)
    encode_only = _time_sync(lambda: orjson.dumps(document), executions, warmup)
    return {
        "admin": admin,
        "rows": len(data.page.items),
        "response_bytes": len(ours),
        "equal_json": True,
        "executions": executions,
        "graphql": asdict(graphql),
        "reference": asdict(by_hand),
        "orjson_encode_only": asdict(encode_only),
        "ratio_cpu_median": graphql.cpu_ms_median / by_hand.cpu_ms_median,
        "ratio_wall_median": graphql.wall_ms_median / by_hand.wall_ms_median,
        "graphql_cpu_target_ms": GRAPHQL_CPU_TARGET_MS,
        "meets_target": graphql.cpu_ms_median <= GRAPHQL_CPU_TARGET_MS,
    }


async def _main(args: argparse.Namespace) -> dict[str, Any]:
    fixture = None
    if not args.admin_username:
        from bench.data.fixture import load_fixture

        fixture = await load_fixture(args.database_url)
    return await run_b2(
        args.database_url,
        fixture,
        practice=args.practice,
        admin_username=args.admin_username,
        executions=args.executions,
        warmup=args.warmup,
    )


def main() -> None:
    import uvloop

    parser = argparse.ArgumentParser(description="B2: the staff page in-process.")
    parser.add_argument("--database-url", required=True)
    parser.add_argument(
        "--admin-username", help="whose page (default: the fixture's administrator)"
    )
    parser.add_argument("--practice", default="large", help="fixture practice: large or small")
    parser.add_argument("--executions", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()
    figures = uvloop.run(_main(args))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
