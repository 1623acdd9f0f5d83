"""A PostgreSQL restart under load, against the real app in its own process: while the
database is away every answer is either a normal one or a GraphQL-shaped 503 with
Retry-After (never a plain-text 500), and once it is back the same process answers
every request again and its outbox sender delivers mail again.

The cluster is the test's own (see postgres_cluster.py): the shared server is never
stopped."""

import asyncio
import os
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from backend.config import Settings
from backend.db import apply_migrations, close_database, open_database
from backend.models import Plan
from tests.api.client import LOGIN, GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD, make_practice
from tests.api.staff_factory import create_staff
from tests.http import postgres_cluster
from tests.http.postgres_cluster import PostgresCluster
from tests.live_server import free_port, live_server

VIEWER = "{ viewer { account { username } } }"
ANONYMOUS = "{ __typename }"
OWNER = "outage-owner"
NEW_STAFF_EMAIL = "after.outage@example.com"
WORKERS = 4
# Every phase is bounded in time; the whole test takes about 10 s.
WARM_UP_SECONDS = 1.0
OUTAGE_SECONDS = 2.0
RECOVERY_DEADLINE_SECONDS = 15.0
MAIL_DEADLINE_SECONDS = 10.0
REQUEST_TIMEOUT_SECONDS = 5.0
PAUSE_BETWEEN_REQUESTS = 0.02
CONSECUTIVE_AFTER_RECOVERY = 30
# asyncpg's words for a connection still busy with (or broken by) an earlier operation:
# "another operation is in progress", "cannot switch to state 11; another operation (2)
# is in progress".
ANOTHER_OPERATION = re.compile(r"another operation (\(\d+\) )?is in progress")


@dataclass(frozen=True)
class Answer:
    phase: str
    authenticated: bool
    status: int
    content_type: str
    retry_after: str | None
    code: str | None
    has_data: bool
    text: str

    @property
    def succeeded(self) -> bool:
        return self.status == 200 and self.has_data and self.code is None

    @property
    def is_service_unavailable(self) -> bool:
        return (
            self.status == 503
            and self.content_type.startswith("application/json")
            and self.code == "SERVICE_UNAVAILABLE"
            and self.retry_after is not None
            and self.retry_after.isdigit()
        )

    @property
    def is_json_200(self) -> bool:
        return self.status == 200 and self.content_type.startswith("application/json")


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    reason = postgres_cluster.unavailable_reason()
    if reason and os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
    if reason:
        pytest.skip(reason)
    with postgres_cluster.throwaway_cluster(free_port()) as owned:
        yield owned


@pytest.fixture
async def prepared_database(cluster: PostgresCluster) -> AsyncIterator[str]:
    """The cluster's database, migrated, with a practice whose owner is OWNER."""
    url = cluster.url()
    # Compiled SQL is cached per connection name, not per dialect (see tests/conftest.py).
    EXECUTOR_CACHE.clear()
    await apply_migrations(url)
    settings = Settings(environment="test", database_url=url, password_hash_profile="fast")
    await open_database(url)
    try:
        await make_practice(settings, "Outage Clinic", OWNER, Plan.INVOICED)
    finally:
        await close_database()
        EXECUTOR_CACHE.clear()
    yield url


@pytest.fixture
def server(prepared_database: str, tmp_path: Path) -> Iterator[str]:
    with live_server(
        tmp_path,
        demo=False,
        DATABASE_URL=prepared_database,
        MIGRATE_ON_START="false",
    ) as base:
        yield base


async def test_a_database_restart_gives_json_503s_then_full_recovery(
    cluster: PostgresCluster, server: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=server, timeout=REQUEST_TIMEOUT_SECONDS) as http:
        token = await _sign_in(http)
        answers: list[Answer] = []

        async def load(phase: str, seconds: float) -> None:
            await _load(http, token, answers, phase=phase, seconds=seconds)

        await load("before", WARM_UP_SECONDS)
        # The stop itself happens under load: sessions are cut while requests run.
        await asyncio.gather(asyncio.to_thread(cluster.stop), load("stopping", 0.5))
        await load("down", OUTAGE_SECONDS)
        await asyncio.gather(asyncio.to_thread(cluster.start), load("starting", 0.5))
        recovered_after = await _until_one_succeeds(http, token, answers)
        after = [
            await _ask(http, token, "after", authenticated=True)
            for _ in range(CONSECUTIVE_AFTER_RECOVERY)
        ]
        answers.extend(after)
        # The outbox sender, a task as old as the process, polled all through the outage.
        mail_after = await _seconds_until_activation_email(http, token)

    duration = time.monotonic() - started
    report = _report(answers, duration, tmp_path / "server.log")
    report += f"\n  first success {recovered_after}s after the restart; mail after {mail_after}s"
    print(report)

    unexpected = [a for a in answers if not (a.is_json_200 or a.is_service_unavailable)]
    assert not unexpected, f"answers that are neither JSON 200 nor JSON 503:\n{report}"
    assert any(a.is_service_unavailable for a in answers), f"no 503 while down:\n{report}"
    assert all(a.succeeded for a in answers if a.phase == "before"), report
    assert recovered_after is not None, f"no success within the recovery deadline:\n{report}"
    assert all(a.succeeded for a in after), f"failures after recovery:\n{report}"
    assert mail_after is not None, f"no activation email after recovery:\n{report}"
    log = (tmp_path / "server.log").read_text()
    assert log.count("Started server process") == 1, "the app restarted"
    # uvicorn's words for an exception that escaped the app (a plain-text 500).
    assert "Exception in ASGI application" not in log, log[-4000:]


