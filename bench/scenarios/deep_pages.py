"""B4 `deep_pages`: the staff page of the 50,000-staff practice at the first page, page
1,000 and the last page (keyset cursors built as the app builds them), one connection
each: the last page should cost what the first does."""

import asyncio
import uuid

import asyncpg  # type: ignore[import-untyped]

from bench.context import BenchContext, OurServer
from bench.data.fixture import connect_url
from bench.queries import page_body
from bench.reference_app import page_cursor
from bench.report import Row, ms, verdict
from bench.servers import tree_peak_rss_mb
from bench.wrk_load import LoadResult, one_connection

NAME, ALIAS = "deep_pages", "B4"


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


def run(ctx: BenchContext, server: OurServer) -> None:
    practice_id = ctx.practice("large")["practice_id"]
    cursors = asyncio.run(page_cursors(ctx.database_url, practice_id))
    results: dict[str, LoadResult] = {}
    for name, cursor in cursors.items():
        body = page_body(after=cursor)
        results[name] = one_connection(server.url, body, server.large_token, 2 if ctx.quick else 3)
    first = results["first page"].p50_ms
    for name, result in results.items():
        ratio = result.p50_ms / first
        is_last = name == "last page"
        ctx.report.add(
            Row(
                "B4",
                f"50,000-staff practice, {name}: p50 (p99)",
                f"{ms(result.p50_ms)} ({ms(result.p99_ms)})",
                f"first {ms(first)}",
                f"{ratio:.2f}",
                "<= 1.5" if is_last else "",
                verdict(ratio <= 1.5) if is_last else "",
                memory=f"{tree_peak_rss_mb([server.pid]):.0f}",
            )
        )
