"""B3 `search`: the staff search (bench/queries/staff_search.graphql) at one connection
for each of the fixture's terms (common and rare, 1 to 10 characters) in the 500-staff and
the 50,000-staff practice, against the very statements the request made replayed through
asyncpg (bench/sql_recording.py)."""

import asyncio

import orjson

from bench.context import BenchContext, OurServer
from bench.queries import search_body
from bench.report import Row, ms, verdict
from bench.servers import tree_peak_rss_mb
from bench.sql_recording import record_statements, replay
from bench.wrk_load import one_connection

NAME, ALIAS = "search", "B3"


def run(ctx: BenchContext, server: OurServer) -> None:
    settings = ctx.in_process_settings()
    seconds = 2 if ctx.quick else 3
    tokens = {"small": server.small_token, "large": server.large_token}
    for practice in ("small", "large"):
        size = ctx.practice(practice)["staff_count"]
        target = 10.0 if practice == "small" else 25.0
        for term in ctx.fixture["search_terms"][practice]:
            body = search_body(term["term"])
            recorded = asyncio.run(
                record_statements(settings, orjson.loads(body), tokens[practice])
            )
            raw = asyncio.run(replay(ctx.database_url, recorded, runs=50 if ctx.quick else 200))
            result = one_connection(server.url, body, tokens[practice], seconds)
            applies = practice == "small" or term["length"] >= 3
            ok = result.p99_ms <= target if applies else True
            ctx.report.add(
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
                    f"{tree_peak_rss_mb([server.pid]):.0f}",
                )
            )
