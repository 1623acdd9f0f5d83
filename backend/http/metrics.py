"""/metrics in Prometheus' text format: the process's counters (backend/observability.py)
and gauges read when scraped — the outbox (one SQL query), the hashing queue and the
database pool.

Open in development and test; with METRICS_TOKEN set it needs `Authorization: Bearer
<token>` (401 otherwise), and in production without a token it is off (a JSON 404: there
is nothing a scraper could authenticate with, and a 404 does not advertise it). The
worker serves the same page on its own port (WORKER_METRICS_PORT)."""

import asyncio
import contextlib
import hmac
import os
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import uvicorn
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from tortoise import connections
from tortoise.functions import Count, Min

from backend import observability
from backend.api.operation_name import SCOPE_KEY
from backend.config import Settings
from backend.db_errors import is_database_unavailable
from backend.http.not_found import not_found
from backend.http.operation_names import operation_label
from backend.models.outbox import OutboxMessage, OutboxStatus
from backend.services import hashing

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PREFIX = observability.PREFIX
# A scrape must answer even while the database hangs: its gauges are then left out.
DATABASE_TIMEOUT_SECONDS = 2.0


class GraphQLMetricsMiddleware:
    """Counts and times each request to the GraphQL endpoint under its operation's label."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            state = scope.get("state", {})
            label = operation_label(state.get(SCOPE_KEY), executed=SCOPE_KEY in state)
            observability.GRAPHQL_REQUESTS.labels(operation=label).inc()
            observability.GRAPHQL_LATENCY.labels(operation=label).observe(
                time.perf_counter() - started
            )


def metrics_endpoint(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    async def metrics(request: Request) -> Response:
        refusal = _refusal(request, settings)
        if refusal is not None:
            return refusal
        body = await render(settings)
        return Response(body, media_type=CONTENT_TYPE, headers={"cache-control": "no-store"})

    return metrics


async def render(settings: Settings) -> bytes:
    snapshot = CollectorRegistry(auto_describe=False)
    snapshot.register(_Snapshot(await _read_gauges(settings)))
    return generate_latest(_counters()) + generate_latest(snapshot)


def _counters() -> CollectorRegistry:
    """This process's counters; under `serve --workers N` (PROMETHEUS_MULTIPROC_DIR set
    before the workers start) those of all workers, summed from their shared files."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def _refusal(request: Request, settings: Settings) -> Response | None:
    token = settings.metrics_token
    if not token:
        return not_found() if settings.environment == "production" else None
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(presented.encode(), token.encode()):
        return None
    body = {
        "errors": [
            {"message": "A bearer token is required.", "extensions": {"code": "UNAUTHENTICATED"}}
        ]
    }
    return JSONResponse(body, status_code=401, headers={"www-authenticate": "Bearer"})


async def _read_gauges(settings: Settings) -> list[Metric]:
    gauges: list[Metric] = [
        _gauge(
            "hashing_queue_length",
            "Anonymous password-hashing jobs admitted in this process, running or waiting.",
            hashing.queue_length(settings),
        )
    ]
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
            gauges += await _outbox_gauges()
        reachable = 1
    except Exception as exc:
        if not isinstance(exc, TimeoutError) and not is_database_unavailable(exc):
            raise
        reachable = 0
    gauges.append(
        _gauge("database_reachable", "1 when the scrape's outbox query answered.", reachable)
    )
    return gauges + _pool_gauges()


async def _outbox_gauges() -> list[Metric]:
    rows = (
        await OutboxMessage.annotate(count=Count("id"), oldest=Min("created_at"))
        .group_by("status")
        .values("status", "count", "oldest")
    )
    by_status = {OutboxStatus(row["status"]): row for row in rows}
    messages = GaugeMetricFamily(
        f"{PREFIX}_outbox_messages",
        "Outbox rows by status: queued is the depth; the others are kept for good.",
        labels=["status"],
    )
    for status in OutboxStatus:
        count = by_status.get(status, {}).get("count", 0)
        messages.add_metric([status.value.lower()], count)
    oldest = by_status.get(OutboxStatus.QUEUED, {}).get("oldest")
    age = (datetime.now(UTC) - _as_datetime(oldest)).total_seconds() if oldest else 0.0
    return [
        messages,
        _gauge(
            "outbox_oldest_queued_age_seconds",
            "Age of the oldest queued email (0 when none is queued).",
            max(age, 0.0),
        ),
    ]


def _as_datetime(value: Any) -> datetime:
    # An aggregate bypasses the field's conversion: SQLite gives its text back.
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _pool_gauges() -> list[Metric]:
    """asyncpg's pool of this process (PostgreSQL); SQLite has one connection, no pool."""
    with contextlib.suppress(KeyError):
        pool = getattr(connections.get("default"), "_pool", None)
        if isinstance(pool, asyncpg.Pool):
            used = GaugeMetricFamily(
                f"{PREFIX}_database_pool_connections",
                "Open connections of this process's database pool, by state.",
                labels=["state"],
            )
            used.add_metric(["in_use"], pool.get_size() - pool.get_idle_size())
            used.add_metric(["idle"], pool.get_idle_size())
            return [
                used,
                _gauge(
                    "database_pool_max_connections",
                    "Most connections the pool may open.",
                    pool.get_max_size(),
                ),
            ]
    return []


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}_{name}", documentation, value=value)


class _Snapshot(Collector):
    def __init__(self, metrics: list[Metric]) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        return iter(self._metrics)


class _ListenerLeavingSignalsAlone(uvicorn.Server):
    """The worker handles SIGTERM and SIGINT itself (it finishes the message in flight):
    uvicorn's own handlers would take the signal from it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def alongside_metrics_server(work: Coroutine[Any, Any, object], settings: Settings) -> None:
    """Runs `work` (the worker) with /metrics served on WORKER_METRICS_PORT beside it;
    returns when the work ends (or the listener fails)."""
    app = Starlette(routes=[Route("/metrics", metrics_endpoint(settings), methods=["GET"])])
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.worker_metrics_port,
        lifespan="off",
        access_log=False,
        # The process's logging is backend/logs.py's: uvicorn must neither install its
        # own handlers nor change the levels of its loggers, which are the app's too.
        log_config=None,
        log_level=None,
    )
    server = _ListenerLeavingSignalsAlone(config)
    worker = asyncio.create_task(work, name="worker")
    listener = asyncio.create_task(server.serve(), name="worker-metrics")
    try:
        await asyncio.wait([worker, listener], return_when=asyncio.FIRST_COMPLETED)
    finally:
        # The listener is asked to stop, not cancelled: a cancelled serve() leaves its
        # socket open.
        server.should_exit = True
        worker.cancel()
        await asyncio.gather(worker, listener, return_exceptions=True)
    if not worker.cancelled():
        worker.result()
