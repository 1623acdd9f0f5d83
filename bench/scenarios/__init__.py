"""The scenarios of `python -m bench.run`, one module each, named for what they measure.
The B-numbers of the earlier reports stay as aliases (`--only B1,B3` = `--only
staff_page,search`).

Each module has NAME and ALIAS and a `run(ctx[, server])` (staff_page has three steps,
called in order by bench/run.py). B2, B7 and B9 run in a fresh interpreter of their own
(`python -m bench.scenarios.<name> --json`); login_flood and reset_timing are standalone
(`python -m bench.scenarios.login_flood`, `... .reset_timing`), not part of bench.run.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    name: str
    alias: str
    what: str


SCENARIOS = (
    Scenario(
        "staff_page", "B1", "staff page under wrk: ours vs asyncpg vs PostGraphile; scale, memory"
    ),
    Scenario("in_process", "B2", "the staff page executed in-process vs built by hand, CPU"),
    Scenario("search", "B3", "staff search latency per term, 500 and 50,000 staff"),
    Scenario("deep_pages", "B4", "first, 1,000th and last page of 50,000 staff"),
    Scenario("create_under_load", "B5", "staffCreate during the staff page's load vs one hash"),
    Scenario("login_timing", "B6", "failed sign-in time: known vs unknown username"),
    Scenario("mail", "B7", "activation email sender vs a raw aiosmtplib loop"),
    Scenario("sqlite", "B8", "staff page and staffCreate on a SQLite copy"),
    Scenario(
        "webhooks", "B9", "webhook sender vs a plain httpx loop; staffCreate with an endpoint"
    ),
)
_BY_KEY = {key: s.name for s in SCENARIOS for key in (s.name.lower(), s.alias.lower())}


class UnknownScenarioError(ValueError):
    pass


def resolve(only: str) -> set[str]:
    """The scenario names `--only` asks for (names or B-numbers, comma-separated); every
    scenario when empty."""
    keys = [part.strip() for part in only.split(",") if part.strip()]
    unknown = [key for key in keys if key.lower() not in _BY_KEY]
    if unknown:
        known = ", ".join(f"{s.name} ({s.alias})" for s in SCENARIOS)
        raise UnknownScenarioError(f"unknown scenario {', '.join(unknown)}; known: {known}")
    return {_BY_KEY[key.lower()] for key in keys} or {s.name for s in SCENARIOS}
