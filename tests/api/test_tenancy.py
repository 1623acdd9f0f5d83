"""A second practice's administrator sees and changes nothing of the first: every root field
with an ID answers for a foreign ID exactly as for one that does not exist."""

from typing import Any

import pytest

from backend.config import Settings
from backend.models import Plan, StaffMember
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD, make_practice
from tests.api.documents import (
    CANCEL,
    DEACTIVATE,
    REACTIVATE,
    RESEND,
    ROLE_CREATE,
    ROLE_DELETE,
    ROLE_UPDATE,
    STAFF_COUNTS,
    STAFF_LIST,
    STAFF_UPDATE,
)
from tests.api.staff_factory import create_staff, reference_data, staff_input

MISSING_STAFF = "U3RhZmZNZW1iZXI6MDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDk5"


@pytest.fixture
async def outsider(
    anonymous: GraphQLClient, settings: Settings, practice: dict[str, Any]
) -> GraphQLClient:
    await make_practice(settings, "Lakeside Health", "lakeowner", Plan.INVOICED)
    await anonymous.login("lakeowner", ADMIN_PASSWORD)
    return anonymous


async def test_lists_and_counts_show_only_the_own_practice(
    admin: GraphQLClient, outsider: GraphQLClient
) -> None:
    await create_staff(admin)
    listed = await outsider.data(STAFF_LIST)
    assert [e["node"]["username"] for e in listed["staffMembers"]["edges"]] == ["lakeowner"]
    counts = await outsider.data(STAFF_COUNTS)
    assert counts["staffCounts"] == {"active": 1, "pending": 0, "inactive": 0}
    theirs = await reference_data(outsider)
    ours = await reference_data(admin)
    assert {p["id"] for p in theirs["providers"]}.isdisjoint(p["id"] for p in ours["providers"])
    assert {o["id"] for o in theirs["offices"]}.isdisjoint(o["id"] for o in ours["offices"])


async def test_reads_by_id_answer_like_missing(
    admin: GraphQLClient, outsider: GraphQLClient
) -> None:
    staff = await create_staff(admin)
    ours = await reference_data(admin)
    foreign_ids = [staff["id"], ours["providers"][0]["id"], ours["offices"][0]["id"]]
    for foreign, missing in ((staff["id"], MISSING_STAFF),):
        a = await outsider.data("query($id: ID!) { staffMember(id: $id) { id } }", {"id": foreign})
        b = await outsider.data("query($id: ID!) { staffMember(id: $id) { id } }", {"id": missing})
        assert a == b == {"staffMember": None}
    for foreign in foreign_ids:
        node = await outsider.data("query($id: ID!) { node(id: $id) { id } }", {"id": foreign})
        assert node == {"node": None}
    filtered = await outsider.data(
        STAFF_LIST, {"filter": {"roleId": ours["roles"][0]["id"], "search": "camille"}}
    )
    assert filtered["staffMembers"]["totalCount"] == 0


@pytest.mark.parametrize("mutation", [RESEND, CANCEL, DEACTIVATE, REACTIVATE])
async def test_lifecycle_mutations_answer_like_missing(
    admin: GraphQLClient, outsider: GraphQLClient, mutation: str
) -> None:
    staff = await create_staff(admin)
    foreign = await outsider.mutate(mutation, {"id": staff["id"]})
    missing = await outsider.mutate(mutation, {"id": MISSING_STAFF})
    assert foreign == missing
    assert [e["code"] for e in foreign["userErrors"]] == ["NOT_FOUND"]
    assert (await StaffMember.get(username_key="cnurse")).status.value == "PENDING"


async def test_update_and_create_cannot_reach_into_another_practice(
    admin: GraphQLClient, outsider: GraphQLClient
) -> None:
    staff = await create_staff(admin)
    ours = await reference_data(admin)
    foreign = await outsider.mutate(STAFF_UPDATE, {"id": staff["id"], "firstName": "Mallory"})
    missing = await outsider.mutate(STAFF_UPDATE, {"id": MISSING_STAFF, "firstName": "Mallory"})
    assert foreign == missing
    assert (await StaffMember.get(username_key="cnurse")).first_name == "Camille"

    # Their own staff member cannot be given our provider, our office or our practice role.
    role = await admin.mutate(
        ROLE_CREATE,
        {"name": "Riverside Biller", "permissions": ["BILLING"]},
    )
    values = await staff_input(
        outsider,
        username="mallory",
        email="mallory@example.com",
        primaryProviderId=ours["providers"][0]["id"],
        roleId=role["role"]["id"],
        restrictOffices=True,
        officeIds=[ours["offices"][0]["id"]],
    )
    payload = await outsider.mutate(
        "mutation($input: StaffCreateInput!) { staffCreate(input: $input) "
        "{ staffMember { id } userErrors { field code } } }",
        values,
    )
    assert sorted((e["field"][1], e["code"]) for e in payload["userErrors"]) == [
        ("officeIds", "NOT_FOUND"),
        ("primaryProviderId", "NOT_FOUND"),
        ("roleId", "NOT_FOUND"),
    ]


async def test_role_mutations_answer_like_missing(
    admin: GraphQLClient, outsider: GraphQLClient
) -> None:
    created = await admin.mutate(
        ROLE_CREATE,
        {"name": "Riverside Biller", "permissions": ["BILLING"]},
    )
    role_id = created["role"]["id"]
    missing_role = "Um9sZTowMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwOTk"
    for document, extra in ((ROLE_UPDATE, {"name": "Stolen"}), (ROLE_DELETE, {})):
        foreign = await outsider.mutate(document, {"id": role_id, **extra})
        missing = await outsider.mutate(document, {"id": missing_role, **extra})
        assert foreign == missing
        assert [e["code"] for e in foreign["userErrors"]] == ["NOT_FOUND"]
    roles = await admin.data("query { roles { name } }")
    assert "Riverside Biller" in [r["name"] for r in roles["roles"]]
