"""Builds valid staffCreate inputs, so each test states only what matters to it."""

from typing import Any

from backend.models import Provider, Role, StaffMember, StaffStatus
from backend.services.staff_rules import search_text
from tests.api.client import GraphQLClient
from tests.api.documents import REFERENCE_DATA, STAFF_CREATE
from tests.pins import STAFF_PIN

STAFF_PASSWORD = "Copper-Meadow-2291"


async def reference_data(client: GraphQLClient) -> dict[str, Any]:
    return await client.data(REFERENCE_DATA)


async def staff_input(client: GraphQLClient, **overrides: Any) -> dict[str, Any]:
    data = await reference_data(client)
    nurse = next(role for role in data["roles"] if role["name"] == "Nurse (System)")
    values: dict[str, Any] = {
        "firstName": "Camille",
        "lastName": "Nurse",
        "primaryProviderId": data["providers"][0]["id"],
        "roleId": nurse["id"],
        "username": "cnurse",
        "email": "camille.nurse@example.com",
        "password": STAFF_PASSWORD,
        "passwordConfirmation": STAFF_PASSWORD,
        "appUnlockPin": STAFF_PIN,
    }
    values.update(overrides)
    return values


async def create_staff(client: GraphQLClient, **overrides: Any) -> dict[str, Any]:
    payload = await client.mutate(STAFF_CREATE, await staff_input(client, **overrides))
    assert payload["userErrors"] == [], payload["userErrors"]
    staff: dict[str, Any] = payload["staffMember"]
    return staff


def staff_row(
    *,
    practice_id: Any,
    role: Role,
    provider: Provider,
    first: str,
    last: str,
    username: str,
    status: StaffStatus,
    email: str | None = None,
    **more: Any,
) -> StaffMember:
    """An unsaved staff member for a test that writes rows straight into the database
    (tests about reading): credentials are placeholders, the search text is derived."""
    staff = StaffMember(
        practice_id=practice_id,
        role=role,
        primary_provider=provider,
        first_name=first,
        last_name=last,
        username=username,
        username_key=username.lower(),
        email=email or f"{username}@example.com",
        password_hash="x",
        pin_hash="x",
        status=status,
        **more,
    )
    staff.search_text = search_text(staff)
    return staff
