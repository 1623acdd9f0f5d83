"""The benchmark package's own plumbing (bench/): no database, no server."""

from pathlib import Path

import pytest

import backend.migrations
from backend.config import load_settings
from bench.data.schema import migration_files
from bench.scenarios import SCENARIOS, UnknownScenarioError, resolve
from bench.servers import our_env


def test_scenarios_are_picked_by_name_or_by_their_b_number() -> None:
    assert resolve("staff_page") == {"staff_page"}
    assert resolve("B1,b3") == {"staff_page", "search"}
    assert resolve(" login_timing , B8 ") == {"login_timing", "sqlite"}
    assert resolve("") == {s.name for s in SCENARIOS}
    assert [s.alias for s in SCENARIOS] == [f"B{n}" for n in range(1, 10)]


def test_an_unknown_scenario_is_refused_with_the_known_ones() -> None:
    with pytest.raises(UnknownScenarioError, match=r"B10.*staff_page \(B1\)"):
        resolve("B1,B10")


@pytest.mark.parametrize(
    "database_url",
    ["postgres://postgres@127.0.0.1:5432/staff_bench", "sqlite:///tmp/bench.sqlite3"],
)
def test_the_bench_server_environment_passes_production_checks(database_url: str) -> None:
    settings = load_settings(our_env(database_url, 8301, 2525))
    assert settings.environment == "production"
    assert not settings.mail_from.endswith(".localhost>")


def test_the_bench_database_is_migrated_with_every_migration_of_the_app() -> None:
    """An existing bench database gets the app's newer migrations (an index a later
    migration adds would otherwise be missing from every figure)."""
    folder = Path(backend.migrations.__file__).parent
    app_migrations = sorted(path.stem for path in folder.glob("0*.py"))
    assert app_migrations and migration_files() == app_migrations
