"""Which SQL statements one request makes: run it in-process with Tortoise's clients wrapped.

Counts every statement Tortoise sends (queries, inserts, updates); BEGIN/COMMIT of a
transaction are not counted. The recorded statements are also what the B3 and B8 references
replay through the raw driver (`replay` here; SQLite: bench/data/sqlite_copy.py), so that
"the same SQL" is literally the same."""

import contextlib
import statistics
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from starlette.applications import Starlette
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.sqlite.client import SqliteClient

from backend import sqlite_engine
from backend.app import create_app
from backend.config import Settings
from bench.data.fixture import connect_url
from bench.report import percentile

_METHODS = (
    "execute_query",
    "execute_query_dict",
    "execute_insert",
    "execute_many",
    "execute_script",
)


@dataclass
class Recorded:
    statements: list[tuple[str, list[Any]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def recording() -> Iterator[Recorded]:
    recorded = Recorded()
    originals: list[tuple[type, str, Callable[..., Any]]] = []
    # The app's SQLite engine defines its own execute_query (backend/sqlite_engine.py):
    # each method is wrapped in the class that defines it, so every call is recorded once.
    own_engine = [
        c for c in sqlite_engine.SqliteClient.__mro__ if c.__module__ == sqlite_engine.__name__
    ]
    for client in (AsyncpgDBClient, SqliteClient, *own_engine):
        for name in _METHODS:
            if name not in vars(client):
                continue
            original = getattr(client, name)
            originals.append((client, name, original))

            def wrapper(
                self: Any, query: str, *args: Any, _original: Any = original, **kwargs: Any
            ) -> Any:
                values = args[0] if args else kwargs.get("values")
                recorded.statements.append((query, list(values or [])))
                return _original(self, query, *args, **kwargs)

            setattr(client, name, wrapper)
    try:
        yield recorded
    finally:
        for patched, name, original in originals:
            setattr(patched, name, original)


@contextlib.asynccontextmanager
async def in_process_app(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app, its lifespan run, reachable through httpx without a socket."""
    app: Starlette = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="https://bench.localhost"
        ) as http:
            yield http


async def statements_of(
    http: httpx.AsyncClient, body: dict[str, Any], token: str | None
) -> Recorded:
    """Run one GraphQL request and return the statements it made (after one warm-up call,
    so that one-off work such as caches does not count)."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    await http.post("/graphql", json=body, headers=headers)
    with recording() as recorded:
        response = await http.post("/graphql", json=body, headers=headers)
    response.raise_for_status()
    if "errors" in response.json():
        raise RuntimeError(f"request failed: {response.json()['errors']}")
    return recorded


async def record_statements(settings: Settings, body: dict[str, Any], token: str) -> Recorded:
    """The SQL statements one request makes, run in-process against the same database."""
    async with in_process_app(settings) as http:
        return await statements_of(http, body, token)


async def replay(database_url: str, recorded: Recorded, runs: int) -> dict[str, float]:
    """The statements one request made, replayed in order through asyncpg on one connection
    `runs` times: the database's share of the request, without our code around it."""
    # As backend/db.py configures the app's connections: generic plans of the search
    # (LIKE on the trigram index) take seconds.
    connection = await asyncpg.connect(
        connect_url(database_url), server_settings={"plan_cache_mode": "force_custom_plan"}
    )
    try:
        statements = [(sql, values) for sql, values in recorded.statements]
        for sql, values in statements:  # warm-up: plans and caches
            await connection.fetch(sql, *values)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            for sql, values in statements:
                await connection.fetch(sql, *values)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        await connection.close()
    return {"p50_ms": statistics.median(timings), "p99_ms": percentile(timings, 0.99)}
