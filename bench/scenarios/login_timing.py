"""B6 `login_timing`: whether a failed sign-in tells a known username from an unknown one
by its time (a username-enumeration side channel). Alternating sign-ins of a known name
with a wrong password and of an unknown name (medians within 10 %), and the median of a
sign-in that succeeds."""

import asyncio
import time
import uuid

import asyncpg  # type: ignore[import-untyped]
import httpx

from bench.context import BenchContext, OurServer
from bench.data.fixture import connect_url
from bench.queries import LOGIN
from bench.report import Row, ms, upper_median, verdict
from bench.servers import tree_peak_rss_mb
from bench.statement_log import count_statements

NAME, ALIAS = "login_timing", "B6"


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


def run(ctx: BenchContext, server: OurServer) -> None:
    rounds = 10 if ctx.quick else 25
    practice_id = ctx.practice("large")["practice_id"]
    names = asyncio.run(known_usernames(ctx.database_url, practice_id, 2 * rounds + 2))
    with count_statements(ctx.database_url) as counted:
        login_timings(server.url, names[-2:], ctx.password, rounds=1)
    timings = login_timings(server.url, names[:-2], ctx.password, rounds)
    medians = {kind: upper_median(v) for kind, v in timings.items()}
    known, unknown = medians["known, wrong password"], medians["unknown"]
    difference = abs(known - unknown) / min(known, unknown)
    ctx.report.raw["B6"] = timings
    ctx.report.add(
        Row(
            "B6",
            f"login, median of {rounds}: known name + wrong password vs unknown name",
            ms(known),
            ms(unknown),
            f"{known / unknown:.2f}",
            "within 10 %",
            verdict(difference <= 0.10),
            f"{len(counted.statements) if counted.available else ''} (3 logins)",
            f"{tree_peak_rss_mb([server.pid]):.0f}",
        )
    )
    ctx.report.add(Row("B6", "login that succeeds: median", ms(medians["success"])))
