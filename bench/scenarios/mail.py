"""B7 `mail` (issue 5): activation email sending, the outbox sender against a raw aiosmtplib loop.

`count` activation emails are queued through the app's own code (`activation_links.issue`,
one transaction per email, as `staffCreate` does) on a fresh database, then drained into a
local aiosmtpd sink by the app's sender: `OutboxSender.send_due`, the pass that
`OutboxSender.run` repeats in the lifespan and in `staff-accounts worker`, called until a
pass finds nothing (what `run` does with a backlog). The reference sends the same messages,
as rendered when they were queued, with `sendmail` over one reused aiosmtplib connection:
SMTP alone, the floor.

The two are interleaved: one raw chunk of 50 messages (the sender's batch size), then one
sender pass, and so on; each side's time is the sum of its own sections. Both therefore see
the same load on a shared machine. The raw connection stays open throughout.

The sink runs in a child process, so that its Python work does not share this process's
GIL with the client being measured. SQL statements are counted from Tortoise's
`tortoise.db_client` logger, which logs every statement it sends (BEGIN and COMMIT
excepted) at DEBUG; the level is lowered only while counting. Peak memory is this
process's VmHWM, reset (Linux `clear_refs`) before the measured phase.

Target: sender >= 0.8 x raw, no SMTP connection per message, `staffCreate` only enqueues.

    python -m bench.scenarios.mail [--database-url URL] [--count N]

For PostgreSQL only the server part of the URL is used: the database `staff_bench_mail` is
created there and dropped afterwards. A `sqlite://` path must not exist yet; it is created
and removed.
"""

import argparse
import asyncio
import contextlib
import dataclasses
import json
import multiprocessing
import socket
import statistics
import sys
from collections import Counter
from collections.abc import Iterator
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from pathlib import Path
from time import perf_counter
from typing import Any

import aiosmtplib
import httpx
from aiosmtpd.controller import Controller
from tortoise.transactions import in_transaction

from backend.app import create_app
from backend.config import Settings
from backend.db import is_postgres
from backend.mail.body_crypto import decrypt_body
from backend.mail.mime import envelope_sender
from backend.mail.sender import OutboxSender
from backend.models import OutboxMessage, OutboxStatus, Plan, Practice, Provider, Role, StaffMember
from backend.services import activation_links
from backend.services.bootstrap import NewPractice, create_practice
from backend.services.secrets import hash_secret
from bench.context import BenchContext
from bench.own_database import counting_statements, fresh_database
from bench.queries import LOGIN, REFERENCE_DATA, STAFF_CREATE
from bench.report import Row, verdict
from bench.servers import run_module_json

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "staff_bench_mail"
TARGET_RATIO = 0.8
# OutboxSender's default batch_size, which the lifespan and the worker use.
CHUNK = 50
SINK_HOST = "127.0.0.1"
# staffCreate calls per SMTP condition (the median is reported).
PROBE_CALLS = 3
OWNER_USERNAME = "bench.owner"
OWNER_PASSWORD = "Bench-Harbor-Lantern-4417"



# --- the SMTP sink ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SinkCounts:
    messages: int = 0
    sessions: int = 0
    bytes: int = 0

    def __add__(self, other: "SinkCounts") -> "SinkCounts":
        return SinkCounts(
            self.messages + other.messages, self.sessions + other.sessions, self.bytes + other.bytes
        )

    def __sub__(self, other: "SinkCounts") -> "SinkCounts":
        return SinkCounts(
            self.messages - other.messages, self.sessions - other.sessions, self.bytes - other.bytes
        )


@dataclasses.dataclass(frozen=True)
class _SharedCounts:
    messages: "Synchronized[int]"
    sessions: "Synchronized[int]"
    bytes: "Synchronized[int]"