async def _sign_in(http: httpx.AsyncClient) -> str:
    credentials = {"username": OWNER, "password": ADMIN_PASSWORD}
    response = await http.post(
        "/graphql", json={"query": LOGIN, "variables": {"input": credentials}}
    )
    payload = response.json()["data"]["login"]
    assert payload["userErrors"] == [], payload
    token: str = payload["token"]
    # Login also set the session cookie; without it the anonymous asks stay anonymous
    # (and need no CSRF header), the signed-in ones use the bearer token.
    http.cookies.clear()
    return token


async def _seconds_until_activation_email(http: httpx.AsyncClient, token: str) -> float | None:
    """Add a staff member, then wait (bounded) for the activation email in the development
    mailbox; None when it does not come."""
    client = GraphQLClient(http)
    client.token = token
    await create_staff(client, email=NEW_STAFF_EMAIL)
    started = time.monotonic()
    while time.monotonic() - started < MAIL_DEADLINE_SECONDS:
        messages = (await http.get("/dev/mailbox")).json()["messages"]
        if any(message["to"] == [NEW_STAFF_EMAIL] for message in messages):
            return round(time.monotonic() - started, 2)
        await asyncio.sleep(0.1)
    return None


async def _load(
    http: httpx.AsyncClient, token: str, answers: list[Answer], *, phase: str, seconds: float
) -> None:
    """WORKERS concurrent loops for `seconds`, alternating signed-in and anonymous asks."""
    deadline = time.monotonic() + seconds

    async def worker(number: int) -> None:
        authenticated = number % 2 == 0
        while time.monotonic() < deadline:
            answers.append(await _ask(http, token, phase, authenticated=authenticated))
            authenticated = not authenticated
            await asyncio.sleep(PAUSE_BETWEEN_REQUESTS)

    await asyncio.gather(*(worker(n) for n in range(WORKERS)))


async def _until_one_succeeds(
    http: httpx.AsyncClient, token: str, answers: list[Answer]
) -> float | None:
    """Seconds from now until a signed-in ask succeeds; None past the deadline."""
    started = time.monotonic()
    while time.monotonic() - started < RECOVERY_DEADLINE_SECONDS:
        answer = await _ask(http, token, "recovering", authenticated=True)
        answers.append(answer)
        if answer.succeeded:
            return round(time.monotonic() - started, 2)
        await asyncio.sleep(0.1)
    return None


async def _ask(http: httpx.AsyncClient, token: str, phase: str, *, authenticated: bool) -> Answer:
    headers = {"authorization": f"Bearer {token}"} if authenticated else {}
    query = VIEWER if authenticated else ANONYMOUS
    try:
        response = await http.post("/graphql", json={"query": query}, headers=headers)
    except httpx.TransportError as exc:
        return Answer(phase, authenticated, 0, "", None, None, False, f"transport: {exc!r}")
    content_type = response.headers.get("content-type", "")
    code = None
    has_data = False
    if content_type.startswith("application/json"):
        body: Any = response.json()
        errors = body.get("errors") or []
        code = next((e.get("extensions", {}).get("code") for e in errors), None)
        if errors and code is None:
            code = "(no code)"
        has_data = bool(body.get("data"))
    return Answer(
        phase=phase,
        authenticated=authenticated,
        status=response.status_code,
        content_type=content_type,
        retry_after=response.headers.get("retry-after"),
        code=code,
        has_data=has_data,
        text=response.text[:300],
    )


def _report(answers: list[Answer], duration: float, log_path: Path) -> str:
    lines = [f"{len(answers)} answers in {duration:.1f}s"]
    by_phase: dict[str, Counter[str]] = {}
    for answer in answers:
        key = f"{answer.status} {answer.code or 'ok'}"
        by_phase.setdefault(answer.phase, Counter())[key] += 1
    for phase, counts in by_phase.items():
        lines.append(f"  {phase:<10} " + ", ".join(f"{k}: {n}" for k, n in counts.most_common()))
    seen: set[tuple[int, str | None]] = set()
    for answer in answers:
        if answer.succeeded or (answer.status, answer.code) in seen:
            continue
        seen.add((answer.status, answer.code))
        lines.append(
            f"  e.g. {answer.status} {answer.content_type!r} retry-after={answer.retry_after} "
            f"{answer.text[:200]!r}"
        )
    log = log_path.read_text() if log_path.exists() else ""
    lines.append(
        f"  server log: {log.count('Exception in ASGI application')} unhandled exceptions, "
        f"{len(re.findall(ANOTHER_OPERATION, log))} 'another operation ... is in progress'"
    )
    return "\n".join(lines)
