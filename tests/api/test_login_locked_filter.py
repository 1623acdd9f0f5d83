"""The "sign-in locked" filter (issue 16): evaluated in SQL on the counter linked to the
person, and always agreeing with StaffMember.loginLocked: after a lock, an unlock, a lock
of a name nobody had yet, and a rename."""

from datetime import UTC, datetime
from typing import Any

import pytest

from backend.config import Settings
from backend.models import StaffMember, StaffStatus
from tests.api.client import GraphQLClient
from tests.api.conftest import with_settings
from tests.api.documents import STAFF_UPDATE
from tests.api.staff_factory import create_staff
from tests.api.test_brute_force import LOCKED, UNLOCK, attempt, codes

LOCK_AFTER = 3
LISTED = """
query Locked($filter: StaffFilter, $counts: StaffCountsFilter) {
  staffMembers(filter: $filter, first: 100) { edges { node { username loginLocked } } }
  staffCounts(filter: $counts) { active pending inactive }
}
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # No delay before the lock, so that a test reaches it in a few requests.
    return with_settings(settings, login_lock_after=LOCK_AFTER, login_delay_after=100)


async def _lock(client: GraphQLClient, username: str) -> None:
    for _ in range(LOCK_AFTER):
        await attempt(client, username)
    assert codes(await attempt(client, username)) == ["ACCOUNT_LOCKED"]


async def _listed(admin: GraphQLClient, locked: bool) -> tuple[list[str], dict[str, int]]:
    data = await admin.data(
        LISTED, {"filter": {"loginLocked": locked}, "counts": {"loginLocked": locked}}
    )
    nodes = [edge["node"] for edge in data["staffMembers"]["edges"]]
    # The filter and the field agree on every row.
    assert all(node["loginLocked"] is locked for node in nodes), nodes
    return sorted(node["username"] for node in nodes), data["staffCounts"]


async def _active(admin: GraphQLClient, username: str) -> dict[str, Any]:
    staff = await create_staff(admin, username=username, email=f"{username}@example.com")
    await StaffMember.filter(username_key=username).update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    return staff


async def test_locked_people_are_found_until_unlocked(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    nurse = await _active(admin, "cnurse")
    await _active(admin, "bnurse")
    await _lock(anonymous, "cnurse")

    assert await _listed(admin, True) == (["cnurse"], {"active": 1, "pending": 0, "inactive": 0})
    unlocked, counts = await _listed(admin, False)
    assert unlocked == ["bnurse", "owner"] and counts["active"] == 2

    assert (await admin.mutate(UNLOCK, {"id": nurse["id"]}))["userErrors"] == []
    assert (await _listed(admin, True))[0] == []
    assert (await _listed(admin, False))[0] == ["bnurse", "cnurse", "owner"]


async def test_a_name_locked_before_anyone_had_it_counts_for_its_new_holder(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await _lock(anonymous, "newcomer")
    newcomer = await create_staff(admin, username="newcomer", email="newcomer@example.com")
    assert (await admin.data(LOCKED, {"id": newcomer["id"]}))["staffMember"]["loginLocked"]
    assert (await _listed(admin, True))[0] == ["newcomer"]


async def test_a_rename_moves_the_person_off_the_locked_name(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    nurse = await _active(admin, "cnurse")
    await _lock(anonymous, "cnurse")
    renamed = await admin.mutate(STAFF_UPDATE, {"id": nurse["id"], "username": "camille"})
    assert renamed["userErrors"] == []
    assert not (await admin.data(LOCKED, {"id": nurse["id"]}))["staffMember"]["loginLocked"]
    assert (await _listed(admin, True))[0] == []
    # Back to the locked name: locked again, as at sign-in.
    back = await admin.mutate(STAFF_UPDATE, {"id": nurse["id"], "username": "cnurse"})
    assert back["userErrors"] == []
    assert (await _listed(admin, True))[0] == ["cnurse"]
