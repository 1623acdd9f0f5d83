"""`make bench`: set everything up, run B1 to B9, print one table.

    .venv/bin/python -m bench.run [--database-url URL] [--quick] [--only B1,B3]

Order: the data (bench/data/, reused when present), PostGraphile (bench/peer), then
one server process of ours on PostgreSQL (uvicorn with uvloop and httptools, production
settings, mail to a local aiosmtpd sink) for B1 and B3 to B6, the references each alone,
B2, B7 and B9 in their own processes, and B8 on a SQLite copy of the small practice. Each
server runs alone while it is measured, so no two compete for the two cores. The table
also lands in var/bench/results.md and the raw figures in var/bench/results.json.
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from backend.config import Settings
from bench import peer, scenarios, sqlite_copy
from bench.data.fixture import DEFAULT_DATABASE_URL, load_fixture
from bench.fixed_rate import BackgroundLoad
from bench.load import LoadResult, peak_rss_mb, run_wrk, serve
from bench.mail_sink import MailSink
from bench.statement_log import Counted, count_statements

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PYTHON = sys.executable
OUR_PORT, REFERENCE_PORT, PEER_PORT, SQLITE_PORT = 8301, 8302, 8303, 8304


@dataclass
class Row:
    scenario: str
    figure: str
    value: str
    reference: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""
    sql: str = ""
    memory: str = ""


class Report:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.raw: dict[str, Any] = {}

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print("  " + " | ".join(v for v in asdict(row).values() if v), flush=True)

    def table(self) -> str:
        header = [
            "#",
            "figure",
            "ours",
            "reference",
            "ratio",
            "target",
            "met",
            "SQL/req",
            "peak MiB",
        ]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in self.rows:
            lines.append("| " + " | ".join(asdict(row).values()) + " |")
        return "\n".join(lines)


def ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def upper_median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


def free_port(preferred: int) -> int:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", preferred)) != 0:
            return preferred
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- servers -----------------------------------------------------------------------------


def our_env(database_url: str, port: int, smtp_port: int) -> dict[str, str]:
    """Production settings, as deployed; only the limits that a benchmark trips on purpose
    are raised (one client address makes every sign-in of B6)."""
    return {
        "APP_ENV": "production",
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PUBLIC_BASE_URL": "https://staff.bench.localhost",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "TWO_FACTOR_KEY": "YmVuY2gtb25seS1rZXktYmVuY2gtb25seS1rZXktMzI=",
        "LOGIN_IP_LIMIT": "1000000",
        "MIGRATE_ON_START": "false",
    }


@contextlib.contextmanager
def our_server(database_url: str, port: int, smtp_port: int) -> Iterator["subprocess.Popen[bytes]"]:
    cmd = [str(Path(PYTHON).parent / "staff-accounts"), "serve"]
    with serve(
        cmd, f"http://127.0.0.1:{port}/healthz", our_env(database_url, port, smtp_port), cwd=ROOT
    ) as process:
        yield process


@contextlib.contextmanager
def reference_server(database_url: str, port: int) -> Iterator["subprocess.Popen[bytes]"]:
    cmd = [PYTHON, "-m", "bench.reference_app", "--database-url", database_url, "--port", str(port)]
    with serve(cmd, f"http://127.0.0.1:{port}/healthz", cwd=ROOT) as process:
        yield process


@contextlib.contextmanager
def peer_server(database_url: str, port: int) -> Iterator["subprocess.Popen[bytes]"]:
    # The same pool size as ours (Tortoise's asyncpg pool: at most 5 connections).
    process = peer.start(database_url, port, pool_max=5)
    try:
        yield process
    finally:
        peer.stop(process)


def in_subprocess(code: str) -> Any:
    """Run `code` (which prints one JSON document last) in a fresh interpreter."""
    done = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{code!r} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the run -----------------------------------------------------------------------------


class Bench:
    def __init__(self, database_url: str, quick: bool, only: set[str]) -> None:
        self.url = database_url
        self.quick = quick
        self.only = only
        self.report = Report()
        self.seconds = 5 if quick else 10

    def wants(self, scenario: str) -> bool:
        return not self.only or scenario in self.only

    def run(self) -> Report:
        fixture = asyncio.run(load_fixture(self.url))
        self.fixture = fixture
        small, large = fixture["small"], fixture["large"]
        password = fixture["password"]["password"]
        with MailSink() as sink:
            port = free_port(OUR_PORT)
            our_url = f"http://127.0.0.1:{port}/graphql"
            with our_server(self.url, port, sink.port) as server:
                small_token = peer.login(our_url, small["admin_username"], password)
                large_token = peer.login(our_url, large["admin_username"], password)
                b1_alone = None
                if self.wants("B1") or self.wants("B5"):
                    b1_alone = self.b1_ours(our_url, small_token, server.pid)
                if self.wants("B3"):
                    self.b3(our_url, {"small": small_token, "large": large_token}, server.pid)
                if self.wants("B4"):
                    self.b4(our_url, large_token, large["practice_id"], server.pid)
                if self.wants("B5") and b1_alone is not None:
                    self.b5(our_url, small_token, large_token, b1_alone, server.pid)
                if self.wants("B6"):
                    self.b6(our_url, large["practice_id"], password, server.pid)
            if self.wants("B1"):
                self.b1_references(our_url, small_token, small["practice_id"])
        if self.wants("B2"):
            self.b2()
        if self.wants("B7"):
            self.b7()
        if self.wants("B8"):
            self.b8(small["admin_username"], password)
        if self.wants("B9"):
            self.b9()
        return self.report

    # B1 ---------------------------------------------------------------------------------

    def b1_ours(self, url: str, token: str, pid: int) -> LoadResult:
        body = scenarios.page_body()
        self.ours_page = peer.post_json(url, body, token=token)
        result = run_wrk(url, body, token=token, duration_s=self.seconds)
        # Counted after the load: every pooled connection is warm by then.
        with count_statements(self.url) as counted:
            peer.post_json(url, body, token=token)
        self.b1_result = result
        self.b1_sql = counted.count
        self.report.raw["B1 ours"] = asdict(result)
        self.report.add(
            Row(
                "B1",
                "staff page, 16 conn: ours req/s (p50 / p99)",
                f"{result.rps:.0f} ({ms(result.p50_ms)} / {ms(result.p99_ms)})",
                sql=str(counted.count),
                memory=f"{peak_rss_mb(pid):.0f}",
            )
        )
        return result

    def b1_references(self, our_url: str, token: str, practice_id: str) -> None:
        ours = self.b1_result
        body = scenarios.page_body()
        port = free_port(REFERENCE_PORT)
        ref_url = f"http://127.0.0.1:{port}/graphql"
        with reference_server(self.url, port) as process:
            answer = peer.post_json(ref_url, body, token=token)
            if answer != self.ours_page:
                raise RuntimeError("B1: the reference's answer differs from ours")
            ref = run_wrk(ref_url, body, token=token, duration_s=self.seconds)
            with count_statements(self.url) as counted:
                peer.post_json(ref_url, body, token=token)
            memory = peak_rss_mb(process.pid)
        self.report.raw["B1 reference (a)"] = asdict(ref)
        ratio = ours.rps / ref.rps
        self.report.add(
            Row(
                "B1",
                "(a) bare Starlette + asyncpg + orjson, same JSON",
                f"{ours.rps:.0f} req/s",
                f"{ref.rps:.0f} req/s ({ms(ref.p50_ms)} / {ms(ref.p99_ms)})",
                f"{ratio:.2f}",
                ">= 0.45",
                verdict(ratio >= 0.45),
                f"{self.b1_sql} vs {counted.count}",
                f"ref {memory:.0f}",
            )
        )
        peer.setup()
        port = free_port(PEER_PORT)
        peer_url = peer.graphql_url(port)
        peer_body = peer.peer_request_body(practice_id)
        with peer_server(self.url, port) as process:
            theirs = peer.post_json(peer_url, peer_body)
            diff = peer.differences(
                peer.normalize_ours(self.ours_page), peer.normalize_peer(theirs)
            )
            if diff:
                raise RuntimeError(f"B1: PostGraphile's answer differs from ours: {diff}")
            them = run_wrk(peer_url, peer_body, token=None, duration_s=self.seconds)
            with count_statements(self.url) as counted:
                peer.post_json(peer_url, peer_body)
            memory = peak_rss_mb(process.pid)
        self.report.raw["B1 PostGraphile (b)"] = asdict(them)
        ratio = ours.rps / them.rps
        self.report.add(
            Row(
                "B1",
                "(b) PostGraphile 5, same rows, fields and counts",
                f"{ours.rps:.0f} req/s",
                f"{them.rps:.0f} req/s ({ms(them.p50_ms)} / {ms(them.p99_ms)})",
                f"{ratio:.2f}",
                ">= 1.0",
                verdict(ratio >= 1.0),
                f"{self.b1_sql} vs {counted.count}",
                f"peer {memory:.0f}",
            )
        )

    # B2 ---------------------------------------------------------------------------------

    def b2(self) -> None:
        runs = 500 if self.quick else 2000
        figures = in_subprocess(
            "import json, uvloop; from bench.inprocess import run_b2; "
            "from bench.data.fixture import load_fixture; "
            f"url = {self.url!r}; "
            "f = uvloop.run(load_fixture(url)); "
            f"print(json.dumps(uvloop.run(run_b2(url, f, practice='small', executions={runs}))))"
        )
        self.report.raw["B2"] = figures
        graphql, ref = figures["graphql"], figures["reference"]
        self.report.add(
            Row(
                "B2",
                "staff page in-process, CPU per execution (25 rows)",
                f"{graphql['cpu_ms_median']:.2f} ms",
                f"{ref['cpu_ms_median']:.2f} ms by hand",
                f"{figures['ratio_cpu_median']:.1f}",
                "<= 1 ms",
                verdict(figures["meets_target"]),
                "0",
            )
        )

    # B3 ---------------------------------------------------------------------------------

    def b3(self, url: str, tokens: dict[str, str], pid: int) -> None:
        settings = self.in_process_settings()
        seconds = 2 if self.quick else 3
        for practice in ("small", "large"):
            size = self.fixture[practice]["staff_count"]
            target = 10.0 if practice == "small" else 25.0
            for term in self.fixture["search_terms"][practice]:
                body = scenarios.search_body(term["term"])
                recorded = asyncio.run(
                    scenarios.record_statements(settings, orjson.loads(body), tokens[practice])
                )
                raw = asyncio.run(
                    scenarios.replay(self.url, recorded, runs=50 if self.quick else 200)
                )
                result = scenarios.one_connection(url, body, tokens[practice], seconds)
                applies = practice == "small" or term["length"] >= 3
                ok = result.p99_ms <= target if applies else True
                self.report.add(
                    Row(
                        "B3",
                        f"search {size:,} staff, {term['length']} chars {term['kind']} "
                        f"({term['matches']:,} rows): p50 / p99",
                        f"{ms(result.p50_ms)} / {ms(result.p99_ms)}",
                        f"SQL {ms(raw['p50_ms'])} / {ms(raw['p99_ms'])}",
                        f"{result.p50_ms / raw['p50_ms']:.1f}",
                        f"p99 <= {target:.0f} ms" if applies else "report",
                        verdict(ok) if applies else "",
                        str(recorded.count),
                        f"{peak_rss_mb(pid):.0f}",
                    )
                )

    def in_process_settings(self) -> Settings:
        return Settings(
            environment="development",
            database_url=self.url,
            run_outbox_sender=False,
            migrate_on_start=False,
            smtp_host="127.0.0.1",
        )

    # B4 ---------------------------------------------------------------------------------

    def b4(self, url: str, token: str, practice_id: str, pid: int) -> None:
        cursors = asyncio.run(scenarios.page_cursors(self.url, practice_id))
        results: dict[str, LoadResult] = {}
        for name, cursor in cursors.items():
            body = scenarios.page_body(after=cursor)
            results[name] = scenarios.one_connection(url, body, token, 2 if self.quick else 3)
        first = results["first page"].p50_ms
        for name, result in results.items():
            ratio = result.p50_ms / first
            is_last = name == "last page"
            self.report.add(
                Row(
                    "B4",
                    f"50,000-staff practice, {name}: p50 (p99)",
                    f"{ms(result.p50_ms)} ({ms(result.p99_ms)})",
                    f"first {ms(first)}",
                    f"{ratio:.2f}",
                    "<= 1.5" if is_last else "",
                    verdict(ratio <= 1.5) if is_last else "",
                    memory=f"{peak_rss_mb(pid):.0f}",
                )
            )

    # B5 ---------------------------------------------------------------------------------

    def b5(self, url: str, small_token: str, large_token: str, alone: LoadResult, pid: int) -> None:
        hash_ms = scenarios.hash_time_ms(Settings(environment="production"))
        count = 10 if self.quick else 20
        # Counted alone first: during the load the log would hold the page's statements too.
        counted = Counted()

        def counting() -> contextlib.AbstractContextManager[Counted]:
            return count_statements(self.url, into=counted)

        scenarios.timed_creates(url, large_token, 1, around_first=counting)
        timings, during = self.creates_during_load(url, small_token, large_token, count)
        create_ms = upper_median(timings)
        ratio = create_ms / hash_ms
        self.report.raw["B5"] = {"hash_ms": hash_ms, "create_ms": timings, "during": asdict(during)}
        self.report.add(
            Row(
                "B5",
                f"staffCreate during B1 load: median of {count}",
                ms(create_ms),
                f"argon2 hash {ms(hash_ms)} (create hashes the password; the PIN is an HMAC)",
                f"{ratio:.2f}",
                "<= 1.1",
                verdict(ratio <= 1.1),
                str(counted.count),
                f"{peak_rss_mb(pid):.0f}",
            )
        )
        # The same creates under a fixed-rate load at half of B1's capacity: a busy server,
        # not a saturated one, where the hash no longer queues behind the pages.
        rate = max(1.0, alone.rps / 2)
        steady_timings, steady = self.creates_during_fixed_rate(
            url, small_token, large_token, count, rate
        )
        steady_ms = upper_median(steady_timings)
        self.report.raw["B5"]["fixed_rate"] = {
            "rate": rate,
            "create_ms": steady_timings,
            "during": asdict(steady),
        }
        self.report.add(
            Row(
                "B5",
                f"staffCreate during a fixed {rate:.0f} req/s (half of B1): median of {count}",
                ms(steady_ms),
                f"argon2 hash {ms(hash_ms)}",
                f"{steady_ms / hash_ms:.2f}",
                "<= 1.5",
                verdict(steady_ms / hash_ms <= 1.5),
                "",
                f"{peak_rss_mb(pid):.0f}",
            )
        )
        p99_ratio = during.p99_ms / alone.p99_ms
        self.report.add(
            Row(
                "B5",
                "B1 p99 during the creates (req/s)",
                f"{ms(during.p99_ms)} ({during.rps:.0f})",
                f"alone {ms(alone.p99_ms)} ({alone.rps:.0f})",
                f"{p99_ratio:.2f}",
                "<= 2.5",
                verdict(p99_ratio <= 2.5),
            )
        )

    def creates_during_load(
        self, url: str, page_token: str, create_token: str, count: int
    ) -> tuple[list[float], LoadResult]:
        """`count` timed staffCreate calls while wrk loads the staff page (B1) alongside;
        their latencies and the page's figures meanwhile."""
        load: dict[str, LoadResult] = {}

        def background_load() -> None:
            body = scenarios.page_body()
            seconds = self.seconds + 5
            load["during"] = run_wrk(url, body, token=page_token, duration_s=seconds, warmup_s=1)

        worker = threading.Thread(target=background_load)
        worker.start()
        time.sleep(2)  # wrk's warm-up, then the creates during the measured run
        timings = scenarios.timed_creates(url, create_token, count)
        worker.join()
        return timings, load["during"]

    def creates_during_fixed_rate(
        self, url: str, page_token: str, create_token: str, count: int, rate: float
    ) -> tuple[list[float], LoadResult]:
        """As creates_during_load, with the page requested `rate` times a second."""
        load = BackgroundLoad(
            url,
            scenarios.page_body(),
            token=page_token,
            rate=rate,
            duration_s=self.seconds + 5,
        )
        load.start()
        time.sleep(2)
        timings = scenarios.timed_creates(url, create_token, count)
        return timings, load.stop()

    # B6 ---------------------------------------------------------------------------------

    def b6(self, url: str, practice_id: str, password: str, pid: int) -> None:
        rounds = 10 if self.quick else 25
        names = asyncio.run(scenarios.known_usernames(self.url, practice_id, 2 * rounds + 2))
        with count_statements(self.url) as counted:
            scenarios.login_timings(url, names[-2:], password, rounds=1)
        timings = scenarios.login_timings(url, names[:-2], password, rounds)
        medians = {kind: upper_median(v) for kind, v in timings.items()}
        known, unknown = medians["known, wrong password"], medians["unknown"]
        difference = abs(known - unknown) / min(known, unknown)
        self.report.raw["B6"] = timings
        self.report.add(
            Row(
                "B6",
                f"login, median of {rounds}: known name + wrong password vs unknown name",
                ms(known),
                ms(unknown),
                f"{known / unknown:.2f}",
                "within 10 %",
                verdict(difference <= 0.10),
                f"{len(counted.statements) if counted.available else ''} (3 logins)",
                f"{peak_rss_mb(pid):.0f}",
            )
        )
        self.report.add(Row("B6", "login that succeeds: median", ms(medians["success"])))

    # B7 ---------------------------------------------------------------------------------

    def b7(self) -> None:
        count = 500 if self.quick else 2000
        figures = in_subprocess(
            "import json, asyncio; from bench.mail_bench import run_b7; "
            f"print(json.dumps(asyncio.run(run_b7({self.url!r}, {count})), default=str))"
        )
        self.report.raw["B7"] = figures
        self.report.add(
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

    # B8 ---------------------------------------------------------------------------------

    def b8(self, admin: str, password: str) -> None:
        path = OUT / "sqlite" / "staff.sqlite3"
        sqlite_url = asyncio.run(sqlite_copy.copy_small_practice(self.url, path))
        with MailSink() as sink:
            port = free_port(SQLITE_PORT)
            url = f"http://127.0.0.1:{port}/graphql"
            with our_server(sqlite_url, port, sink.port) as server:
                token = peer.login(url, admin, password)
                body = scenarios.page_body()
                settings = Settings(
                    environment="development",
                    database_url=sqlite_url,
                    run_outbox_sender=False,
                    migrate_on_start=False,
                    smtp_host="127.0.0.1",
                )
                recorded = asyncio.run(
                    scenarios.record_statements(settings, orjson.loads(body), token)
                )
                raw = asyncio.run(sqlite_copy.replay(sqlite_url, recorded, runs=200))
                alone = run_wrk(url, body, token=token, duration_s=self.seconds)
                self.report.add(
                    Row(
                        "B8",
                        "SQLite: staff page, 16 conn: req/s (p50 / p99)",
                        f"{alone.rps:.0f} ({ms(alone.p50_ms)} / {ms(alone.p99_ms)})",
                        f"same SQL via aiosqlite {ms(raw['p50_ms'])}/req "
                        f"(= {1000 / raw['p50_ms']:.0f} req/s)",
                        f"{alone.rps / (1000 / raw['p50_ms']):.2f}",
                        "report",
                        "",
                        str(recorded.count),
                        f"{peak_rss_mb(server.pid):.0f}",
                    )
                )
                timings, during = self.creates_during_load(url, token, token, 10)
                create_ms = upper_median(timings)
                hash_ms = scenarios.hash_time_ms(Settings(environment="production"))
                self.report.add(
                    Row(
                        "B8",
                        "SQLite: staffCreate during load (B1 p99 during / alone)",
                        f"{ms(create_ms)} ({ms(during.p99_ms)} / {ms(alone.p99_ms)})",
                        f"argon2 hash {ms(hash_ms)}",
                        f"{create_ms / hash_ms:.2f}",
                        "report",
                        "",
                        "",
                        f"{peak_rss_mb(server.pid):.0f}",
                    )
                )

    # B9 ---------------------------------------------------------------------------------

    def b9(self) -> None:
        count = 500 if self.quick else 2000
        figures = in_subprocess(
            "import json, asyncio; from bench.webhook_bench import run_b9; "
            f"print(json.dumps(asyncio.run(run_b9({self.url!r}, {count})), default=str))"
        )
        self.report.raw["B9"] = figures
        self.report.add(
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
        self.report.add(
            Row(
                "B9",
                f"staffCreate with 1 subscribed endpoint: median of {create['calls']}",
                ms(create["one_endpoint_ms"]),
                f"no endpoint {ms(create['no_endpoint_ms'])}",
                f"{create['added_ms']:+.1f} ms",
                "report",
                "",
                f"{create['one_endpoint_statements']:.0f} (vs "
                f"{create['no_endpoint_statements']:.0f})",
            )
        )


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    postgres = subprocess.run(
        ["psql", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}; Python {platform.python_version()}, "
        f"{postgres}; {platform.platform()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--quick", action="store_true", help="shorter runs, for a smoke test")
    parser.add_argument("--only", default="", help="comma-separated scenarios, e.g. B1,B3")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk (make bench does it)", file=sys.stderr)
        return 2
    only = {s.strip().upper() for s in args.only.split(",") if s.strip()}
    subprocess.run(
        [PYTHON, "-m", "bench.data.generate", "--database-url", args.database_url],
        check=True,
        cwd=ROOT,
    )
    started = time.monotonic()
    report = Bench(args.database_url, args.quick, only).run()
    OUT.mkdir(parents=True, exist_ok=True)
    header = f"Machine: {machine()}\n\n"
    table = report.table()
    (OUT / "results.md").write_text(header + table + "\n")
    (OUT / "results.json").write_text(json.dumps(report.raw, indent=2, default=str))
    print()
    print(header + table)
    print(f"\n(bench ran {time.monotonic() - started:.0f} s; written to {OUT / 'results.md'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
