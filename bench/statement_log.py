"""SQL statements per request, counted by PostgreSQL itself, whoever sends them.

For one request, `log_statement = 'all'` is switched on server-wide (ALTER SYSTEM and a
reload, which reaches open pooled connections too), then off again; the statements
logged for the benchmark database in between are counted. That covers our app,
the asyncpg reference and PostGraphile alike, BEGIN and COMMIT included. Needs a
superuser connection and the server log readable (Debian's default place)."""

import asyncio
import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from bench.data.fixture import connect_url, database_name

LOG_DIR = Path("/var/log/postgresql")


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int | None:
        return len(self.statements) if self.available else None

    available: bool = True


def _log_file() -> Path | None:
    logs = sorted(LOG_DIR.glob("postgresql-*-main.log"), key=lambda p: p.stat().st_mtime)
    return logs[-1] if logs else None


async def _set_logging(database_url: str, on: bool) -> None:
    admin = await asyncpg.connect(connect_url(database_url))
    try:
        if on:
            await admin.execute("ALTER SYSTEM SET log_statement = 'all'")
        else:
            await admin.execute("ALTER SYSTEM RESET log_statement")
        await admin.execute("SELECT pg_reload_conf()")
    finally:
        await admin.close()
    time.sleep(0.3)  # the reload reaches every backend at its next command


@contextlib.contextmanager
def count_statements(database_url: str, into: Counted | None = None) -> Iterator[Counted]:
    """Count what reaches the database inside the block (run one request there)."""
    counted = into if into is not None else Counted()
    log = _log_file()
    if log is None or not log.exists():
        counted.available = False
        yield counted
        return
    asyncio.run(_set_logging(database_url, True))
    start = log.stat().st_size
    try:
        yield counted
        time.sleep(0.3)
    finally:
        asyncio.run(_set_logging(database_url, False))
    with log.open("rb") as file:
        file.seek(start)
        text = file.read().decode(errors="replace")
    marker = f"@{database_name(database_url)} "
    # Simple protocol: "LOG:  statement: ..."; extended: "LOG:  execute <name>: ...".
    pattern = re.compile(r"LOG:  (statement|execute [^:]*): (.*)")
    for line in text.splitlines():
        if marker not in line:
            continue
        match = pattern.search(line)
        if (
            match
            and "pg_reload_conf" not in match.group(2)
            and "ALTER SYSTEM" not in match.group(2)
        ):
            counted.statements.append(match.group(2))
