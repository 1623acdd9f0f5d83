"""Scenarios B3 to B6 against a running server of ours (see bench/run.py for the set-up).

Each returns plain dicts of figures; bench/run.py prints them. Latencies over HTTP come
from wrk (one connection for per-request latency), or from a sequential client for
operations that must not be repeated verbatim (staffCreate, login)."""

import asyncio
import contextlib
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import orjson

from backend.config import Settings
from backend.services.secrets import hash_secret
from bench.data.fixture import connect_url
from bench.load import LoadResult, run_wrk
from bench.reference_app import page_cursor
from bench.sqlcount import Recorded

QUERIES = Path(__file__).resolve().parent / "queries"
STAFF_PAGE = (QUERIES / "staff_page.graphql").read_text()
STAFF_SEARCH = (QUERIES / "staff_search.graphql").read_text()
STAFF_CREATE = """
mutation Create($input: StaffCreateInput!) {
  staffCreate(input: $input) { staffMember { id } userErrors { field code message } }
}
"""
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token userErrors { code } }
}
"""
REFERENCE_DATA = "query { roles { id name } providers { id } offices { id } }"


def page_body(status: str = "ACTIVE", first: int = 25, after: str | None = None) -> bytes:
    variables = {"status": status, "first": first, "after": after}
    return orjson.dumps({"query": STAFF_PAGE, "variables": variables})


def search_body(term: str, first: int = 25) -> bytes:
    return orjson.dumps({"query": STAFF_SEARCH, "variables": {"search": term, "first": first}})


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


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


def one_connection(url: str, body: bytes, token: str, seconds: int = 3) -> LoadResult:
    """Per-request latency: one connection, back to back."""
    return run_wrk(url, body, token=token, connections=1, threads=1, duration_s=seconds, warmup_s=1)


# B4 --------------------------------------------------------------------------------------


async def page_cursors(database_url: str, practice_id: str) -> dict[str, str | None]:
    """`after` cursors of the first page, page 1,000 and the last page of the Active tab,
    built as the app builds them (keyset: last name, first name, id)."""
    connection = await asyncpg.connect(connect_url(database_url))
    try:
        total = await connection.fetchval(
            "SELECT count(*) FROM staff_member WHERE practice_id = $1 AND status = 'ACTIVE'",
            uuid.UUID(practice_id),
        )

        async def cursor_before(row_index: int) -> str:
            row = await connection.fetchrow(
                "SELECT last_name, first_name, id FROM staff_member "
                "WHERE practice_id = $1 AND status = 'ACTIVE' "
                "ORDER BY last_name, first_name, id OFFSET $2 LIMIT 1",
                uuid.UUID(practice_id),
                row_index,
            )
            return page_cursor(row["last_name"], row["first_name"], row["id"])

        last_page_start = (total - 1) // 25 * 25
        return {
            "first page": None,
            "page 1,000": await cursor_before(999 * 25 - 1),
            "last page": await cursor_before(last_page_start - 1),
        }
    finally:
        await connection.close()


# B5 --------------------------------------------------------------------------------------


def hash_time_ms(settings: Settings, runs: int = 8) -> float:
    """Median time of one argon2id hash (the app's own function and parameters), alone."""

    async def measure() -> list[float]:
        await hash_secret("warm-up", settings)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            await hash_secret("Bench-Password-2026", settings)
            timings.append((time.perf_counter() - started) * 1000)
        return timings

    return statistics.median(asyncio.run(measure()))


def create_inputs(reference: dict[str, Any], count: int, run_id: str) -> list[dict[str, Any]]:
    role = next(r for r in reference["roles"] if r["name"] == "Nurse (System)")
    return [
        {
            "firstName": "Bench",
            "lastName": f"Create{i:04d}",
            "primaryProviderId": reference["providers"][0]["id"],
            "roleId": role["id"],
            "username": f"bench.{run_id}.{i}",
            "email": f"bench.{run_id}.{i}@example.org",
            "password": "Created-Staff-2026",
            "passwordConfirmation": "Created-Staff-2026",
            "appUnlockPin": "3952",
            "restrictOffices": True,
            "officeIds": [reference["offices"][0]["id"]],
        }
        for i in range(count)
    ]


def timed_creates(
    url: str,
    token: str,
    count: int,
    around_first: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext,
) -> list[float]:
    """`count` staffCreate calls one after the other; their latencies in ms. The first call
    runs inside `around_first()` (to count its SQL statements, say)."""
    headers = {"authorization": f"Bearer {token}"}
    with httpx.Client(timeout=30) as client:
        reference = client.post(url, json={"query": REFERENCE_DATA}, headers=headers).json()
        inputs = create_inputs(reference["data"], count, uuid.uuid4().hex[:8])
        timings = []
        for index, values in enumerate(inputs):
            body = {"query": STAFF_CREATE, "variables": {"input": values}}
            with around_first() if index == 0 else contextlib.nullcontext():
                started = time.perf_counter()
                response = client.post(url, json=body, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
            payload = response.json()["data"]["staffCreate"]
            if payload["userErrors"]:
                raise RuntimeError(f"staffCreate failed: {payload['userErrors']}")
    return timings


# B6 --------------------------------------------------------------------------------------


def login_timings(
    url: str, known_usernames: list[str], password: str, rounds: int
) -> dict[str, list[float]]:
    """Failed sign-ins, alternating: a known username with a wrong password, an unknown
    username; and successful ones. A different known name each time, so that no account
    reaches the progressive delay (the server runs with a high per-address limit)."""
    kinds: dict[str, list[float]] = {"known, wrong password": [], "unknown": [], "success": []}
    with httpx.Client(timeout=30) as client:

        def attempt(kind: str, username: str, secret: str, expect_token: bool) -> None:
            body = {
                "query": LOGIN,
                "variables": {"input": {"username": username, "password": secret}},
            }
            started = time.perf_counter()
            payload = client.post(url, json=body).json()["data"]["login"]
            kinds[kind].append((time.perf_counter() - started) * 1000)
            if bool(payload["token"]) != expect_token:
                raise RuntimeError(f"login {kind}: unexpected answer {payload['userErrors']}")

        for i in range(rounds):
            attempt("known, wrong password", known_usernames[2 * i], "Wrong-Password-2026", False)
            attempt("unknown", f"nobody.{uuid.uuid4().hex[:10]}", "Wrong-Password-2026", False)
            attempt("success", known_usernames[2 * i + 1], password, True)
    return kinds


async def known_usernames(database_url: str, practice_id: str, count: int) -> list[str]:
    connection = await asyncpg.connect(connect_url(database_url))
    try:
        rows = await connection.fetch(
            "SELECT username FROM staff_member WHERE practice_id = $1 AND status = 'ACTIVE' "
            "AND NOT two_factor_enabled ORDER BY id LIMIT $2",
            uuid.UUID(practice_id),
            count,
        )
    finally:
        await connection.close()
    return [row["username"] for row in rows]


async def record_statements(settings: Settings, body: dict[str, Any], token: str) -> Recorded:
    """The SQL statements one request makes, run in-process against the same database."""
    from bench.sqlcount import in_process_app, statements_of

    async with in_process_app(settings) as http:
        return await statements_of(http, body, token)
