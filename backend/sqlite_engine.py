"""The Tortoise engine for SQLite (`"engine": "backend.sqlite_engine"`): tortoise's SQLite
client, except that a statement reports the rows it changed itself, as PostgreSQL does.

Why (tortoise-orm 1.1.9): tortoise counts with the connection's `total_changes`, which
includes rows changed by triggers. SQLite's triggers cannot change NEW, so the ones that
stamp staff_member.updated_at (migration 0010) do it with a second UPDATE, and every
update of a staff row reported 2 rows: the compare-and-set checks of the services
(`await ....update(...) == 1`) then failed on SQLite only. The cursor's rowcount is
sqlite3_changes(): the statement's own rows, without the triggers'."""

from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import NestedTransactionContext, TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient as _TortoiseSqliteClient,
)
from tortoise.backends.sqlite.client import (
    SqliteTransactionContext,
    SqliteTransactionWrapper,
    translate_exceptions,
)


class _OwnChanges(_TortoiseSqliteClient):
    @translate_exceptions
    async def execute_query(
        self, query: str, values: list[Any] | None = None
    ) -> tuple[int, Sequence[dict[str, Any]]]:
        query = query.replace("\x00", "'||CHAR(0)||'")  # as tortoise's own
        async with self.acquire_connection() as connection:
            self.log.debug("%s: %s", query, values)
            async with connection.execute(query, values) as cursor:
                rows = await cursor.fetchall()
                changed = cursor.rowcount
            # -1 for a SELECT; 0 for an UPDATE that matched nothing: then the rows read.
            return (changed if changed > 0 else len(rows)), rows


class _TransactionWrapper(_OwnChanges, SqliteTransactionWrapper):
    def _in_transaction(self) -> TransactionContext:
        return NestedTransactionContext(_TransactionWrapper(self))


class SqliteClient(_OwnChanges):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_TransactionWrapper(self), self._lock)


# What Tortoise looks up in an engine module.
client_class = SqliteClient
