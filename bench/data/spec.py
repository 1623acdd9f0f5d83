"""What the generator makes: sizes, the seed, the fixed clock, the tables and columns it loads."""

import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.data.fixture import SPEC_VERSION

SEED = f"staff-accounts-bench-v{SPEC_VERSION}"
PRACTICE_COUNT = 2_000
STAFF_COUNT = 1_000_000
LARGE_STAFF = 50_000
SMALL_STAFF = 500
SEAT_LIMITED_PRACTICES = 100  # NON_INVOICED / ASCLEPIUS: at most 3 pending or active staff
SEAT_LIMIT = 3
PASSWORD = "Bench-Password-2026"
LARGE_ADMIN = "large.admin"
SMALL_ADMIN = "small.admin"
# A fixed "now", so that the data is the same on every run.
ANCHOR = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
HOUR = 3600.0
DAY = 24 * HOUR
YEAR = 365 * DAY

ADMIN_ROLE = "Practice Administrator (System)"
STAFF_ROLE = "Staff (System)"
NURSE_ROLE = "Nurse (System)"
ADMIN_ROLE_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")

CHUNK_ROWS = 10_000  # staff rows per COPY
COPY_CONNECTIONS = 2
TERM_LENGTHS = (1, 2, 3, 5, 10)
RARE_MAX = 5  # a "rare" term matches at most this many rows of its practice
LOADED_TABLES = ("practice", "role", "provider", "office", "staff_member", "staff_member_office")
REBUILT_TABLES = ("staff_member", "staff_member_office")
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "backend" / "migrations"

STAFF_COLUMNS = (
    "id", "practice_id", "role_id", "primary_provider_id", "first_name", "last_name",
    "care_team_role", "care_team_id_type", "care_team_id_number", "username", "username_key",
    "email", "password_hash", "pin_hash", "cell_phone", "home_phone", "email_update_enabled",
    "restrict_offices", "daily_billing_report", "status", "two_factor_enabled",
    "totp_secret_encrypted", "totp_last_step", "search_text", "created_at", "updated_at",
    "activated_at", "deactivated_at",
)  # fmt: skip
LINK_COLUMNS = ("staff_member_id", "office_id")
PRACTICE_COLUMNS = ("id", "name", "plan", "created_at")
ROLE_COLUMNS = (
    "id", "practice_id", "name", "name_key", "is_system", "permissions", "created_at",
    "updated_at",
)  # fmt: skip
PROVIDER_COLUMNS = ("id", "practice_id", "first_name", "last_name", "npi")
OFFICE_COLUMNS = ("id", "practice_id", "name")


def _ts(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
