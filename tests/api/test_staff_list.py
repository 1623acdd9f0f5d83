"""The staff list: filters, search, keyset pagination, and a fixed number of queries."""

import logging
from typing import Any

import pytest

from backend.models import Office, Provider, Role, StaffMember, StaffStatus
from tests.api.client import GraphQLClient
from tests.api.documents import STAFF_COUNTS, STAFF_LIST
from tests.api.staff_factory import staff_row

NAMES = [
    ("Camille", "Nurse", "cnurse", StaffStatus.ACTIVE, True),
    ("Brian", "Biller", "bbiller", StaffStatus.ACTIVE, False),
    ("Fiona", "Frontdesk", "ffront", StaffStatus.PENDING, False),
    ("Anna", "Nurse", "anurse", StaffStatus.PENDING, False),
    ("Iris", "Inactive", "iinactive", StaffStatus.INACTIVE, True),
    ("Zoe", "Adams", "zadams", StaffStatus.ACTIVE, False),
]


async def add_staff(
    practice: dict[str, Any], rows: list[tuple[str, str, str, StaffStatus, bool]]
) -> None:
    """Rows straight into the database: these tests are about reading."""
    owner: StaffMember = practice["owner"]
    provider = await Provider.get(practice_id=owner.practice_id)
    offices = await Office.filter(practice_id=owner.practice_id)
    nurse = await Role.get(name="Nurse (System)")
    for first, last, username, status, two_factor in rows:
        staff = staff_row(
            practice_id=owner.practice_id,
            role=nurse,
            provider=provider,
            first=first,
            last=last,
            username=username,
            status=status,
            two_factor_enabled=two_factor,
            restrict_offices=True,
        )
        await staff.save()
        await staff.offices.add(*offices)


async def usernames(client: GraphQLClient, **filter: Any) -> list[str]:
    data = await client.data(STAFF_LIST, {"filter": filter, "first": 100})
    return [edge["node"]["username"] for edge in data["staffMembers"]["edges"]]


async def test_sorted_by_last_then_first_name(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    await add_staff(practice, NAMES)
    assert await usernames(admin, status="ACTIVE") == ["zadams", "bbiller", "cnurse", "owner"]
    assert await usernames(admin, status="PENDING") == ["ffront", "anurse"]
    assert await usernames(admin, status="INACTIVE") == ["iinactive"]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("nurse", ["anurse", "cnurse"]),
        ("NURSE", ["anurse", "cnurse"]),
        ("camille nurse", ["cnurse"]),
        ("  Camille   Nurse ", ["cnurse"]),
        ("bbill", ["bbiller"]),
        ("zadams@example", ["zadams"]),
        ("ri", ["bbiller", "iinactive"]),
        ("100%", []),
        ("n_rse", []),
        # Each word must match, in any order, each in any field.
        ("nurse camille", ["cnurse"]),
        ("Nurse   Anna", ["anurse"]),
        ("nurse cnurse", ["cnurse"]),
        ("nurse nurs urse", ["anurse", "cnurse"]),
        ("camille biller", []),
    ],
)
async def test_search(
    admin: GraphQLClient, practice: dict[str, Any], term: str, expected: list[str]
) -> None:
    await add_staff(practice, NAMES)
    found = await usernames(admin, search=term)
    assert sorted(found) == sorted(expected)


async def test_role_and_two_factor_filters_and_counts(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    await add_staff(practice, NAMES)
    roles = await admin.data("query { roles { id name } }")
    nurse = next(r["id"] for r in roles["roles"] if r["name"] == "Nurse (System)")
    assert "owner" not in await usernames(admin, roleId=nurse)
    assert sorted(await usernames(admin, twoFactorEnabled=True)) == ["cnurse", "iinactive"]
    counts = await admin.data(STAFF_COUNTS, {"filter": {"search": "nurse"}})
    assert counts["staffCounts"] == {"active": 1, "pending": 1, "inactive": 0}
    counts = await admin.data(STAFF_COUNTS, {"filter": {"twoFactorEnabled": False}})
    assert counts["staffCounts"] == {"active": 3, "pending": 2, "inactive": 0}


async def test_keyset_pages_cover_everything_once(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    # Same last and first names force the id tie-break.
    rows = [("Sam", "Same", f"same{i}", StaffStatus.ACTIVE, False) for i in range(7)]
    await add_staff(practice, rows + NAMES)
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await admin.data(STAFF_LIST, {"first": 3, "after": after})
        connection = data["staffMembers"]
        assert connection["totalCount"] == 14
        seen += [edge["node"]["username"] for edge in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert pages == 5
    assert len(seen) == len(set(seen)) == 14
    everything = await usernames(admin)
    assert seen == everything


async def test_page_size_is_capped_and_bad_cursors_are_refused(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    rows = [(f"P{i:03d}", "Person", f"person{i}", StaffStatus.ACTIVE, False) for i in range(105)]
    await add_staff(practice, rows)
    data = await admin.data(STAFF_LIST, {"first": 500})
    assert len(data["staffMembers"]["edges"]) == 100
    body = await admin.execute(STAFF_LIST, {"after": "garbage!"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "cursor" in body["errors"][0]["message"]


async def test_a_page_costs_the_same_queries_whatever_its_size(
    admin: GraphQLClient, practice: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    rows = [(f"P{i:03d}", "Person", f"person{i}", StaffStatus.PENDING, False) for i in range(60)]
    await add_staff(practice, rows)

    async def queries_for(first: int, document: str = STAFF_LIST) -> int:
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            data = await admin.data(document, {"first": first})
        assert len(data["staffMembers"]["edges"]) == first
        # The outbox sender polls in the background (its claim, and the reset requests it
        # looks for before each pass): those queries are not the request's.
        background = ("claimed_until", "password_reset_request")
        return sum(
            1
            for record in caplog.records
            if record.name == "tortoise.db_client"
            and not any(mark in record.getMessage() for mark in background)
        )

    small, large = await queries_for(5), await queries_for(50)
    assert small == large
    assert large <= 8
    # totalCount is counted only when asked for: the count of a common search term in a
    # large practice costs more than the page.
    without_total = STAFF_LIST.replace("totalCount", "")
    assert "totalCount" in STAFF_LIST
    assert await queries_for(5, without_total) == small - 1
