"""Bad input gets a specific userError on the right field and changes nothing."""

from typing import Any

import pytest

from backend.mail.dev_mailbox import DevMailbox
from backend.models import OutboxMessage, StaffMember
from tests.api.client import GraphQLClient
from tests.api.documents import STAFF_CREATE, STAFF_UPDATE
from tests.api.staff_factory import create_staff, reference_data, staff_input

CREATE_CASES: list[tuple[dict[str, Any], list[str], str]] = [
    ({"firstName": "  "}, ["input", "firstName"], "REQUIRED"),
    ({"lastName": "x" * 51}, ["input", "lastName"], "TOO_LONG"),
    ({"firstName": "Ca\u0007mille"}, ["input", "firstName"], "INVALID"),
    ({"username": "ab"}, ["input", "username"], "TOO_SHORT"),
    ({"username": "c nurse!"}, ["input", "username"], "INVALID_USERNAME"),
    ({"email": "not-an-email"}, ["input", "email"], "INVALID_EMAIL"),
    (
        {"password": "short", "passwordConfirmation": "short"},
        ["input", "password"],
        "PASSWORD_TOO_WEAK",
    ),
    (
        {"password": "password1234", "passwordConfirmation": "password1234"},
        ["input", "password"],
        "PASSWORD_TOO_WEAK",
    ),
    (
        {"password": "my-cnurse-login-77", "passwordConfirmation": "my-cnurse-login-77"},
        ["input", "password"],
        "PASSWORD_TOO_WEAK",
    ),
    (
        {"passwordConfirmation": "Something-Else-123"},
        ["input", "passwordConfirmation"],
        "PASSWORD_MISMATCH",
    ),
    ({"appUnlockPin": "123"}, ["input", "appUnlockPin"], "INVALID_PIN"),
    ({"appUnlockPin": "1234"}, ["input", "appUnlockPin"], "INVALID_PIN"),
    ({"appUnlockPin": "0000"}, ["input", "appUnlockPin"], "INVALID_PIN"),
    ({"cellPhone": "555-1234"}, ["input", "cellPhone"], "INVALID_PHONE"),
    ({"homePhone": "+44 20 7946 0958"}, ["input", "homePhone"], "INVALID_PHONE"),
    (
        {"careTeamIdType": "NPI", "careTeamIdNumber": "1234567890"},
        ["input", "careTeamIdNumber"],
        "INVALID_NPI",
    ),
    (
        {"careTeamIdType": "NCSBN_ID", "careTeamIdNumber": "12345678901"},
        ["input", "careTeamIdNumber"],
        "INVALID_NCSBN_ID",
    ),
    ({"careTeamRole": "ASTRONAUT"}, ["input", "careTeamRole"], "INVALID"),
    ({"restrictOffices": True, "officeIds": []}, ["input", "officeIds"], "OFFICE_REQUIRED"),
    ({"primaryProviderId": "UHJvdmlkZXI6bm9wZQ"}, ["input", "primaryProviderId"], "NOT_FOUND"),
    ({"roleId": "bm90LWFuLWlk"}, ["input", "roleId"], "NOT_FOUND"),
]


@pytest.mark.parametrize(("overrides", "field", "code"), CREATE_CASES)
async def test_create_refuses_bad_input_and_changes_nothing(
    admin: GraphQLClient,
    mailbox: DevMailbox,
    overrides: dict[str, Any],
    field: list[str],
    code: str,
) -> None:
    payload = await admin.mutate(STAFF_CREATE, await staff_input(admin, **overrides))
    assert payload["staffMember"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert payload["userErrors"][0]["message"].endswith(".")
    assert await StaffMember.filter(username_key="cnurse").count() == 0
    assert await OutboxMessage.all().count() == 0


async def test_all_problems_are_reported_at_once(admin: GraphQLClient) -> None:
    values = await staff_input(admin, firstName="", email="nope", appUnlockPin="1111")
    payload = await admin.mutate(STAFF_CREATE, values)
    assert sorted(e["field"][1] for e in payload["userErrors"]) == [
        "appUnlockPin",
        "email",
        "firstName",
    ]


async def test_values_are_normalised(admin: GraphQLClient) -> None:
    data = await reference_data(admin)
    staff = await create_staff(
        admin,
        firstName="  Camille ",
        email="Camille.Nurse@Example.COM",
        cellPhone="(212) 222-2222",
        careTeamRole="CHRONIC_CARE_NURSE",
        careTeamIdType="NPI",
        careTeamIdNumber="1234567893",
        restrictOffices=True,
        officeIds=[data["offices"][1]["id"]],
    )
    assert staff["firstName"] == "Camille"
    assert staff["email"] == "camille.nurse@example.com"
    assert staff["cellPhone"] == "212-222-2222"
    assert staff["careTeamRole"] == {
        "code": "CHRONIC_CARE_NURSE",
        "name": "Chronic care nurse (occupation)",
    }
    assert staff["careTeamIdentifier"] == {"type": "NPI", "number": "1234567893"}
    assert [o["name"] for o in staff["offices"]] == ["North Office"]
    assert staff["emailUpdateEnabled"] is True
    stored = await StaffMember.get(username_key="cnurse")
    assert stored.cell_phone == "+12122222222"


async def test_username_and_email_are_unique_case_insensitively(admin: GraphQLClient) -> None:
    await create_staff(admin)
    payload = await admin.mutate(
        STAFF_CREATE,
        await staff_input(admin, username="CNurse", email="CAMILLE.NURSE@example.com"),
    )
    assert sorted((e["field"][1], e["code"]) for e in payload["userErrors"]) == [
        ("email", "TAKEN"),
        ("username", "TAKEN"),
    ]
    assert "already used by another account" in " ".join(
        e["message"] for e in payload["userErrors"]
    )


async def test_update_changes_only_given_fields(admin: GraphQLClient) -> None:
    staff = await create_staff(admin, cellPhone="212-222-2222")
    payload = await admin.mutate(STAFF_UPDATE, {"id": staff["id"], "lastName": "Nurse-Smith"})
    assert payload["userErrors"] == []
    assert payload["staffMember"]["lastName"] == "Nurse-Smith"
    assert payload["staffMember"]["cellPhone"] == "212-222-2222"
    assert payload["staffMember"]["fullName"] == "Camille Nurse-Smith"


async def test_update_refuses_bad_input_and_changes_nothing(admin: GraphQLClient) -> None:
    staff = await create_staff(admin)
    other = await create_staff(admin, username="bbiller", email="brian@example.com")
    payload = await admin.mutate(
        STAFF_UPDATE, {"id": staff["id"], "firstName": "", "email": "brian@example.com"}
    )
    assert sorted((e["field"][1], e["code"]) for e in payload["userErrors"]) == [
        ("email", "TAKEN"),
        ("firstName", "REQUIRED"),
    ]
    stored = await StaffMember.get(username_key="cnurse")
    assert (stored.first_name, stored.email) == ("Camille", "camille.nurse@example.com")
    assert other["email"] == "brian@example.com"


async def test_update_of_unknown_staff_is_not_found(admin: GraphQLClient) -> None:
    payload = await admin.mutate(STAFF_UPDATE, {"id": "U3RhZmZNZW1iZXI6eA", "firstName": "X"})
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "id"], "NOT_FOUND")
    ]
