"""`make bench`: set everything up, run the scenarios, print one table.

    .venv/bin/python -m bench.run [--database-url URL] [--quick] [--only staff_page,search]

Scenarios (bench/scenarios/, one module each; the B-numbers are aliases, `--only B1,B3`):
staff_page (B1), in_process (B2), search (B3), deep_pages (B4), create_under_load (B5),
login_timing (B6), mail (B7), sqlite (B8), webhooks (B9).

Order: the data (bench/data/, generated on the first run, reused after), then one server
process of ours on PostgreSQL (uvicorn with uvloop and httptools, production settings,
mail to a local aiosmtpd sink) for staff_page, search, deep_pages, create_under_load and
login_timing; then staff_page's references (the asyncpg route, PostGraphile), each alone,
and its two-process runs; in_process, mail and webhooks in fresh interpreters of their
own; sqlite on a SQLite copy of the small practice. Each server runs alone while it is
measured, so no two compete for the two cores. The table also lands in
var/bench/results.md and the raw figures in var/bench/results.json.
"""

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import time

from bench import postgraphile
from bench.context import BenchContext, OurServer
from bench.data.fixture import DEFAULT_DATABASE_URL, load_fixture
from bench.mail_sink import MailSink
from bench.report import Report, machine
from bench.scenarios import (
    UnknownScenarioError,
    create_under_load,
    deep_pages,
    in_process,
    login_timing,
    mail,
    resolve,
    search,
    sqlite,
    staff_page,
    webhooks,
)
from bench.servers import OUR_PORT, PYTHON, ROOT, free_port, our_server

OUT = ROOT / "var" / "bench"
ON_OUR_SERVER = {"staff_page", "search", "deep_pages", "create_under_load", "login_timing"}


def run(database_url: str, quick: bool, wanted: set[str]) -> Report:
    ctx = BenchContext(database_url, quick, asyncio.run(load_fixture(database_url)))
    small, large = ctx.practice("small"), ctx.practice("large")
    if wanted & ON_OUR_SERVER:
        with MailSink() as sink:
            port = free_port(OUR_PORT)
            url = f"http://127.0.0.1:{port}/graphql"
            with our_server(database_url, port, sink.port) as process:
                server = OurServer(
                    url=url,
                    pid=process.pid,
                    small_token=postgraphile.login(url, small["admin_username"], ctx.password),
                    large_token=postgraphile.login(url, large["admin_username"], ctx.password),
                    smtp_port=sink.port,
                )
                if wanted & {"staff_page", "create_under_load"}:
                    staff_page.measure_ours(ctx, server)
                if "search" in wanted:
                    search.run(ctx, server)
                if "deep_pages" in wanted:
                    deep_pages.run(ctx, server)
                if "create_under_load" in wanted:
                    create_under_load.run(ctx, server)
                if "login_timing" in wanted:
                    login_timing.run(ctx, server)
            if "staff_page" in wanted:
                staff_page.measure_references(ctx, server)
                staff_page.measure_scale(ctx, server)
    if "in_process" in wanted:
        in_process.run(ctx)
    if "mail" in wanted:
        mail.run(ctx)
    if "sqlite" in wanted:
        sqlite.run(ctx)
    if "webhooks" in wanted:
        webhooks.run(ctx)
    return ctx.report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--quick", action="store_true", help="shorter runs, for a smoke test")
    parser.add_argument(
        "--only", default="", help="comma-separated scenarios or aliases, e.g. staff_page,B3"
    )
    args = parser.parse_args(argv)
    try:
        wanted = resolve(args.only)
    except UnknownScenarioError as error:
        parser.error(str(error))
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk (make bench does it)", file=sys.stderr)
        return 2
    subprocess.run(
        [PYTHON, "-m", "bench.data.generate", "--database-url", args.database_url],
        check=True,
        cwd=ROOT,
    )
    started = time.monotonic()
    report = run(args.database_url, args.quick, wanted)
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
