"""Invariants hold under concurrent requests: the database or a lock decides, not luck.

These run on both backends; on PostgreSQL the requests really run in parallel on
separate connections of the pool."""

import asyncio
from datetime import UTC, datetime
from typing import Any

from backend.config import Settings
from backend.mail.dev_mailbox import DevMailbox
from backend.models import ActivationToken, Plan, StaffMember, StaffStatus
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD, make_practice
from tests.api.documents import DEACTIVATE, REACTIVATE, STAFF_CREATE, STAFF_UPDATE
from tests.api.staff_factory import create_staff, staff_input
from tests.api.test_lifecycle import activate, token_from


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def test_duplicate_email_race_creates_one(admin: GraphQLClient) -> None:
    inputs = [
        await staff_input(admin, username=f"racer{i}", email="same@example.com") for i in range(6)
    ]
    results = await asyncio.gather(*(admin.mutate(STAFF_CREATE, values) for values in inputs))
    created = [r for r in results if r["staffMember"]]
    assert len(created) == 1
    assert all(codes(r) == ["TAKEN"] for r in results if not r["staffMember"])
    assert await StaffMember.filter(email="same@example.com").count() == 1


async def test_duplicate_username_race_creates_one(admin: GraphQLClient) -> None:
    inputs = [
        await staff_input(admin, username="Racer" if i % 2 else "racer", email=f"r{i}@example.com")
        for i in range(6)
    ]
    results = await asyncio.gather(*(admin.mutate(STAFF_CREATE, values) for values in inputs))
    assert sum(1 for r in results if r["staffMember"]) == 1
    assert await StaffMember.filter(username_key="racer").count() == 1


async def test_seat_limit_race_two_creates_at_two_of_three(
    anonymous: GraphQLClient, settings: Settings
) -> None:
    await make_practice(settings, "Small Practice", "smallowner", Plan.ASCLEPIUS)
    await anonymous.login("smallowner", ADMIN_PASSWORD)
    await create_staff(anonymous)  # 2 of 3 seats
    inputs = [
        await staff_input(anonymous, username=f"seat{i}", email=f"seat{i}@example.com")
        for i in range(2)
    ]
    results = await asyncio.gather(*(anonymous.mutate(STAFF_CREATE, v) for v in inputs))
    assert sorted(codes(r) for r in results) == [[], ["SEAT_LIMIT_REACHED"]]
    used = await StaffMember.filter(status__in=[StaffStatus.PENDING, StaffStatus.ACTIVE]).count()
    assert used == 3


async def test_seat_limit_race_between_create_and_reactivate(
    anonymous: GraphQLClient, settings: Settings
) -> None:
    await make_practice(settings, "Small Practice", "smallowner", Plan.NON_INVOICED)
    await anonymous.login("smallowner", ADMIN_PASSWORD)
    first = await create_staff(anonymous)
    await create_staff(anonymous, username="second", email="second@example.com")
    await StaffMember.filter(username_key="cnurse").update(status=StaffStatus.INACTIVE)  # 2 of 3
    values = await staff_input(anonymous, username="third", email="third@example.com")
    create_result, reactivate_result = await asyncio.gather(
        anonymous.mutate(STAFF_CREATE, values), anonymous.mutate(REACTIVATE, {"id": first["id"]})
    )
    assert sorted([codes(create_result), codes(reactivate_result)]) == [[], ["SEAT_LIMIT_REACHED"]]
    used = await StaffMember.filter(status__in=[StaffStatus.PENDING, StaffStatus.ACTIVE]).count()
    assert used == 3


async def test_token_redemption_race_has_one_winner(
    admin: GraphQLClient, anonymous: GraphQLClient, mailbox: DevMailbox
) -> None:
    await create_staff(admin)
    [message] = await mailbox.wait_for(1)
    token = token_from(message.text)
    results = await asyncio.gather(*(activate(anonymous, token) for _ in range(10)))
    winners = [r for r in results if not r["userErrors"]]
    assert len(winners) == 1
    # The given password is a guess counted before it is checked: redemptions in flight
    # beyond the first LOGIN_DELAY_AFTER are refused by the sign-in limit instead.
    losers = {tuple(codes(r)) for r in results if r["userErrors"]}
    assert losers <= {("TOKEN_INVALID_OR_EXPIRED",), ("TOO_MANY_ATTEMPTS",)}, losers
    assert await ActivationToken.filter(used_at__not_isnull=True).count() == 1


async def test_two_managers_deactivating_each_other_leave_one(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    roles = await admin.data("query { roles { id name } }")
    admin_role = next(r for r in roles["roles"] if r["name"].startswith("Practice Administrator"))
    await create_staff(admin, roleId=admin_role["id"])
    await StaffMember.filter(username_key="cnurse").update(status=StaffStatus.ACTIVE)
    await anonymous.login("cnurse", "Copper-Meadow-2291")
    ids = {}
    for name, client in (("owner", admin), ("cnurse", anonymous)):
        ids[name] = (await client.data("query { viewer { account { id } } }"))["viewer"]["account"][
            "id"
        ]
    # Each tries to deactivate the other at the same time: one must stay a manager.
    results = await asyncio.gather(
        admin.execute(DEACTIVATE, {"input": {"id": ids["cnurse"]}}),
        anonymous.execute(DEACTIVATE, {"input": {"id": ids["owner"]}}),
    )
    active = await StaffMember.filter(status=StaffStatus.ACTIVE).count()
    assert active == 1, results
    # The loser was refused as the last manager, or found its own session already ended
    # by the winner (deactivation ends sessions at once): both are right answers.
    for body in results:
        codes = [e["extensions"]["code"] for e in body.get("errors", [])]
        assert codes in ([], ["UNAUTHENTICATED"]), body


async def test_an_edit_racing_a_deactivation_never_revives_the_account(
    admin: GraphQLClient,
) -> None:
    staff = await create_staff(admin)
    await StaffMember.filter(username_key="cnurse").update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    for round_number in range(4):
        phone = f"212-222-22{round_number:02d}"
        await asyncio.gather(
            admin.mutate(STAFF_UPDATE, {"id": staff["id"], "cellPhone": phone}),
            admin.mutate(DEACTIVATE, {"id": staff["id"]}),
        )
        stored = await StaffMember.get(username_key="cnurse")
        assert stored.status == StaffStatus.INACTIVE
        assert stored.cell_phone == "+1" + phone.replace("-", "")
        await admin.mutate(REACTIVATE, {"id": staff["id"]})