class _CountingHandler:
    """Accepts everything, keeps nothing; a session is counted by its greeting (EHLO/HELO)."""

    def __init__(self, counts: _SharedCounts) -> None:
        self._counts = counts

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        _add(self._counts.sessions, 1)
        return responses

    async def handle_HELO(self, server: Any, session: Any, envelope: Any, hostname: str) -> str:
        session.host_name = hostname
        _add(self._counts.sessions, 1)
        return f"250 {server.hostname}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # Counted before the reply: once a send returns, the sink's counts include it.
        _add(self._counts.messages, len(envelope.rcpt_tos))
        _add(self._counts.bytes, len(envelope.content))
        return "250 Message accepted for delivery"


def _add(counter: "Synchronized[int]", amount: int) -> None:
    with counter.get_lock():
        counter.value += amount


def _serve_sink(port: int, counts: _SharedCounts, ready: Event, stop: Event) -> None:
    controller = Controller(_CountingHandler(counts), hostname=SINK_HOST, port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class Sink:
    """An aiosmtpd Controller on 127.0.0.1 in a child process, counting what it receives."""

    def __init__(self) -> None:
        # fork: the child needs only this module's functions, where spawn would re-run a
        # caller's unguarded main module.
        context = multiprocessing.get_context("fork")
        self.port = _free_port()
        self._counts = _SharedCounts(
            context.Value("q", 0), context.Value("q", 0), context.Value("q", 0)
        )
        self._ready = context.Event()
        self._stop = context.Event()
        self._process = context.Process(
            target=_serve_sink,
            args=(self.port, self._counts, self._ready, self._stop),
            name="smtp-sink",
            daemon=True,
        )

    def start(self) -> None:
        self._process.start()
        if not self._ready.wait(timeout=30):
            self._process.kill()
            raise RuntimeError("the SMTP sink did not start")

    def stop(self) -> None:
        self._stop.set()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()

    def counts(self) -> SinkCounts:
        return SinkCounts(
            self._counts.messages.value, self._counts.sessions.value, self._counts.bytes.value
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((SINK_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


# --- measuring helpers -----------------------------------------------------------------


@dataclasses.dataclass
class _Tally:
    """Time spent in, and what the sink received during, a side's sections."""

    seconds: float = 0.0
    received: SinkCounts = dataclasses.field(default_factory=SinkCounts)

    @contextlib.contextmanager
    def section(self, sink: Sink) -> Iterator[None]:
        before = sink.counts()
        started = perf_counter()
        try:
            yield
        finally:
            self.seconds += perf_counter() - started
            self.received += sink.counts() - before

    @property
    def per_second(self) -> float:
        return self.received.messages / self.seconds if self.seconds > 0 else 0.0


def _reset_peak_rss() -> None:
    """Start a new VmHWM period (Linux: writing 5 to clear_refs resets the peak RSS)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _memory_mib(field: str) -> float | None:
    """VmHWM (peak) or VmRSS (current) of this process, from /proc/self/status."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return None


async def _seed(settings: Settings, count: int) -> tuple[Practice, list[StaffMember]]:
    """A practice, its owner and `count` pending staff (placeholder hashes: no argon2)."""
    practice, _ = await create_practice(
        NewPractice(
            name="Riverside Family Practice",
            plan=Plan.INVOICED,
            provider_first_name="Hannah",
            provider_last_name="Provider",
            owner_first_name="Olivia",
            owner_last_name="Owner",
            owner_username=OWNER_USERNAME,
            owner_email="bench.owner@example.com",
            owner_password=OWNER_PASSWORD,
            owner_pin="4827",
        ),
        settings=settings,
    )
    role = await Role.get(name="Staff (System)")
    provider = await Provider.get(practice=practice)
    staff = [
        StaffMember(
            practice=practice,
            role=role,
            primary_provider=provider,
            first_name=f"First{number:04}",
            last_name=f"Last{number:04}",
            username=f"user{number:04}",
            username_key=f"user{number:04}",
            email=f"user{number:04}@example.com",
            password_hash="placeholder",
            pin_hash="placeholder",
        )
        for number in range(count)
    ]
    await StaffMember.bulk_create(staff, batch_size=500)
    return practice, staff


async def _outbox_statuses() -> dict[str, int]:
    rows = await OutboxMessage.all().values_list("status", flat=True)
    return dict(Counter(OutboxStatus(status).value for status in rows))


# --- the phases ------------------------------------------------------------------------


async def _enqueue(practice: Practice, staff: list[StaffMember], settings: Settings) -> float:
    """What staffCreate does for the email: link, rendered message and outbox row, in one
    transaction per staff member."""
    started = perf_counter()
    for member in staff:
        async with in_transaction() as connection:
            await activation_links.issue(member, practice, settings=settings, using_db=connection)
    return perf_counter() - started


async def _sender_and_raw(
    settings: Settings, sink: Sink, rows: list[OutboxMessage]
) -> tuple[_Tally, _Tally, int]:
    """Drain the outbox with the app's sender and send `rows` with a raw loop, interleaved."""
    sender = OutboxSender(settings)
    sender_tally, raw_tally, passes = _Tally(), _Tally(), 0
    smtp = aiosmtplib.SMTP(hostname=SINK_HOST, port=sink.port, timeout=10)
    with raw_tally.section(sink):
        await smtp.connect()
    for start in range(0, len(rows), CHUNK):
        # Built outside the timed section, from the rows the sender is about to claim.
        # The reference sends the bytes rendered when queued as they are: SMTP alone.
        mail_from = envelope_sender(settings)
        messages = [
            ((decrypt_body(row.mime, settings) or "").encode(), row.recipient)
            for row in rows[start : start + CHUNK]
        ]
        with raw_tally.section(sink):
            for rendered, recipient in messages:
                await smtp.sendmail(mail_from, [recipient], rendered)
        passes += 1
        with sender_tally.section(sink):
            await sender.send_due(keep_connection=True)
    # Then passes until one finds nothing, as OutboxSender.run does with a backlog (which
    # keeps its connection from a full batch to the next).
    delivered = None
    while delivered != 0:
        passes += 1
        with sender_tally.section(sink):
            delivered = await sender.send_due(keep_connection=True)
    with sender_tally.section(sink):
        await sender.close()
    with raw_tally.section(sink):
        await smtp.quit()
    return sender_tally, raw_tally, passes


async def _probe_staff_create(settings: Settings, sink: Sink) -> dict[str, Any]:
    """Real staffCreate calls over ASGI, first with SMTP pointing at the live sink, then with
    SMTP unreachable. The lifespan is not entered, so no sender task runs beside them: what
    reaches the sink meanwhile would come from the mutation itself."""
    hash_times = []
    for _ in range(PROBE_CALLS):
        started = perf_counter()
        await hash_secret("Probe-Secret-2026", settings)
        hash_times.append(perf_counter() - started)
    queued_before = (await _outbox_statuses()).get(OutboxStatus.QUEUED.value, 0)
    before = sink.counts()
    reachable = await _time_staff_create(settings, "reachable")
    during = sink.counts() - before
    unreachable = await _time_staff_create(
        dataclasses.replace(settings, smtp_port=_free_port()), "unreachable"
    )
    queued_after = (await _outbox_statuses()).get(OutboxStatus.QUEUED.value, 0)
    return {
        "calls": PROBE_CALLS,
        "argon2_hash_ms": statistics.median(hash_times) * 1000,
        "staff_create_ms": statistics.median(reachable) * 1000,
        "staff_create_smtp_unreachable_ms": statistics.median(unreachable) * 1000,
        "smtp_sessions_during_staff_create": during.sessions,
        "messages_during_staff_create": during.messages,
        "outbox_rows_queued": queued_after - queued_before,
    }


async def _time_staff_create(settings: Settings, label: str) -> list[float]:
    """Sign in as the owner, then time PROBE_CALLS staffCreate requests."""
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:

        async def call(query: str, variables: dict[str, Any], token: str = "") -> Any:
            headers = {"authorization": f"Bearer {token}"} if token else {}
            body = {"query": query, "variables": variables}
            response = await http.post("/graphql", json=body, headers=headers)
            response.raise_for_status()
            return response.json()["data"]

        login = {"input": {"username": OWNER_USERNAME, "password": OWNER_PASSWORD}}
        token = (await call(LOGIN, login))["login"]["token"]
        reference = await call(REFERENCE_DATA, {}, token)
        nurse = next(role for role in reference["roles"] if role["name"] == "Nurse (System)")
        times = []
        for number in range(PROBE_CALLS):
            username = f"probe.{label}.{number}"
            new_staff = {
                "firstName": "Probe",
                "lastName": "Newhire",
                "primaryProviderId": reference["providers"][0]["id"],
                "roleId": nurse["id"],
                "username": username,
                "email": f"{username}@example.com",
                "password": "Given-Secret-2026",
                "passwordConfirmation": "Given-Secret-2026",
                "appUnlockPin": "7316",
            }
            started = perf_counter()
            payload = (await call(STAFF_CREATE, {"input": new_staff}, token))["staffCreate"]
            times.append(perf_counter() - started)
            if payload["userErrors"] or payload["staffMember"]["status"] != "PENDING":
                raise RuntimeError(f"staffCreate failed: {payload}")
    return times


# --- the benchmark ---------------------------------------------------------------------


async def run_b7(database_url: str = DEFAULT_DATABASE_URL, count: int = 2000) -> dict[str, Any]:
    sink = Sink()
    sink.start()  # forks: before this process has started any other thread
    try:
        async with fresh_database(database_url, BENCH_DATABASE) as url:
            settings = Settings(
                environment="test",
                database_url=url,
                public_base_url="https://staff.example.test",
                smtp_host=SINK_HOST,
                smtp_port=sink.port,
            )
            return await _measure(settings, sink, count)
    finally:
        sink.stop()


async def _measure(settings: Settings, sink: Sink, count: int) -> dict[str, Any]:
    practice, staff = await _seed(settings, count)
    with counting_statements() as enqueue_sql:
        enqueue_seconds = await _enqueue(practice, staff, settings)

    # In the order the sender claims them; the raw loop sends these.
    rows = await OutboxMessage.filter(status=OutboxStatus.QUEUED).order_by("next_attempt_at", "id")
    rss_before = _memory_mib("VmRSS")
    _reset_peak_rss()
    with counting_statements() as sender_sql:
        sender, raw, passes = await _sender_and_raw(settings, sink, rows)
    peak = _memory_mib("VmHWM")
    outbox = await _outbox_statuses()

    mutation = await _probe_staff_create(settings, sink)
    ratio = sender.per_second / raw.per_second if raw.per_second else 0.0
    statements = sum(sender_sql.values())
    return {
        "count": count,
        "database": "postgresql" if is_postgres(settings.database_url) else "sqlite",
        "enqueue_seconds": enqueue_seconds,
        "enqueue_statements": dict(enqueue_sql),
        "sender_seconds": sender.seconds,
        "sender_msgs_per_s": sender.per_second,
        "sender_passes": passes,
        "sender_smtp_connections": sender.received.sessions,
        "sender_delivered": sender.received.messages,
        "sender_bytes": sender.received.bytes,
        "sender_statements": dict(sender_sql),
        "sender_statements_per_message": statements / count,
        "sender_statements_per_pass": statements / passes,
        "outbox_after_drain": outbox,
        "raw_seconds": raw.seconds,
        "raw_msgs_per_s": raw.per_second,
        "raw_smtp_connections": raw.received.sessions,
        "raw_delivered": raw.received.messages,
        "raw_bytes": raw.received.bytes,
        "ratio": ratio,
        "rss_before_drain_mib": rss_before,
        "peak_rss_during_drain_mib": peak,
        "staff_create": mutation,
        "target_met": (
            ratio >= TARGET_RATIO
            and sender.received.messages == count
            and outbox.get(OutboxStatus.SENT.value) == count
            and sender.received.sessions < count
            and mutation["smtp_sessions_during_staff_create"] == 0
        ),
    }


# --- the command -----------------------------------------------------------------------


def _report(result: dict[str, Any]) -> str:
    count, mutation = result["count"], result["staff_create"]
    enqueue_sql = sum(result["enqueue_statements"].values())
    sender_sql = ", ".join(f"{n} {verb}" for verb, n in sorted(result["sender_statements"].items()))
    return "\n".join(
        [
            f"B7 activation email: {count} messages, {result['database']}, local aiosmtpd sink",
            f"  enqueue   {result['enqueue_seconds']:6.2f} s"
            f"  {count / result['enqueue_seconds']:5.0f} msg/s"
            f"  (activation_links.issue, one transaction each; {enqueue_sql / count:.1f} SQL/msg)",
            f"  sender    {result['sender_seconds']:6.2f} s"
            f"  {result['sender_msgs_per_s']:5.0f} msg/s"
            f"  {result['sender_smtp_connections']} SMTP connections, {result['sender_passes']}"
            f" passes, {result['sender_delivered']}/{count} delivered,"
            f" {result['sender_bytes'] / max(result['sender_delivered'], 1):.0f} B/msg",
            f"  raw loop  {result['raw_seconds']:6.2f} s"
            f"  {result['raw_msgs_per_s']:5.0f} msg/s"
            f"  {result['raw_smtp_connections']} SMTP connection, {result['raw_delivered']}/{count}"
            f" delivered, {result['raw_bytes'] / max(result['raw_delivered'], 1):.0f} B/msg",
            f"  ratio     {result['ratio']:.2f}  (sender / raw; target >= {TARGET_RATIO})",
            f"  sender SQL  {sender_sql}: {result['sender_statements_per_message']:.2f}/msg,"
            f" {result['sender_statements_per_pass']:.1f}/pass",
            f"  outbox after the drain  {result['outbox_after_drain']}",
            f"  memory    VmHWM during the drain {_mib(result['peak_rss_during_drain_mib'])}"
            f" (VmRSS before it {_mib(result['rss_before_drain_mib'])})",
            f"  staffCreate  {mutation['staff_create_ms']:.0f} ms with the sink up,"
            f" {mutation['staff_create_smtp_unreachable_ms']:.0f} ms with SMTP unreachable"
            f" (medians of {mutation['calls']});"
            f" one argon2 hash {mutation['argon2_hash_ms']:.0f} ms (the password; the PIN is"
            " an HMAC)",
            f"               {mutation['smtp_sessions_during_staff_create']} SMTP sessions and"
            f" {mutation['messages_during_staff_create']} messages at the sink meanwhile;"
            f" {mutation['outbox_rows_queued']} outbox rows queued",
            f"  target met: {'yes' if result['target_met'] else 'NO'}",
        ]
    )


def _mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scenarios.mail",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="one line of JSON (for bench.run)")
    args = parser.parse_args(argv)
    result = asyncio.run(run_b7(args.database_url, args.count))
    if args.json:
        print(json.dumps(result, default=str))
        return 0
    print(_report(result))
    return 0 if result["target_met"] else 1


NAME, ALIAS = "mail", "B7"


def run(ctx: BenchContext) -> None:
    """B7 in a fresh interpreter of its own (its own database, made from ctx's server)."""
    count = 500 if ctx.quick else 2000
    figures = run_module_json(
        "bench.scenarios.mail", "--json", f"--database-url={ctx.database_url}", f"--count={count}"
    )
    ctx.report.raw["B7"] = figures
    ctx.report.add(
        Row(
            "B7",
            f"activation email: {count} queued to aiosmtpd, msg/s "
            f"({figures['sender_smtp_connections']} SMTP connections)",
            f"{figures['sender_msgs_per_s']:.0f}",
            f"raw aiosmtplib loop {figures['raw_msgs_per_s']:.0f}",
            f"{figures['ratio']:.2f}",
            ">= 0.8",
            verdict(figures["ratio"] >= 0.8),
            f"{figures['sender_statements_per_message']:.2f}/msg",
            f"{figures['peak_rss_during_drain_mib']:.0f}",
        )
    )


if __name__ == "__main__":
    sys.exit(main())
