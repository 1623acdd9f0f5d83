"""A scenario's own database, made for one run and removed after it, and a count of the
statements Tortoise sends meanwhile (B7 and B9 run in-process on one)."""

import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed

from backend.db import apply_migrations, close_database, is_postgres, open_database


class StatementCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.by_verb: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        # Statements are logged as ("%s: %s", query, values); connection events differ.
        if record.msg == "%s: %s" and isinstance(record.args, tuple) and record.args:
            self.by_verb[str(record.args[0]).split(None, 1)[0].upper()] += 1


@contextlib.contextmanager
def counting_statements() -> Iterator[Counter[str]]:
    logger = logging.getLogger("tortoise.db_client")
    handler = StatementCounter()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield handler.by_verb
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate



@contextlib.asynccontextmanager
async def fresh_database(database_url: str, name: str) -> AsyncIterator[str]:
    """A migrated, opened database of our own (on PostgreSQL, `name`), removed afterwards."""
    postgres = is_postgres(database_url)
    if postgres:
        server = database_url.split("?", 1)[0].rsplit("/", 1)[0]
        url = f"{server}/{name}"
        await _on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await _on_server(server, f'CREATE DATABASE "{name}"')
    else:
        url = database_url
        path = Path(url.removeprefix("sqlite://"))
        if str(path) == ":memory:" or path.exists():
            raise SystemExit(f"give a sqlite:// path that does not exist yet: {path}")
    try:
        await apply_migrations(url)
        await open_database(url)
        try:
            yield url
        finally:
            await close_database()
    finally:
        if postgres:
            await _on_server(server, f'DROP DATABASE "{name}" WITH (FORCE)')
        else:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)


async def _on_server(server: str, statement: str) -> None:
    connection = await asyncpg.connect(f"{server}/postgres")
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


