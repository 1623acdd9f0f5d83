"""The Tortoise engine for PostgreSQL (`"engine": "backend.postgres_engine"`): tortoise's
asyncpg client, except that a transaction that fails to start, or to end, always gives
its pooled connection back and always uninstalls itself as the task's connection.

Why (found while PostgreSQL restarted under load; tortoise-orm 1.1.9): tortoise's
`TransactionContextPooled.__aenter__` takes a connection from the pool, installs the
transaction as the task's "default" connection (a context variable), then sends BEGIN.
When BEGIN fails (the server cut the session during a restart) or is cancelled (the
GraphQL timeout, a client going away, shutdown), `__aexit__` never runs, so:

- the connection is never released: the pool shrinks by one for good (five such
  failures and every query waits forever), and `close_database` waits 10 s for it;
- the half-started transaction stays installed in the task's context. Every later
  query of that task, and of every task it starts afterwards (`create_task` and
  `gather` copy the context), runs on that one connection instead of the pool, each
  new `in_transaction()` becoming a SAVEPOINT on it. Two such tasks at once use one
  connection concurrently: asyncpg's "another operation is in progress". Once that
  connection is dead, the task fails for as long as it lives ("connection is closed"):
  the outbox sender, a task that never ends, stopped sending mail until a restart.

`__aexit__` has the same hole when releasing the connection raises (it resets the
context variable only after the release). The fix wraps both, nothing else changes.
"""

import contextlib
from types import TracebackType

from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import (
    TransactionalDBClient,
    TransactionContext,
    TransactionContextPooled,
)
from tortoise.connection import get_connections


class _ReleasingTransactionContext(TransactionContextPooled):
    __slots__ = ()

    async def __aenter__(self) -> TransactionalDBClient:
        try:
            return await super().__aenter__()
        except BaseException:
            await self._give_back()
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        try:
            await super().__aexit__(exc_type, exc_val, exc_tb)
        finally:
            # A no-op when tortoise already released and reset (the usual case).
            await self._give_back()

    async def _give_back(self) -> None:
        # `token` is a slot, unset when __aenter__ failed before installing the transaction.
        token = getattr(self, "token", None)
        if token is not None and not token._used:
            get_connections().reset(token)
        connection = self.client._connection
        pool = self.client._parent._pool
        if connection is None or pool is None:
            return
        # Releasing twice is harmless (asyncpg ignores a connection already released);
        # a failing release has already terminated the connection, and must not hide
        # the error that brought us here.
        with contextlib.suppress(Exception):
            await pool.release(connection)


class PostgresClient(AsyncpgDBClient):
    def _in_transaction(self) -> TransactionContext:
        return _ReleasingTransactionContext(TransactionWrapper(self), self._pool_init_lock)


# What Tortoise looks up in an engine module.
client_class = PostgresClient
