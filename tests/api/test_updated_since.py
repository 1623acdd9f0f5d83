"""staffMembers(filter: {updatedSince}) as a partner's sync reads it: inclusive, in
(updatedAt, id) order, paged over ties with neither duplicates nor gaps, cursors that stay
in their order; and the phones in E.164."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from backend.api.ids import parse_id
from backend.config import Settings
from backend.models import Plan, StaffMember, StaffStatus
from tests.api.client import GraphQLClient
from tests.api.conftest import make_practice
from tests.api.documents import STAFF_LIST, STAFF_UPDATE
from tests.api.staff_factory import create_staff
from tests.api.test_staff_list import add_staff
from tests.updated_at import backdate

SYNC = """
query Sync($since: DateTime!, $first: Int, $after: String) {
  staffMembers(filter: {updatedSince: $since}, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id username firstName updatedAt } }
  }
}
"""
PHONES = """
query($id: ID!) { staffMember(id: $id) { cellPhone cellPhoneE164 homePhone homePhoneE164 } }
"""
T1 = datetime(2020, 1, 1, 9, 0, 0, 250000, tzinfo=UTC)
T2 = T1 + timedelta(seconds=1)
T3 = T2 + timedelta(seconds=1)
EPOCH = "1970-01-01T00:00:00Z"


def _staff(usernames: list[str]) -> list[tuple[str, str, str, StaffStatus, bool]]:
    return [("Sam", name.capitalize(), name, StaffStatus.ACTIVE, False) for name in usernames]


async def _at(moment: datetime, *usernames: str) -> None:
    ids = await StaffMember.filter(username_key__in=usernames).values_list("id", flat=True)
    await backdate(*ids, to=moment)  # type: ignore[arg-type]


async def sync(
    client: GraphQLClient, since: str, *, first: int = 100
) -> tuple[list[dict[str, Any]], int]:
    """Every node from `since` on, page after page, and the number of pages."""
    nodes: list[dict[str, Any]] = []
    after, pages = None, 0
    while True:
        data = await client.data(SYNC, {"since": since, "first": first, "after": after})
        connection = data["staffMembers"]
        nodes += [edge["node"] for edge in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes, pages
        after = connection["pageInfo"]["endCursor"]


def names(nodes: list[dict[str, Any]]) -> list[str]:
    return [node["username"] for node in nodes]


async def test_updated_since_is_inclusive_and_in_change_order(
    admin: GraphQLClient, practice: dict[str, Any], settings: Settings
) -> None:
    await add_staff(practice, _staff(["early", "middle", "late"]))
    await _at(T1, "early")
    await _at(T2, "middle")
    await _at(T3, "late", "owner")
    # Another practice's changes are not this one's.
    await make_practice(settings, "Lakeside Health", "lakeowner", Plan.INVOICED)
    await _at(T3, "lakeowner")

    nodes, _ = await sync(admin, T2.isoformat())
    assert names(nodes)[0] == "middle" and set(names(nodes)[1:]) == {"late", "owner"}
    assert datetime.fromisoformat(nodes[0]["updatedAt"]) == T2  # the bound itself is in
    assert _keys(nodes) == sorted(_keys(nodes))
    just_after = (T2 + timedelta(microseconds=1)).isoformat()
    assert names((await sync(admin, just_after))[0]) == names(nodes)[1:]
    # The same instant in another offset (SQLite compares stored times as text).
    in_paris = T2.astimezone(ZoneInfo("Europe/Paris")).isoformat()
    assert names((await sync(admin, in_paris))[0]) == names(nodes)
    total = await admin.data(SYNC, {"since": T2.isoformat()})
    assert total["staffMembers"]["totalCount"] == 3


def _keys(nodes: list[dict[str, Any]]) -> list[tuple[datetime, str]]:
    """(updatedAt, database id) of each node: the order the list promises."""
    return [
        (datetime.fromisoformat(node["updatedAt"]), str(parse_id(node["id"], "StaffMember")))
        for node in nodes
    ]


async def test_pages_over_ties_have_no_duplicates_and_no_gaps(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    tied = [f"tied{i:02d}" for i in range(23)]
    await add_staff(practice, _staff([*tied, "after1", "after2"]))
    await _at(T1, *tied, "owner")  # one statement stamps many rows alike, as a backfill
    await _at(T2, "after1", "after2")

    nodes, pages = await sync(admin, EPOCH, first=4)
    assert pages == 7
    assert len(names(nodes)) == len(set(names(nodes))) == 26
    assert _keys(nodes) == sorted(_keys(nodes))
    assert set(names(nodes)[-2:]) == {"after1", "after2"}


async def test_a_row_changed_during_a_sync_comes_again_at_the_end(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    await add_staff(practice, _staff([f"row{i}" for i in range(6)]))
    await _at(T1, *[f"row{i}" for i in range(6)], "owner")
    first = await admin.data(SYNC, {"since": EPOCH, "first": 3})
    seen = first["staffMembers"]["edges"]
    changed = seen[0]["node"]
    assert (await admin.mutate(STAFF_UPDATE, {"id": changed["id"], "firstName": "Changed"}))[
        "userErrors"
    ] == []
    after = first["staffMembers"]["pageInfo"]["endCursor"]
    rest = await admin.data(SYNC, {"since": EPOCH, "first": 100, "after": after})
    later = [edge["node"] for edge in rest["staffMembers"]["edges"]]
    assert len(later) == 5  # the four not yet seen, then the changed one again
    assert later[-1]["id"] == changed["id"] and later[-1]["firstName"] == "Changed"


async def test_a_cursor_works_only_in_its_own_order(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    await add_staff(practice, _staff(["alpha", "beta", "gamma"]))
    by_name = await admin.data(STAFF_LIST, {"first": 1})
    name_cursor = by_name["staffMembers"]["pageInfo"]["endCursor"]
    by_change = await admin.data(SYNC, {"since": EPOCH, "first": 1})
    change_cursor = by_change["staffMembers"]["pageInfo"]["endCursor"]

    refused = await admin.execute(SYNC, {"since": EPOCH, "after": name_cursor})
    assert _error(refused) == ("BAD_USER_INPUT", "from the list in name order")
    refused = await admin.execute(STAFF_LIST, {"after": change_cursor})
    assert _error(refused) == ("BAD_USER_INPUT", "from the list in `updatedAt` order")
    for garbage in ("garbage!", "e30", "W10", "eyJ1cGRhdGVkQXQiOiAibm8ifQ"):
        refused = await admin.execute(SYNC, {"since": EPOCH, "after": garbage})
        assert _error(refused) == ("BAD_USER_INPUT", "cursor is not valid")


async def test_updated_since_needs_a_time_zone_and_a_time(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    refused = await admin.execute(SYNC, {"since": "2026-01-31T09:00:00"})
    assert _error(refused) == ("BAD_USER_INPUT", "with a time zone")
    refused = await admin.execute(SYNC, {"since": "yesterday"})
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_phones_also_come_in_e164(admin: GraphQLClient, practice: dict[str, Any]) -> None:
    staff = await create_staff(admin, cellPhone="(212) 222-2222", homePhone="+16502530000")
    shown = (await admin.data(PHONES, {"id": staff["id"]}))["staffMember"]
    assert shown == {
        "cellPhone": "212-222-2222",
        "cellPhoneE164": "+12122222222",
        "homePhone": "650-253-0000",
        "homePhoneE164": "+16502530000",
    }
    await admin.mutate(STAFF_UPDATE, {"id": staff["id"], "homePhone": ""})
    shown = (await admin.data(PHONES, {"id": staff["id"]}))["staffMember"]
    assert (shown["homePhone"], shown["homePhoneE164"]) == (None, None)


async def test_a_sync_with_overlap_misses_no_concurrent_change(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    """The README's advice, under concurrent edits: each sync starts a little before the
    newest updatedAt it saw; the mirror then ends equal to the server."""
    await add_staff(practice, _staff([f"edit{i}" for i in range(8)]))
    mirror: dict[str, str] = {}
    since = EPOCH

    async def one_sync() -> None:
        nonlocal since
        nodes, _ = await sync(admin, since, first=3)
        mirror.update({node["id"]: node["firstName"] for node in nodes})
        if nodes:
            newest = max(datetime.fromisoformat(node["updatedAt"]) for node in nodes)
            since = (newest - timedelta(seconds=5)).isoformat()

    async def edits(round_: int) -> None:
        staff = (await admin.data(STAFF_LIST, {"first": 100}))["staffMembers"]["edges"]
        await asyncio.gather(
            *(
                admin.mutate(STAFF_UPDATE, {"id": e["node"]["id"], "firstName": f"R{round_}x{i}"})
                for i, e in enumerate(staff)
                if e["node"]["username"] != "owner"
            )
        )

    for round_ in range(3):
        await asyncio.gather(one_sync(), edits(round_), one_sync())
    await one_sync()
    server = (await admin.data(STAFF_LIST, {"first": 100}))["staffMembers"]["edges"]
    assert mirror == {e["node"]["id"]: e["node"]["firstName"] for e in server}


def _error(body: dict[str, Any]) -> tuple[str, str]:
    [error] = body["errors"]
    code, message = error["extensions"]["code"], error["message"]
    for fragment in (
        "from the list in name order",
        "from the list in `updatedAt` order",
        "cursor is not valid",
        "with a time zone",
    ):
        if fragment in message:
            return code, fragment
    return code, message
