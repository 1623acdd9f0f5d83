"""Writing rows with COPY: the loading sessions, the staff load on parallel connections,
and statements run side by side."""

import asyncio
import contextlib
import time
import uuid
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench.data.practices import Practice
from bench.data.progress import GenerateError, Progress
from bench.data.schema import Columns
from bench.data.spec import COPY_CONNECTIONS, STAFF_COUNT
from bench.data.staff import Generator


async def loader_connection(url: str, *, maintenance: bool = False) -> Any:
    connection = await asyncpg.connect(url)
    await connection.execute("SET synchronous_commit = off")
    if maintenance:
        await connection.execute("SET maintenance_work_mem = '1GB'")
    else:
        # Skip the foreign-key triggers while loading (superuser only); the references are
        # checked with joins afterwards.
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await connection.execute("SET session_replication_role = replica")
    return connection


async def copy_rows(connection: Any, columns: Columns, rows: list[tuple[Any, ...]]) -> None:
    await connection.copy_records_to_table(
        columns.table, records=columns.rows(rows), columns=columns.names
    )


async def load_staff(
    url: str,
    generator: Generator,
    practices: list[Practice],
    columns: dict[str, Columns],
    log: Progress,
) -> int:
    """Generates staff in this process while COPY_CONNECTIONS sessions load chunks."""
    connections = [await loader_connection(url) for _ in range(COPY_CONNECTIONS)]
    queue: asyncio.Queue[tuple[list[tuple[Any, ...]], list[tuple[uuid.UUID, uuid.UUID]]] | None] = (
        asyncio.Queue(maxsize=COPY_CONNECTIONS * 2)
    )
    links_total = 0

    async def consume(connection: Any) -> None:
        nonlocal links_total
        while (item := await queue.get()) is not None:
            staff, links = item
            await copy_rows(connection, columns["staff_member"], staff)
            await copy_rows(connection, columns["staff_member_office"], links)
            links_total += len(links)

    consumers = [asyncio.create_task(consume(c)) for c in connections]
    loaded_at = time.monotonic()
    try:
        next_report = 100_000
        for chunk in generator.staff_chunks(practices):
            await _put(queue, chunk, consumers)
            if generator.staff_total >= next_report:
                rate = generator.staff_total / (time.monotonic() - loaded_at)
                log(f"staff {generator.staff_total:>9,} / {STAFF_COUNT:,} ({rate:,.0f} rows/s)")
                next_report += 100_000
        for _ in consumers:
            await _put(queue, None, consumers)
        await asyncio.gather(*consumers)
    finally:
        for task in consumers:
            task.cancel()
        for connection in connections:
            await connection.close()
    return links_total


async def _put(queue: asyncio.Queue[Any], item: Any, consumers: list[asyncio.Task[None]]) -> None:
    """Queue an item, but stop at once if a loader failed (instead of waiting forever)."""
    put = asyncio.ensure_future(queue.put(item))
    done, _ = await asyncio.wait({put, *consumers}, return_when=asyncio.FIRST_COMPLETED)
    if put not in done:
        put.cancel()
        for task in consumers:
            error = task.exception() if task.done() else None
            if error is not None:
                raise error
        raise GenerateError("a loading session stopped early")


async def run_parallel(url: str, statements: list[list[str]]) -> None:
    """Each list of statements in order on its own session, the lists side by side."""

    async def run(batch: list[str]) -> None:
        connection = await loader_connection(url, maintenance=True)
        try:
            for sql in batch:
                await connection.execute(sql)
        finally:
            await connection.close()

    await asyncio.gather(*(run(batch) for batch in statements if batch))


def _split_work(statements: list[tuple[float, str]], sessions: int) -> list[list[str]]:
    """Longest first, each to the least loaded session."""
    batches: list[list[str]] = [[] for _ in range(sessions)]
    loads = [0.0] * sessions
    for cost, sql in sorted(statements, key=lambda item: -item[0]):
        target = loads.index(min(loads))
        batches[target].append(sql)
        loads[target] += cost
    return batches
