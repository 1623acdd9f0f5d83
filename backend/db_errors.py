"""Which exceptions mean "the database cannot be reached right now" (a restart, a
failover, a network cut), as opposed to a fault of the request or of our SQL.

The HTTP layer answers the former with 503 and Retry-After; error masking can use the
same test for errors raised inside resolvers. Tortoise passes most driver errors through
unwrapped (a refused connection arrives as ConnectionRefusedError) and wraps others in
its own classes (`OperationalError(exc)`, `DBConnectionError`), with the driver's error
as the cause or context, so the whole chain is examined.
"""

import re
import socket
import sqlite3

import asyncpg  # type: ignore[import-untyped]
from tortoise.exceptions import DBConnectionError, IntegrityError

# PostgreSQL says the server or this session is going away or not there yet
# (class 08 connection exceptions and 57P0x operator intervention), or has no room.
_UNAVAILABLE_POSTGRES_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.ConnectionDoesNotExistError,  # 08003: closed mid-operation
    asyncpg.exceptions.ConnectionFailureError,  # 08006
    asyncpg.exceptions.ClientCannotConnectError,  # 08001
    asyncpg.exceptions.ConnectionRejectionError,  # 08004
    asyncpg.exceptions.TransactionResolutionUnknownError,  # 08007: lost during COMMIT
    asyncpg.exceptions.AdminShutdownError,  # 57P01: "terminating connection due to ..."
    asyncpg.exceptions.CrashShutdownError,  # 57P02
    asyncpg.exceptions.CannotConnectNowError,  # 57P03: "shutting down" / "starting up"
    asyncpg.exceptions.IdleSessionTimeoutError,  # 57P05: the session was cut
    asyncpg.exceptions.TooManyConnectionsError,  # 53300: "sorry, too many clients"
)

# asyncpg raises its generic InterfaceError / InternalClientError both for misuse of its
# API (never an outage) and for a connection that broke under it; only the message
# tells them apart. "another operation (2) is in progress" is a pooled connection that
# had already received the server's "terminating connection" when it was handed out
# (protocol state 2, ERROR_CONSUME; MagicStack/asyncpg#1069).
_BROKEN_CONNECTION_MESSAGE = re.compile(
    r"connection is closed"
    r"|connection was closed"
    r"|another operation (\(\d+\) )?is in progress"
    r"|another operation is cancelling"
    r"|protocol is in the \"failed\" state"
    r"|^not connected$"
    r"|^pool is clos(ing|ed)$"
)

# SQLite (the development database): a file that is busy or cannot be opened right now.
# Its other OperationalErrors ("no such table", syntax errors) are our faults.
_UNAVAILABLE_SQLITE_MESSAGE = re.compile(
    r"database is locked|unable to open database file|disk i/o error", re.IGNORECASE
)
# aiosqlite's words for a connection already closed (during shutdown).
_CLOSED_AIOSQLITE_MESSAGES = frozenset({"no active connection", "Connection closed"})

_MAX_CHAIN = 20


# Long enough for a restart or a failover to finish, short enough not to idle clients.
OUTAGE_RETRY_AFTER_SECONDS = 2
OUTAGE_MESSAGE = "The service is briefly unavailable. Try again in a few seconds."


def is_database_unavailable(exc: BaseException) -> bool:
    """True when `exc`, or the error it was raised from or while handling, says the
    database cannot be reached or the connection to it dropped."""
    return unavailability_cause(exc) is not None


def unavailability_cause(exc: BaseException) -> BaseException | None:
    """The exception in `exc`'s chain that shows the database is unavailable, or None.
    A constraint violation or an SQL error met first settles it: not unavailable."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _MAX_CHAIN:
        seen.add(id(current))
        verdict = _verdict(current)
        if verdict is True:
            return current
        if verdict is False:
            return None
        current = _raised_from(current)
    return None


def _raised_from(exc: BaseException) -> BaseException | None:
    # As Python's own traceback shows it: the explicit cause, else the error being
    # handled when this one was raised, unless `raise ... from None` hid it.
    if exc.__cause__ is not None:
        return exc.__cause__
    return None if exc.__suppress_context__ else exc.__context__


def _verdict(exc: BaseException) -> bool | None:
    """True (unavailable), False (a definite other error), None (look further down)."""
    if isinstance(exc, (IntegrityError, sqlite3.IntegrityError)):
        return False
    if isinstance(exc, DBConnectionError):
        # Also an OSError subclass, but tortoise raises it for a database that does not
        # exist as well: only its cause can tell.
        return None
    if isinstance(exc, _UNAVAILABLE_POSTGRES_ERRORS):
        return True
    if isinstance(exc, asyncpg.PostgresError):
        return False  # any other server error: SQL, constraints, permissions
    if isinstance(exc, (asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError)):
        if isinstance(exc, asyncpg.exceptions.DataError):
            return False  # a bad query argument
        return True if _BROKEN_CONNECTION_MESSAGE.search(str(exc)) else None
    if isinstance(exc, sqlite3.OperationalError):
        return bool(_UNAVAILABLE_SQLITE_MESSAGE.search(str(exc)))
    if isinstance(exc, ValueError) and str(exc) in _CLOSED_AIOSQLITE_MESSAGES:
        return True
    if _is_network_error(exc):
        return True
    return None


def _is_network_error(exc: BaseException) -> bool:
    """Refused, reset, unreachable, timed out, unresolvable: what connecting to a server
    that is away raises. Exactly OSError too: asyncio reports "[Errno 113] No route to
    host" and several failed addresses ("Multiple exceptions: ...") that way. Other
    OSError subclasses (file not found, permission denied) are not about the network."""
    return (
        isinstance(exc, (ConnectionError, TimeoutError, socket.gaierror, socket.herror))
        or type(exc) is OSError
    )
