"""B9 `webhooks` (issue 14): webhook delivery, the app's sender against a plain httpx loop, and what
webhooks add to staffCreate.

Delivery: `count` events are recorded through the app's own code (`webhook_events.record`,
one transaction each, as a staff change does) for one endpoint, then delivered by
`WebhookSender.deliver_due`, the pass that `WebhookSender.run` repeats in the worker. The
reference POSTs the same bodies, signed the same way, with one `httpx.AsyncClient`, a
batch of the sender's size at a time sent concurrently, and does no database work. The
two are interleaved (one reference batch, one sender pass, and so on; each side's time is
the sum of its own sections), so that both see the same load on a shared machine, as B7
does. The receiver is a bare asyncio HTTP/1.1 server answering 204 in a child process: it
costs little, so the figures are the clients'.

staffCreate: the same mutation over ASGI in two practices of one database, one with no
endpoint and one with an endpoint subscribed to `staff.created`, called in turn; the
medians and the SQL statements per call of each (no sender runs meanwhile: what is
measured is writing the event and its delivery with the change).

Target: sender >= 0.8 x plain httpx.

    python -m bench.scenarios.webhooks [--database-url URL] [--count N] [--profile FILE]

For PostgreSQL only the server part of the URL is used: the database
`staff_bench_webhooks` is created there and dropped afterwards. A `sqlite://` path must
not exist yet; it is created and removed.
"""

import argparse
import asyncio
import cProfile
import dataclasses
import json
import multiprocessing
import statistics
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from time import perf_counter
from typing import Any

import httpx
import orjson
import uvloop
from tortoise.transactions import in_transaction

from backend.app import create_app
from backend.config import Settings
from backend.db import is_postgres
from backend.models import Plan, Practice, WebhookDelivery, WebhookEndpoint
from backend.services.bootstrap import NewPractice, create_practice
from backend.webhooks import events, signing
from backend.webhooks.payloads import Actor, EventType
from backend.webhooks.sender import WebhookSender
from bench.context import BenchContext

# B7's helpers: a database of our own, and statements counted from Tortoise's log.
from bench.own_database import counting_statements, fresh_database
from bench.queries import LOGIN, REFERENCE_DATA, STAFF_CREATE
from bench.report import Row, ms, verdict
from bench.scenarios.mail import DEFAULT_DATABASE_URL
from bench.servers import run_module_json

BATCH = 50
TARGET_RATIO = 0.8
BENCH_DATABASE = "staff_bench_webhooks"
CREATE_CALLS = 25
PASSWORD = "Bench-Harbor-Lantern-4417"
_ANSWER = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"


# --- the receiver ------------------------------------------------------------------------


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            writer.write(_ANSWER)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _serve(pipe: Connection) -> None:
    async def serve() -> None:
        server = await asyncio.start_server(_answer, "127.0.0.1", 0, backlog=1024)
        pipe.send(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    uvloop.run(serve())


@contextmanager
def _receiver() -> Iterator[str]:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=_serve, args=(child,), daemon=True)
    process.start()
    try:
        yield f"http://127.0.0.1:{parent.recv()}/hook"
    finally:
        process.terminate()
        process.join()


# --- delivery ----------------------------------------------------------------------------


@dataclasses.dataclass
class _Tally:
    seconds: float = 0.0
    delivered: int = 0

    @contextmanager
    def section(self) -> Iterator[None]:
        started = perf_counter()
        try:
            yield
        finally:
            self.seconds += perf_counter() - started

    @property
    def per_second(self) -> float:
        return self.delivered / self.seconds if self.seconds else 0.0


async def _record(count: int, url: str, settings: Settings) -> None:
    practice = await Practice.create(name="Bench Practice", plan=Plan.INVOICED)
    await WebhookEndpoint.create(
        practice_id=practice.id,
        url=url,
        event_types=[EventType.STAFF_UPDATED.value],
        secret_encrypted=signing.seal(signing.new_secret(), settings),
    )
    for _ in range(count):
        async with in_transaction() as db:
            await events.record(
                type=EventType.STAFF_UPDATED,
                practice_id=practice.id,
                actor=Actor.system(),
                resource_id=uuid.uuid4(),
                data={"id": "x", "note": "bench"},
                using_db=db,
            )


