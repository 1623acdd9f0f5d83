"""Which exceptions count as "the database is unavailable": the errors drivers and
Tortoise raise when the server is away or a connection dropped, and none of the errors
that are the request's or our SQL's fault."""

import socket
import sqlite3

import asyncpg  # type: ignore[import-untyped]
import pytest
from tortoise.exceptions import (
    DBConnectionError,
    IntegrityError,
    OperationalError,
    TransactionManagementError,
)

from backend.db_errors import is_database_unavailable, unavailability_cause
from tests.live_server import free_port

pg = asyncpg.exceptions


def raised_from(outer: BaseException, cause: BaseException) -> BaseException:
    """`outer` as `raise outer from cause` leaves it."""
    try:
        raise outer from cause
    except BaseException as exc:
        return exc


def raised_while_handling(outer: BaseException, handled: BaseException) -> BaseException:
    """`outer` raised inside `except` for `handled` (how tortoise's sqlite client wraps)."""
    try:
        try:
            raise handled
        except BaseException:
            raise outer  # noqa: B904 - the implicit context is the point
    except BaseException as exc:
        return exc


UNAVAILABLE = {
    "refused": ConnectionRefusedError(111, "Connection refused"),
    "reset": ConnectionResetError(104, "Connection reset by peer"),
    "no route (plain OSError)": OSError(113, "Connect call failed: No route to host"),
    "several addresses failed": OSError("Multiple exceptions: [Errno 111] ..., [Errno 99] ..."),
    "connect timeout": TimeoutError(),
    "host unknown": socket.gaierror(-2, "Name or service not known"),
    "shutting down": pg.CannotConnectNowError("the database system is shutting down"),
    "starting up": pg.CannotConnectNowError("the database system is starting up"),
    "session cut": pg.AdminShutdownError("terminating connection due to administrator command"),
    "closed mid-operation": pg.ConnectionDoesNotExistError(
        "connection was closed in the middle of operation"
    ),
    "lost during commit": pg.TransactionResolutionUnknownError("connection lost"),
    "too many clients": pg.TooManyConnectionsError("sorry, too many clients already"),
    "another operation": asyncpg.InterfaceError(
        "cannot perform operation: another operation is in progress"
    ),
    "broken pooled connection": pg.InternalClientError(
        "cannot switch to state 12; another operation (2) is in progress"
    ),
    "connection is closed": asyncpg.InterfaceError("connection is closed"),
    "pool closing (shutdown)": asyncpg.InterfaceError("pool is closing"),
    "tortoise wrapper with a cause": raised_from(
        OperationalError("reset"), ConnectionResetError(104, "Connection reset by peer")
    ),
    "DBConnectionError from a refusal": raised_from(
        DBConnectionError("Can't establish connection"), ConnectionRefusedError(111, "refused")
    ),
    "raised while handling a dropped session": raised_while_handling(
        TransactionManagementError("Transaction is in invalid state"),
        pg.AdminShutdownError("terminating connection due to administrator command"),
    ),
    "sqlite busy": raised_while_handling(
        OperationalError("database is locked"), sqlite3.OperationalError("database is locked")
    ),
    "sqlite file gone": sqlite3.OperationalError("unable to open database file"),
    "aiosqlite closed": ValueError("no active connection"),
}

NOT_UNAVAILABLE = {
    "unique violation": pg.UniqueViolationError("duplicate key value"),
    "tortoise IntegrityError": raised_from(
        IntegrityError("duplicate"), pg.UniqueViolationError("duplicate key value")
    ),
    "syntax error": raised_from(
        OperationalError("syntax"), pg.PostgresSyntaxError('syntax error at or near "SELEC"')
    ),
    "statement timeout": pg.QueryCanceledError("canceling statement due to statement timeout"),
    "wrong password (configuration)": pg.InvalidPasswordError("password authentication failed"),
    "database missing (configuration)": raised_from(
        DBConnectionError("Can't establish connection to database x"),
        pg.InvalidCatalogNameError('database "x" does not exist'),
    ),
    "DBConnectionError without a cause": DBConnectionError("Can't establish connection"),
    "bad query argument": pg.DataError("invalid input for query argument $1"),
    "API misuse": asyncpg.InterfaceError(
        "cannot use Connection.transaction() in a manually started transaction"
    ),
    "sqlite missing table": raised_while_handling(
        OperationalError("no such table: staff"), sqlite3.OperationalError("no such table: staff")
    ),
    "sqlite constraint": sqlite3.IntegrityError("UNIQUE constraint failed: staff.email"),
    "a file, not a server": FileNotFoundError(2, "No such file or directory"),
    "permissions": PermissionError(13, "Permission denied"),
    "plain bug": KeyError("id"),
    "other ValueError": ValueError("invalid literal for int()"),
    "constraint first, even while handling a reset": raised_while_handling(
        IntegrityError("duplicate"), ConnectionResetError(104, "Connection reset by peer")
    ),
}


@pytest.mark.parametrize("exc", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
def test_outage_errors_are_unavailable(exc: BaseException) -> None:
    assert is_database_unavailable(exc)


@pytest.mark.parametrize("exc", NOT_UNAVAILABLE.values(), ids=NOT_UNAVAILABLE.keys())
def test_request_and_sql_errors_are_not_unavailable(exc: BaseException) -> None:
    assert not is_database_unavailable(exc)


def test_the_cause_is_the_error_that_showed_the_outage() -> None:
    refused = ConnectionRefusedError(111, "Connection refused")
    wrapped = raised_from(DBConnectionError("Can't establish connection"), refused)
    assert unavailability_cause(wrapped) is refused


def test_a_hidden_outage_stays_hidden() -> None:
    hidden = raised_while_handling(RuntimeError("x"), ConnectionResetError(104, "reset"))
    hidden.__suppress_context__ = True
    assert not is_database_unavailable(hidden)


def test_a_cyclic_chain_ends() -> None:
    first, second = RuntimeError("a"), RuntimeError("b")
    first.__context__, second.__context__ = second, first
    assert not is_database_unavailable(first)


async def test_a_real_refused_connection_is_unavailable() -> None:
    with pytest.raises(Exception) as refused:
        await asyncpg.connect(host="127.0.0.1", port=free_port(), user="postgres", timeout=5)
    assert is_database_unavailable(refused.value), repr(refused.value)


def test_real_sqlite_sql_errors_are_not_unavailable() -> None:
    connection = sqlite3.connect(":memory:")
    try:
        for statement in ("SELECT * FROM nowhere", "SELEC 1"):
            with pytest.raises(sqlite3.OperationalError) as error:
                connection.execute(statement)
            assert not is_database_unavailable(error.value), error.value
    finally:
        connection.close()
