"""What every scenario of `python -m bench.run` is given: the database, the fixture (what
bench/data generated), how long to measure, the report to add rows to, and the running
server of ours that B1 and B3 to B6 share."""

from dataclasses import dataclass, field
from typing import Any

from backend.config import Settings
from bench.report import Report


@dataclass
class BenchContext:
    database_url: str
    quick: bool
    fixture: dict[str, Any]
    report: Report = field(default_factory=Report)
    # Filled by staff_page.measure_ours: B5 compares with B1 alone, and B1's references
    # check their answers against ours.
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> int:
        """wrk's measured run (after its warm-up)."""
        return 5 if self.quick else 10

    @property
    def password(self) -> str:
        return str(self.fixture["password"]["password"])

    def practice(self, name: str) -> dict[str, Any]:
        """The fixture's "small" (500 staff) or "large" (50,000 staff) practice."""
        practice: dict[str, Any] = self.fixture[name]
        return practice

    def in_process_settings(self, database_url: str | None = None) -> Settings:
        """Settings of an in-process app (to record the statements a request makes)."""
        return Settings(
            environment="development",
            database_url=database_url or self.database_url,
            run_outbox_sender=False,
            migrate_on_start=False,
            smtp_host="127.0.0.1",
        )


@dataclass(frozen=True)
class OurServer:
    """One server process of ours on the bench database, and the administrators' tokens."""

    url: str
    pid: int
    small_token: str
    large_token: str
    smtp_port: int