async def _deliver(
    settings: Settings, url: str, count: int, profile: cProfile.Profile | None
) -> dict[str, Any]:
    await _record(count, url, settings)
    # The bodies in the order the sender claims them; the reference sends these.
    pending = await WebhookDelivery.all().order_by("next_attempt_at", "id").select_related("event")
    bodies = [orjson.dumps(delivery.event.payload).decode() for delivery in pending]
    secret = signing.new_secret()
    plain, ours, passes = _Tally(), _Tally(), 0
    sender = WebhookSender(settings, batch_size=BATCH)
    profiling = profile if profile is not None else nullcontext()
    async with httpx.AsyncClient(timeout=10) as client:

        async def post(body: str) -> None:
            headers = signing.headers(
                message_id=str(uuid.uuid4()),
                timestamp=datetime.now(UTC),
                body=body,
                secrets=[secret],
            )
            response = await client.post(url, content=body, headers=headers)
            assert response.status_code == 204, response.status_code

        claimed = None
        for start in range(0, count, BATCH):
            chunk = bodies[start : start + BATCH]
            with plain.section():
                await asyncio.gather(*(post(body) for body in chunk))
            plain.delivered += len(chunk)
            with ours.section(), profiling:
                claimed = await sender.deliver_due()
            ours.delivered += claimed
            passes += 1
        while claimed:  # then passes until one finds nothing, as `run` does
            with ours.section(), profiling:
                claimed = await sender.deliver_due()
            ours.delivered += claimed
            passes += 1
    await sender.aclose()
    delivered = await WebhookDelivery.filter(status="DELIVERED").count()
    return {
        "plain_events_per_s": plain.per_second,
        "sender_events_per_s": ours.per_second,
        "sender_passes": passes,
        "delivered": delivered,
        "ratio": ours.per_second / plain.per_second if plain.per_second else 0.0,
    }


# --- staffCreate -------------------------------------------------------------------------



async def _practice(settings: Settings, owner: str) -> Practice:
    practice, _ = await create_practice(
        NewPractice(
            name=f"Practice of {owner}",
            plan=Plan.INVOICED,
            provider_first_name="Hannah",
            provider_last_name="Provider",
            owner_first_name="Olivia",
            owner_last_name="Owner",
            owner_username=owner,
            owner_email=f"{owner}@example.com",
            owner_password=PASSWORD,
            owner_pin="4827",
        ),
        settings=settings,
    )
    return practice


