"""Shared fixtures: every database test runs on SQLite and, when reachable, PostgreSQL."""

import logging
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from backend.db import apply_migrations, close_database, open_database
from tests import databases, pins, secret_watch
from tests.api.conftest import ADMIN_PASSWORD
from tests.api.staff_factory import STAFF_PASSWORD
from tests.api.test_lifecycle import NEW_PASSWORD


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--databases",
        default="sqlite,postgres",
        help="comma-separated database backends to run database tests on",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Log as production does (the CLI's levels), into a handler that keeps every line for
    # the secret check at the end of the run.
    root = logging.getLogger()
    root.addHandler(secret_watch.capture)
    root.setLevel(min(root.level, logging.INFO))
    logging.getLogger("tortoise.db_client").setLevel(logging.INFO)
    secret_watch.remember(ADMIN_PASSWORD, STAFF_PASSWORD, NEW_PASSWORD)
    secret_watch.remember_pin(*pins.ALL)
    secret_watch.watch_totp_codes()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    leaks = secret_watch.leaks()
    lines, secrets = secret_watch.checked()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"secret check: {lines} log lines searched for {secrets} secrets, {len(leaks)} leaks"
        )
        for leak in leaks[:20]:
            reporter.write_line(f"  LEAK {leak}", red=True)
    if leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_backend" in metafunc.fixturenames:
        backends = metafunc.config.getoption("--databases").split(",")
        metafunc.parametrize("database_backend", backends, scope="session")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    databases.require_postgres()
    url = databases.create_postgres_database()
    yield url
    databases.drop_postgres_database(url)


@pytest.fixture
async def database_url(
    database_backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> str:
    """A migrated, empty database of the given backend (not opened)."""
    # Tortoise caches compiled INSERT/UPDATE SQL per (connection name, table), not per
    # dialect; a process that switches from SQLite to PostgreSQL must forget it.
    EXECUTOR_CACHE.clear()
    if database_backend == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        await databases.empty_postgres_database(url)
        return url
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite://{path}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test: migrating once per test cost
    time and, on Python 3.11, raced other threads' tracebacks in the AST builder (Tortoise
    reads its migration recorder's source at every migrate; CPython gh-106905)."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    databases.run_apart(lambda: apply_migrations(f"sqlite://{path}"))
    return path


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """The database opened through Tortoise for service-level tests."""
    await open_database(database_url)
    yield database_url
    await close_database()
