"""staff_member.updated_at for partners' incremental syncs: stamped by the database.

Why triggers rather than a service helper: every write to a staff row — today's services,
the SCIM and API-client code still to come, a fix run in psql — moves updated_at without
having to remember to, and the time comes from one clock (the database's) instead of each
app server's, which may drift apart. Triggers on the offices join table and on activation
links cover what StaffMember shows from other tables; the one remaining piece, the sign-in
lock, lives in login_throttle under a keyed hash no trigger can map back to a staff member,
so backend/services/staff_changes.touch covers it.

Which clock: PostgreSQL's clock_timestamp() (the moment of the write), not now() (the start
of the transaction): the later the stamp, the shorter the gap before the commit, in which a
partner could read past it (README, "Syncing changes"). SQLite has one writer at a time.
"""

from typing import Any

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

# Frozen here on purpose: a migration must not change when application code does. A
# later migration that adds a column to staff_member re-creates the update trigger with
# the column in one list or the other (tests/services/test_staff_changes.py checks).
TRACKED_COLUMNS = (
    "id", "practice_id", "role_id", "primary_provider_id", "first_name", "last_name",
    "care_team_role", "care_team_id_type", "care_team_id_number", "username", "username_key",
    "email", "password_hash", "pin_hash", "cell_phone", "home_phone", "email_update_enabled",
    "restrict_offices", "daily_billing_report", "status", "two_factor_enabled", "search_text",
    "created_at", "activated_at", "deactivated_at", "password_change_required",
)
# Activity, not change: a sign-in (its time, the TOTP step it used) would otherwise put
# every person who signs in into every partner's next sync. The TOTP secret changes
# visibly only together with two_factor_enabled; alone it is a pending enrolment or a key
# rotation re-encrypting the same secret.
UNTRACKED_COLUMNS = ("updated_at", "last_sign_in_at", "totp_last_step", "totp_secret_encrypted")

# SQLite keeps datetimes as text, compared as text: the stamp must be written exactly as
# Tortoise writes a UTC datetime (Python's isoformat(" ")), which leaves out a zero fraction.
# 'now' is the same throughout one statement, so both branches agree.
SQLITE_NOW = (
    "(CASE WHEN strftime('%f', 'now') LIKE '%.000' "
    "THEN strftime('%Y-%m-%d %H:%M:%S+00:00', 'now') "
    "ELSE strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now') END)"
)

# (table, trigger event, row, column naming the staff member): rows of other tables that
# StaffMember shows (offices, activationExpiresAt).
RELATED = (
    ("staff_member_office", "INSERT", "NEW", "staff_member_id"),
    ("staff_member_office", "DELETE", "OLD", "staff_member_id"),
    ("activation_token", "INSERT", "NEW", "staff_id"),
)


def _changed(old: str, new: str, *, distinct: str) -> str:
    """A tracked column changed, or updated_at was set (touch, or an ORM save)."""
    olds = ", ".join(f"{old}.{c}" for c in TRACKED_COLUMNS)
    news = ", ".join(f"{new}.{c}" for c in TRACKED_COLUMNS)
    return (
        f"(({olds}) {distinct} ({news}) OR {old}.updated_at {distinct} {new}.updated_at)"
    )


def _postgres_up() -> list[str]:
    statements = [
        "CREATE OR REPLACE FUNCTION staff_member_stamp() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$",
        "CREATE TRIGGER staff_member_stamp_insert BEFORE INSERT ON staff_member "
        "FOR EACH ROW EXECUTE FUNCTION staff_member_stamp()",
        "CREATE TRIGGER staff_member_stamp_update BEFORE UPDATE ON staff_member FOR EACH ROW "
        f"WHEN {_changed('OLD', 'NEW', distinct='IS DISTINCT FROM')} "
        "EXECUTE FUNCTION staff_member_stamp()",
        # TG_ARGV[0] names the column holding the staff member's id.
        "CREATE OR REPLACE FUNCTION staff_member_touch_related() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ DECLARE related jsonb; BEGIN "
        "IF TG_OP = 'DELETE' THEN related := to_jsonb(OLD); ELSE related := to_jsonb(NEW); "
        "END IF; "
        "UPDATE staff_member SET updated_at = clock_timestamp() "
        "WHERE id = (related ->> TG_ARGV[0])::uuid; RETURN NULL; END $$",
    ]
    for table, event, _row, column in RELATED:
        statements.append(
            f"CREATE TRIGGER {table}_{event.lower()}_touches_staff AFTER {event} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION staff_member_touch_related('{column}')"
        )
    return statements


def _postgres_down() -> list[str]:
    statements = [
        f"DROP TRIGGER IF EXISTS {table}_{event.lower()}_touches_staff ON {table}"
        for table, event, _row, _column in RELATED
    ]
    return [
        *statements,
        "DROP TRIGGER IF EXISTS staff_member_stamp_update ON staff_member",
        "DROP TRIGGER IF EXISTS staff_member_stamp_insert ON staff_member",
        "DROP FUNCTION IF EXISTS staff_member_touch_related()",
        "DROP FUNCTION IF EXISTS staff_member_stamp()",
    ]


def _sqlite_up() -> list[str]:
    # SQLite's triggers cannot change NEW: they update the row after the fact. That
    # update sets updated_at to SQLITE_NOW, for which the update trigger's WHEN is false,
    # so it never fires itself (even with PRAGMA recursive_triggers on).
    stamp = f"UPDATE staff_member SET updated_at = {SQLITE_NOW} WHERE id = NEW.id;"
    statements = [
        "CREATE TRIGGER staff_member_stamp_insert AFTER INSERT ON staff_member "
        f"FOR EACH ROW BEGIN {stamp} END",
        "CREATE TRIGGER staff_member_stamp_update AFTER UPDATE ON staff_member FOR EACH ROW "
        f"WHEN {_changed('OLD', 'NEW', distinct='IS NOT')} "
        f"AND NEW.updated_at IS NOT {SQLITE_NOW} BEGIN {stamp} END",
    ]
    for table, event, row, column in RELATED:
        statements.append(
            f"CREATE TRIGGER {table}_{event.lower()}_touches_staff AFTER {event} ON {table} "
            f"FOR EACH ROW BEGIN UPDATE staff_member SET updated_at = {SQLITE_NOW} "
            f"WHERE id = {row}.{column}; END"
        )
    return statements


def _sqlite_down() -> list[str]:
    return [
        *(
            f"DROP TRIGGER IF EXISTS {table}_{event.lower()}_touches_staff"
            for table, event, _row, _column in RELATED
        ),
        "DROP TRIGGER IF EXISTS staff_member_stamp_update",
        "DROP TRIGGER IF EXISTS staff_member_stamp_insert",
    ]


async def forward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    # Until now updated_at came from the app servers and missed many changes (two-factor,
    # passwords, offices...): every existing row counts as changed now, so a partner's
    # first sync since any earlier moment re-reads them all rather than missing some.
    now = "CURRENT_TIMESTAMP" if postgres else SQLITE_NOW
    await client.execute_script(f"UPDATE staff_member SET updated_at = {now}")
    for statement in _postgres_up() if postgres else _sqlite_up():
        await client.execute_script(statement)


async def backward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for statement in _postgres_down() if postgres else _sqlite_down():
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("models", "0010_api_clients")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="StaffMember",
            index=Index(fields=["practice_id", "updated_at", "id"]),
        ),
        ops.RunPython(forward, backward),
    ]