async def _staff_create(settings: Settings, url: str) -> dict[str, Any]:
    await _practice(settings, "owner.plain")
    subscribed = await _practice(settings, "owner.hooked")
    await WebhookEndpoint.create(
        practice_id=subscribed.id,
        url=url,
        event_types=[EventType.STAFF_CREATED.value],
        secret_encrypted=signing.seal(signing.new_secret(), settings),
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:

        async def call(query: str, variables: dict[str, Any], token: str = "") -> Any:
            headers = {"authorization": f"Bearer {token}"} if token else {}
            response = await http.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            response.raise_for_status()
            return response.json()["data"]

        async def creator(owner: str) -> Any:
            login = {"input": {"username": owner, "password": PASSWORD}}
            token = (await call(LOGIN, login))["login"]["token"]
            reference = await call(REFERENCE_DATA, {}, token)
            nurse = next(r["id"] for r in reference["roles"] if r["name"] == "Nurse (System)")
            provider = reference["providers"][0]["id"]

            async def create(number: int) -> float:
                username = f"{owner}.hire.{number}"
                new_staff = {
                    "firstName": "Probe",
                    "lastName": "Newhire",
                    "primaryProviderId": provider,
                    "roleId": nurse,
                    "username": username,
                    "email": f"{username}@example.com",
                    "password": "Given-Secret-2026",
                    "passwordConfirmation": "Given-Secret-2026",
                    "appUnlockPin": "7316",
                }
                started = perf_counter()
                payload = (await call(STAFF_CREATE, {"input": new_staff}, token))["staffCreate"]
                elapsed = perf_counter() - started
                if payload["userErrors"]:
                    raise RuntimeError(f"staffCreate failed: {payload}")
                return elapsed

            return create

        plain, hooked = await creator("owner.plain"), await creator("owner.hooked")
        times: dict[str, list[float]] = {"plain": [], "hooked": []}
        statements: dict[str, int] = {"plain": 0, "hooked": 0}
        for number in range(CREATE_CALLS):
            for side, create in (("plain", plain), ("hooked", hooked)):
                with counting_statements() as counted:
                    times[side].append(await create(number))
                statements[side] += sum(counted.values())
    queued = await WebhookDelivery.filter(endpoint__practice_id=subscribed.id).count()
    assert queued == CREATE_CALLS, queued
    plain_ms = statistics.median(times["plain"]) * 1000
    hooked_ms = statistics.median(times["hooked"]) * 1000
    return {
        "calls": CREATE_CALLS,
        "no_endpoint_ms": plain_ms,
        "one_endpoint_ms": hooked_ms,
        "added_ms": hooked_ms - plain_ms,
        "no_endpoint_statements": statements["plain"] / CREATE_CALLS,
        "one_endpoint_statements": statements["hooked"] / CREATE_CALLS,
    }


# --- the benchmark -----------------------------------------------------------------------


async def run_b9(
    database_url: str = DEFAULT_DATABASE_URL,
    count: int = 2000,
    profile: cProfile.Profile | None = None,
) -> dict[str, Any]:
    with _receiver() as url:
        async with fresh_database(database_url, BENCH_DATABASE) as fresh:
            # The test environment's fast password hashing: staffCreate's figure is then
            # mostly everything but argon2, which is what webhooks could slow down.
            settings = Settings(
                environment="test",
                database_url=fresh,
                public_base_url="https://staff.example.test",
                password_hash_profile="fast",
                run_outbox_sender=False,
            )
            delivery = await _deliver(settings, url, count, profile)
            create = await _staff_create(settings, url)
    return {
        "count": count,
        "database": "postgresql" if is_postgres(database_url) else "sqlite",
        **delivery,
        "staff_create": create,
        "target_met": delivery["ratio"] >= TARGET_RATIO and delivery["delivered"] == count,
    }


def _report(result: dict[str, Any]) -> str:
    create = result["staff_create"]
    return "\n".join(
        [
            f"B9 webhooks: {result['count']} events, {result['database']}, local receiver",
            f"  plain httpx    {result['plain_events_per_s']:6.0f} events/s",
            f"  WebhookSender  {result['sender_events_per_s']:6.0f} events/s"
            f"  ({result['ratio']:.2f} x plain; target >= {TARGET_RATIO});"
            f" {result['delivered']} delivered in {result['sender_passes']} passes",
            f"  staffCreate median of {create['calls']}: {create['no_endpoint_ms']:.1f} ms"
            f" with no endpoint, {create['one_endpoint_ms']:.1f} ms with one subscribed"
            f" ({create['added_ms']:+.1f} ms; SQL {create['no_endpoint_statements']:.0f}"
            f" -> {create['one_endpoint_statements']:.0f} statements)",
            f"  target met: {'yes' if result['target_met'] else 'NO'}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scenarios.webhooks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="one line of JSON (for bench.run)")
    parser.add_argument("--profile", default=None, help="write the sender passes' cProfile here")
    args = parser.parse_args(argv)
    profile = cProfile.Profile() if args.profile else None
    result = asyncio.run(run_b9(args.database_url, args.count, profile))
    if profile is not None:
        profile.dump_stats(args.profile)
    if args.json:
        print(json.dumps(result, default=str))
        return 0
    print(_report(result))
    return 0 if result["target_met"] else 1


NAME, ALIAS = "webhooks", "B9"


def run(ctx: BenchContext) -> None:
    """B9 in a fresh interpreter of its own (its own database and receiver)."""
    count = 500 if ctx.quick else 2000
    figures = run_module_json(
        "bench.scenarios.webhooks",
        "--json",
        f"--database-url={ctx.database_url}",
        f"--count={count}",
    )
    ctx.report.raw["B9"] = figures
    ctx.report.add(
        Row(
            "B9",
            f"webhooks: {count} events to a local receiver, events/s",
            f"{figures['sender_events_per_s']:.0f}",
            f"plain httpx loop {figures['plain_events_per_s']:.0f}",
            f"{figures['ratio']:.2f}",
            ">= 0.8",
            verdict(figures["target_met"]),
        )
    )
    create = figures["staff_create"]
    ctx.report.add(
        Row(
            "B9",
            f"staffCreate with 1 subscribed endpoint: median of {create['calls']}",
            ms(create["one_endpoint_ms"]),
            f"no endpoint {ms(create['no_endpoint_ms'])}",
            f"{create['added_ms']:+.1f} ms",
            "report",
            "",
            f"{create['one_endpoint_statements']:.0f} (vs {create['no_endpoint_statements']:.0f})",
        )
    )


if __name__ == "__main__":
    sys.exit(main())
