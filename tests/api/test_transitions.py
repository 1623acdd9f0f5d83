"""Only the transitions of DESIGN.md §4 happen; the rest are refused with a clear code."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend.config import Settings
from backend.mail.dev_mailbox import DevMailbox
from backend.models import ActivationToken, Plan, Role, StaffMember, StaffStatus
from tests.api.client import GraphQLClient
from tests.api.conftest import make_practice
from tests.api.documents import CANCEL, DEACTIVATE, REACTIVATE, RESEND, STAFF_CREATE, STAFF_UPDATE
from tests.api.staff_factory import create_staff, staff_input
from tests.api.test_lifecycle import activate, token_from

REFUSED = [
    ("PENDING", DEACTIVATE),
    ("PENDING", REACTIVATE),
    ("ACTIVE", RESEND),
    ("ACTIVE", CANCEL),
    ("ACTIVE", REACTIVATE),
    ("INACTIVE", RESEND),
    ("INACTIVE", CANCEL),
    ("INACTIVE", DEACTIVATE),
]


async def _staff_in(admin: GraphQLClient, status: str) -> str:
    staff = await create_staff(admin)
    if status != "PENDING":
        await StaffMember.filter(username_key="cnurse").update(
            status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
        )
    if status == "INACTIVE":
        await admin.mutate(DEACTIVATE, {"id": staff["id"]})
    staff_id: str = staff["id"]
    return staff_id


@pytest.mark.parametrize(("status", "mutation"), REFUSED)
async def test_refused_transitions(admin: GraphQLClient, status: str, mutation: str) -> None:
    staff_id = await _staff_in(admin, status)
    payload = await admin.mutate(mutation, {"id": staff_id})
    assert payload["staffMember"] is None
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == (["input", "id"], "INVALID_TRANSITION")
    assert f"is {status.lower()}" in error["message"]
    assert (await StaffMember.get(username_key="cnurse")).status == StaffStatus(status)


async def test_nobody_can_deactivate_themselves(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    viewer = await admin.data("query { viewer { account { id } } }")
    payload = await admin.mutate(DEACTIVATE, {"id": viewer["viewer"]["account"]["id"]})
    assert [e["code"] for e in payload["userErrors"]] == ["CANNOT_DEACTIVATE_SELF"]


async def test_last_account_manager_cannot_be_deactivated_or_demoted(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    # With a second manager, demoting one of the two is allowed...
    admin_role = await Role.get(name="Practice Administrator (System)")
    await create_staff(admin, roleId=_role_id(admin_role))
    await StaffMember.filter(username_key="cnurse").update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    second = GraphQLClient(admin.http)
    await second.login("cnurse", "Copper-Meadow-2291")
    owner_id = (await admin.data("query { viewer { account { id } } }"))["viewer"]["account"]["id"]
    nurse_role = await Role.get(name="Nurse (System)")

    # ...but then the owner is the last one and cannot be demoted.
    demote_second = await admin.mutate(
        STAFF_UPDATE,
        {
            "id": (await second.data("query { viewer { account { id } } }"))["viewer"]["account"][
                "id"
            ],
            "roleId": _role_id(nurse_role),
        },
    )
    assert demote_second["userErrors"] == []
    demote_owner = await second.execute(
        STAFF_UPDATE, {"input": {"id": owner_id, "roleId": _role_id(nurse_role)}}
    )
    assert demote_owner["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # no longer a manager
    deactivate_owner = await admin.mutate(DEACTIVATE, {"id": owner_id})
    assert [e["code"] for e in deactivate_owner["userErrors"]] == ["CANNOT_DEACTIVATE_SELF"]
    demote_self = await admin.mutate(STAFF_UPDATE, {"id": owner_id, "roleId": _role_id(nurse_role)})
    assert [e["code"] for e in demote_self["userErrors"]] == ["LAST_ACCOUNT_MANAGER"]
    assert (await StaffMember.get(username_key="owner")).role_id == admin_role.id


async def test_expired_link_leaves_the_account_pending_until_resent(
    admin: GraphQLClient, anonymous: GraphQLClient, mailbox: DevMailbox
) -> None:
    staff = await create_staff(admin)
    [message] = await mailbox.wait_for(1)
    await ActivationToken.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    expired = await activate(anonymous, token_from(message.text))
    [error] = expired["userErrors"]
    assert error["code"] == "TOKEN_INVALID_OR_EXPIRED"
    assert "resend" in error["message"]
    assert (await StaffMember.get(username_key="cnurse")).status == StaffStatus.PENDING

    await admin.mutate(RESEND, {"id": staff["id"]})
    messages = await mailbox.wait_for(2)
    assert (await activate(anonymous, token_from(messages[1].text)))["userErrors"] == []


async def test_activation_checks_the_given_credentials(
    admin: GraphQLClient, anonymous: GraphQLClient, mailbox: DevMailbox
) -> None:
    await create_staff(admin)
    [message] = await mailbox.wait_for(1)
    token = token_from(message.text)
    wrong_password = await activate(anonymous, token, password="Not-The-Given-One-1")
    wrong_username = await activate(anonymous, token, username="someone")
    assert [e["code"] for e in wrong_password["userErrors"]] == ["INVALID_CREDENTIALS"]
    assert wrong_username["userErrors"] == wrong_password["userErrors"]
    same = await activate(
        anonymous,
        token,
        newPassword="Copper-Meadow-2291",
        newPasswordConfirmation="Copper-Meadow-2291",
    )
    assert [(e["field"], e["code"]) for e in same["userErrors"]] == [
        (["input", "newPassword"], "PASSWORD_TOO_WEAK")
    ]
    # None of these used up the link.
    assert (await activate(anonymous, token))["userErrors"] == []


async def test_seat_limit_counts_pending_and_active(
    anonymous: GraphQLClient, settings: Settings, app: object
) -> None:
    await make_practice(settings, "Small Practice", "smallowner", Plan.NON_INVOICED)
    await anonymous.login("smallowner", "Harbor-Lantern-4417")
    second = await create_staff(anonymous)  # owner + 1 = 2 seats
    await create_staff(anonymous, username="bbiller", email="b@example.com")  # 3 of 3
    refused = await anonymous.mutate(
        STAFF_CREATE, await staff_input(anonymous, username="third", email="t@example.com")
    )
    [error] = refused["userErrors"]
    assert error["code"] == "SEAT_LIMIT_REACHED"
    assert "3" in error["message"]

    # An inactive account frees its seat; reactivating it needs one again.
    await anonymous.mutate(CANCEL, {"id": second["id"]})
    await create_staff(anonymous, username="third", email="t@example.com")
    blocked = await anonymous.mutate(REACTIVATE, {"id": second["id"]})
    assert [e["code"] for e in blocked["userErrors"]] == ["SEAT_LIMIT_REACHED"]
    assert (await StaffMember.get(username_key="cnurse")).status == StaffStatus.INACTIVE


def _role_id(role: Role) -> str:
    from backend.api.ids import to_global_id

    return str(to_global_id("Role", role.id))
