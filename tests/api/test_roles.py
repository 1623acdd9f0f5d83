"""The Roles & Permissions page."""

from typing import Any

from backend.models import Role, StaffMember
from tests.api.client import GraphQLClient
from tests.api.documents import ROLE_CREATE, ROLE_DELETE, ROLE_UPDATE
from tests.api.staff_factory import create_staff

CREATE, UPDATE, DELETE = ROLE_CREATE, ROLE_UPDATE, ROLE_DELETE


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def test_system_roles_are_listed_and_read_only(admin: GraphQLClient) -> None:
    roles = (await admin.data("query { roles { id name isSystem permissions } }"))["roles"]
    names = {r["name"]: r for r in roles}
    assert {"Staff (System)", "Nurse (System)", "Practice Administrator (System)"} <= set(names)
    assert "MANAGE_ACCOUNTS" in names["Practice Administrator (System)"]["permissions"]
    nurse = names["Nurse (System)"]
    assert nurse["isSystem"] is True
    assert codes(await admin.mutate(UPDATE, {"id": nurse["id"], "name": "Nurse"})) == [
        "SYSTEM_ROLE_READ_ONLY"
    ]
    assert codes(await admin.mutate(DELETE, {"id": nurse["id"]})) == ["SYSTEM_ROLE_READ_ONLY"]
    assert await Role.filter(name="Nurse (System)").count() == 1


async def test_create_rename_change_and_delete_a_practice_role(admin: GraphQLClient) -> None:
    created = await admin.mutate(
        CREATE, {"name": " Biller ", "permissions": ["SUBMIT_CLAIMS", "BILLING", "BILLING"]}
    )
    assert created["userErrors"] == []
    role = created["role"]
    assert (role["name"], role["isSystem"], role["permissions"]) == (
        "Biller",
        False,
        ["BILLING", "SUBMIT_CLAIMS"],
    )

    renamed = await admin.mutate(
        UPDATE, {"id": role["id"], "name": "Senior Biller", "permissions": ["REPORTING"]}
    )
    assert (renamed["role"]["name"], renamed["role"]["permissions"]) == (
        "Senior Biller",
        ["REPORTING"],
    )

    deleted = await admin.mutate(DELETE, {"id": role["id"]})
    assert deleted == {"deletedRoleId": role["id"], "userErrors": []}
    assert not await Role.exists(name="Senior Biller")


async def test_role_names_are_unique_in_the_practice(admin: GraphQLClient) -> None:
    await admin.mutate(CREATE, {"name": "Biller", "permissions": []})
    duplicate = await admin.mutate(CREATE, {"name": "BILLER", "permissions": []})
    system_name = await admin.mutate(CREATE, {"name": "nurse (system)", "permissions": []})
    empty = await admin.mutate(CREATE, {"name": "  ", "permissions": []})
    assert codes(duplicate) == ["TAKEN"] and codes(system_name) == ["TAKEN"]
    assert [(e["field"], e["code"]) for e in empty["userErrors"]] == [
        (["input", "name"], "REQUIRED")
    ]


async def test_a_role_in_use_cannot_be_deleted(admin: GraphQLClient) -> None:
    role = (await admin.mutate(CREATE, {"name": "Biller", "permissions": ["BILLING"]}))["role"]
    await create_staff(admin, roleId=role["id"])
    refused = await admin.mutate(DELETE, {"id": role["id"]})
    assert codes(refused) == ["ROLE_IN_USE"]
    assert "1 staff member" in refused["userErrors"][0]["message"]


async def test_the_last_managing_role_cannot_lose_manage_accounts(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    role = (
        await admin.mutate(CREATE, {"name": "Office Manager", "permissions": ["MANAGE_ACCOUNTS"]})
    )["role"]
    owner = practice["owner"]
    await StaffMember.filter(id=owner.id).update(role_id=(await Role.get(name="Office Manager")).id)
    refused = await admin.mutate(UPDATE, {"id": role["id"], "permissions": ["BILLING"]})
    assert codes(refused) == ["LAST_ACCOUNT_MANAGER"]
    assert (await Role.get(name="Office Manager")).permissions == ["MANAGE_ACCOUNTS"]
    # Renaming keeps the permission, so it is fine.
    assert codes(await admin.mutate(UPDATE, {"id": role["id"], "name": "Practice Manager"})) == []
