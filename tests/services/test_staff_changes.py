"""updated_at is the database's: its triggers stamp it on every change of a staff member
(the row, its offices, its activation links, `touch`), and on nothing else."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.models import ActivationToken, Office, Plan, StaffMember, StaffStatus
from backend.services.bootstrap import NewPractice, create_practice
from backend.services.staff_changes import touch
from tests.pins import OWNER_PIN
from tests.updated_at import LONG_AGO, MIGRATION, backdate, database_now, updated_at

SETTINGS = Settings(environment="test", password_hash_profile="fast")


async def _owner() -> StaffMember:
    _, owner = await create_practice(
        NewPractice(
            name="Riverside Clinic",
            plan=Plan.INVOICED,
            provider_first_name="Hannah",
            provider_last_name="Provider",
            office_names=["Main Office", "North Office"],
            owner_first_name="Olivia",
            owner_last_name="Owner",
            owner_username="owner",
            owner_email="owner@example.com",
            owner_password="Harbor-Lantern-4417",
            owner_pin=OWNER_PIN,
        ),
        settings=SETTINGS,
    )
    return owner


async def _updated_at(staff: StaffMember) -> datetime:
    return await updated_at(staff.id)


async def _set_long_ago(staff: StaffMember) -> None:
    await backdate(staff.id)


Change = Callable[[StaffMember], Awaitable[object]]


async def _rename(staff: StaffMember) -> None:
    await StaffMember.filter(id=staff.id).update(first_name="Olive")


async def _deactivate(staff: StaffMember) -> None:
    await StaffMember.filter(id=staff.id).update(status=StaffStatus.INACTIVE)


async def _new_password(staff: StaffMember) -> None:
    await StaffMember.filter(id=staff.id).update(password_hash="another hash")


async def _clear_phone(staff: StaffMember) -> None:
    await StaffMember.filter(id=staff.id).update(cell_phone="+14155550100")


async def _an_office(staff: StaffMember) -> Office:
    offices = await Office.filter(practice_id=staff.practice_id).order_by("name")
    return offices[0]


async def _add_office(staff: StaffMember) -> None:
    await staff.offices.add(await _an_office(staff))


async def _remove_offices(staff: StaffMember) -> None:
    await staff.offices.add(*await Office.filter(practice_id=staff.practice_id))
    await _set_long_ago(staff)
    await staff.offices.clear()


async def _new_activation_link(staff: StaffMember) -> None:
    await ActivationToken.create(
        staff_id=staff.id, token_hash="0" * 64, expires_at=datetime.now(UTC) + timedelta(days=3)
    )


async def _touch(staff: StaffMember) -> None:
    await touch(staff.id)


async def _orm_save(staff: StaffMember) -> None:
    fresh = await StaffMember.get(id=staff.id)
    fresh.daily_billing_report = True
    await fresh.save()


@pytest.mark.parametrize(
    "change",
    [
        _rename,
        _deactivate,
        _new_password,
        _clear_phone,
        _add_office,
        _remove_offices,
        _new_activation_link,
        _touch,
        _orm_save,
    ],
)
async def test_each_change_stamps_the_database_clock(db: str, change: Change) -> None:
    owner = await _owner()
    await _set_long_ago(owner)
    assert await _updated_at(owner) == LONG_AGO
    before = await database_now()
    await change(owner)
    after = await database_now()
    assert before <= await _updated_at(owner) <= after


@pytest.mark.parametrize(
    "column",
    [
        ("last_sign_in_at", datetime(2026, 5, 1, tzinfo=UTC)),
        ("totp_last_step", 123),
        ("totp_secret_encrypted", "pending enrolment"),
    ],
)
async def test_activity_is_not_a_change(db: str, column: tuple[str, object]) -> None:
    owner = await _owner()
    await _set_long_ago(owner)
    name, value = column
    await StaffMember.filter(id=owner.id).update(**{name: value})
    assert await _updated_at(owner) == LONG_AGO


async def test_a_write_that_changes_nothing_is_not_a_change(db: str) -> None:
    owner = await _owner()
    await _set_long_ago(owner)
    await StaffMember.filter(id=owner.id).update(first_name=owner.first_name)
    assert await _updated_at(owner) == LONG_AGO


async def test_the_app_cannot_choose_the_time(db: str) -> None:
    owner = await _owner()
    await StaffMember.filter(id=owner.id).update(updated_at=datetime(2099, 1, 1, tzinfo=UTC))
    assert await _updated_at(owner) < datetime(2099, 1, 1, tzinfo=UTC)


async def test_a_new_row_gets_the_database_clock(db: str) -> None:
    before = await database_now()
    owner = await _owner()
    assert before <= await _updated_at(owner) <= await database_now()


async def test_each_stamp_reads_back_as_the_value_filters_compare(db: str) -> None:
    """On SQLite the stamp is text: what the trigger writes must equal what Tortoise
    writes for the value it reads back, or equality in the cursor's filter misses rows."""
    owner = await _owner()
    for _ in range(30):
        await touch(owner.id)
        stamp = await _updated_at(owner)
        assert await StaffMember.filter(id=owner.id, updated_at=stamp).exists()
        await asyncio.sleep(0.001)


async def test_every_column_is_tracked_or_deliberately_not() -> None:
    """A new column must be put in one list (and the trigger re-created by a migration)."""
    columns = {field for field in StaffMember._meta.db_fields}
    assert set(MIGRATION.TRACKED_COLUMNS) | set(MIGRATION.UNTRACKED_COLUMNS) == columns
    assert not set(MIGRATION.TRACKED_COLUMNS) & set(MIGRATION.UNTRACKED_COLUMNS)


async def test_sqlite_stamps_once_even_with_recursive_triggers(db: str) -> None:
    client = connections.get("default")
    if client.capabilities.dialect != "sqlite":
        pytest.skip("a SQLite setting")
    owner = await _owner()
    await client.execute_script("PRAGMA recursive_triggers = ON")
    try:
        await StaffMember.filter(id=owner.id).update(first_name="Olive")  # no endless loop
        await owner.offices.add(await _an_office(owner))
    finally:
        await client.execute_script("PRAGMA recursive_triggers = OFF")
    assert (await StaffMember.get(id=owner.id)).first_name == "Olive"


async def test_an_update_reports_its_own_rows_not_the_triggers(db: str) -> None:
    """The services' compare-and-set checks count on it (backend/sqlite_engine.py)."""
    owner = await _owner()
    assert await StaffMember.filter(id=owner.id).update(first_name="Olive") == 1
    async with in_transaction():
        assert await StaffMember.filter(id=owner.id).update(first_name="Olivia") == 1
    assert await StaffMember.filter(id=owner.id, first_name="nobody").update(last_name="X") == 0
