"""B8 `sqlite`: the staff page (as B1) and staffCreate during that load (as B5) on a
SQLite copy of the 500-staff practice (bench/data/sqlite_copy.py), against the same
statements replayed through aiosqlite. Reported, no target."""

import asyncio

import orjson

from backend.config import Settings
from bench import postgraphile
from bench.context import BenchContext
from bench.data import sqlite_copy
from bench.mail_sink import MailSink
from bench.queries import page_body
from bench.report import Row, ms, upper_median
from bench.scenarios.create_under_load import creates_during_load, hash_time_ms
from bench.servers import ROOT, SQLITE_PORT, free_port, our_server, tree_peak_rss_mb
from bench.sql_recording import record_statements
from bench.wrk_load import run_wrk

NAME, ALIAS = "sqlite", "B8"
SQLITE_FILE = ROOT / "var" / "bench" / "sqlite" / "staff.sqlite3"


def run(ctx: BenchContext) -> None:
    admin = ctx.practice("small")["admin_username"]
    sqlite_url = asyncio.run(sqlite_copy.copy_small_practice(ctx.database_url, SQLITE_FILE))
    with MailSink() as sink:
        port = free_port(SQLITE_PORT)
        url = f"http://127.0.0.1:{port}/graphql"
        with our_server(sqlite_url, port, sink.port) as server:
            token = postgraphile.login(url, admin, ctx.password)
            body = page_body()
            settings = ctx.in_process_settings(sqlite_url)
            recorded = asyncio.run(record_statements(settings, orjson.loads(body), token))
            raw = asyncio.run(sqlite_copy.replay(sqlite_url, recorded, runs=200))
            alone = run_wrk(url, body, token=token, duration_s=ctx.seconds)
            ctx.report.add(
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
                    f"{tree_peak_rss_mb([server.pid]):.0f}",
                )
            )
            timings, during = creates_during_load(url, token, token, 10, ctx.seconds)
            create_ms = upper_median(timings)
            hash_ms = hash_time_ms(Settings(environment="production"))
            ctx.report.add(
                Row(
                    "B8",
                    "SQLite: staffCreate during load (B1 p99 during / alone)",
                    f"{ms(create_ms)} ({ms(during.p99_ms)} / {ms(alone.p99_ms)})",
                    f"argon2 hash {ms(hash_ms)}",
                    f"{create_ms / hash_ms:.2f}",
                    "report",
                    "",
                    "",
                    f"{tree_peak_rss_mb([server.pid]):.0f}",
                )
            )
