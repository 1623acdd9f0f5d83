"""The practice setting "Require two-factor authentication for accounts with Manage
Accounts": managers without it enrol at their next sign-in before doing anything else.
Also: turning two-factor sign-in off is throttled like a sign-in and ends other sessions."""

from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette

from backend.mail.dev_mailbox import DevMailbox
from backend.models import AuditEvent, LoginThrottle, Practice, Session, StaffMember, StaffStatus
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD, _http
from tests.api.staff_factory import STAFF_PASSWORD, create_staff, reference_data
from tests.api.test_lifecycle import activate, token_from
from tests.api.test_two_factor import DISABLE, codes, enroll, later_code, login
from tests.throttle_keys import user_key

ERRORS = "userErrors { field code message }"
REQUIRE = f"""
mutation($input: PracticeSetTwoFactorRequirementInput!) {{
  practiceSetTwoFactorRequirement(input: $input) {{
    practice {{ requireTwoFactorForManagers }} {ERRORS}
  }}
}}
"""
HELD_LOGIN = f"""
mutation($input: LoginInput!) {{
  login(input: $input) {{ token twoFactorEnrollmentRequired twoFactorRequired {ERRORS} }}
}}
"""
VIEWER = "query { viewer { twoFactorEnrollmentRequired permissions account { username } } }"
STAFF_PAGE = "query { staffMembers { edges { node { username } } } }"


async def require_two_factor(client: GraphQLClient, required: bool = True) -> dict[str, Any]:
    return await client.mutate(REQUIRE, {"requireTwoFactorForManagers": required})


async def active_manager(admin: GraphQLClient, username: str = "madmin") -> dict[str, Any]:
    """A second account holding Manage Accounts (Practice Administrator), already active."""
    data = await reference_data(admin)
    role = next(r for r in data["roles"] if r["name"] == "Practice Administrator (System)")
    staff = await create_staff(
        admin, username=username, email=f"{username}@example.com", roleId=role["id"]
    )
    await StaffMember.filter(username_key=username).update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    return staff


async def test_turning_the_requirement_on_needs_two_factor_on_ones_own_account(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    refused = await require_two_factor(admin)
    assert refused["practice"] is None
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("TWO_FACTOR_NOT_ENABLED", ["input", "requireTwoFactorForManagers"])
    ]
    assert not (await Practice.get(name="Riverside Clinic")).require_two_factor_for_managers

    await enroll(admin)
    done = await require_two_factor(admin)
    assert done == {"practice": {"requireTwoFactorForManagers": True}, "userErrors": []}
    assert (await Practice.get(name="Riverside Clinic")).require_two_factor_for_managers
    [event] = await AuditEvent.filter(action="practice.two_factor_requirement")
    assert event.details == {"required": True, "authMethod": "bearer_session"}

    off = await require_two_factor(admin, False)
    assert off["practice"] == {"requireTwoFactorForManagers": False}
    assert await AuditEvent.filter(action="practice.two_factor_requirement").count() == 2


async def test_a_manager_without_two_factor_enrols_at_next_sign_in_before_anything_else(
    app: Starlette, admin: GraphQLClient, anonymous: GraphQLClient, practice: dict[str, Any]
) -> None:
    await active_manager(admin)
    async with _http(app) as http:
        earlier = GraphQLClient(http)
        await earlier.login("madmin", STAFF_PASSWORD)
        await enroll(admin)
        assert (await require_two_factor(admin))["userErrors"] == []
        # A session opened before the setting keeps working: it applies at the next sign-in.
        assert "errors" not in await earlier.execute(STAFF_PAGE)

    held = await anonymous.mutate(HELD_LOGIN, {"username": "madmin", "password": STAFF_PASSWORD})
    assert held["userErrors"] == [] and held["token"]
    assert held["twoFactorEnrollmentRequired"] is True
    anonymous.token = held["token"]
    viewer = (await anonymous.data(VIEWER))["viewer"]
    assert viewer == {
        "twoFactorEnrollmentRequired": True,
        "permissions": [],
        "account": {"username": "madmin"},
    }
    body = await anonymous.execute(STAFF_PAGE)
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "TWO_FACTOR_ENROLLMENT_REQUIRED"}
    assert "two-factor" in body["errors"][0]["message"]
    creating = await anonymous.execute(
        'mutation { roleCreate(input: {name: "Held", permissions: []}) { role { id } } }'
    )
    assert creating["errors"][0]["extensions"] == {"code": "TWO_FACTOR_ENROLLMENT_REQUIRED"}
    event = (
        await AuditEvent.filter(action="auth.login", outcome="SUCCESS")
        .order_by("-created_at")
        .first()
    )
    assert event is not None and event.details is not None
    assert event.details["two_factor_enrollment_required"] is True

    # Enrolling frees the same session; the next sign-in needs a code.
    secret, _recovery = await enroll(anonymous)
    viewer = (await anonymous.data(VIEWER))["viewer"]
    assert viewer["twoFactorEnrollmentRequired"] is False
    assert "MANAGE_ACCOUNTS" in viewer["permissions"]
    assert "errors" not in await anonymous.execute(STAFF_PAGE)
    again = await anonymous.mutate(HELD_LOGIN, {"username": "madmin", "password": STAFF_PASSWORD})
    assert again["twoFactorRequired"] is True and again["token"] is None
    with_code = await anonymous.mutate(
        HELD_LOGIN,
        {"username": "madmin", "password": STAFF_PASSWORD, "totpCode": later_code(secret)},
    )
    assert with_code["token"] and with_code["twoFactorEnrollmentRequired"] is False


async def test_staff_without_manage_accounts_are_not_held(
    admin: GraphQLClient, anonymous: GraphQLClient, practice: dict[str, Any]
) -> None:
    await create_staff(admin)
    await StaffMember.filter(username_key="cnurse").update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    await enroll(admin)
    await require_two_factor(admin)
    nurse = await anonymous.mutate(HELD_LOGIN, {"username": "cnurse", "password": STAFF_PASSWORD})
    assert nurse["token"] and nurse["twoFactorEnrollmentRequired"] is False

    # And a nurse cannot change the setting.
    anonymous.token = nurse["token"]
    body = await anonymous.execute(REQUIRE, {"input": {"requireTwoFactorForManagers": False}})
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    assert (await Practice.get(name="Riverside Clinic")).require_two_factor_for_managers


async def test_an_activated_manager_is_held_to_enrolment_too(
    admin: GraphQLClient, anonymous: GraphQLClient, mailbox: DevMailbox, practice: dict[str, Any]
) -> None:
    await enroll(admin)
    await require_two_factor(admin)
    data = await reference_data(admin)
    role = next(r for r in data["roles"] if r["name"] == "Practice Administrator (System)")
    await create_staff(admin, roleId=role["id"])
    [message] = await mailbox.wait_for(1)
    assert (await activate(anonymous, token_from(message.text)))["userErrors"] == []
    staff = await StaffMember.get(username_key="cnurse")
    session = await Session.get(staff_id=staff.id)
    assert session.two_factor_enrollment_required is True


async def test_the_requirement_keeps_a_manager_from_turning_two_factor_off(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    await enroll(admin)
    await require_two_factor(admin)
    refused = await admin.mutate(DISABLE, {"currentPassword": ADMIN_PASSWORD})
    assert codes(refused) == ["INVALID_TRANSITION"]
    assert "requires" in refused["userErrors"][0]["message"]
    assert (await StaffMember.get(username_key="owner")).two_factor_enabled
    # The rule is told before any password is checked: a wrong one is not counted in vain.
    wrong = await admin.mutate(DISABLE, {"currentPassword": "Not-The-Password-1"})
    assert codes(wrong) == ["INVALID_TRANSITION"]
    assert (await LoginThrottle.get(key=user_key("owner"))).failures == 0

    await require_two_factor(admin, False)
    assert (await admin.mutate(DISABLE, {"currentPassword": ADMIN_PASSWORD}))["userErrors"] == []


async def test_wrong_passwords_when_turning_two_factor_off_count_as_failed_sign_ins(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    await enroll(admin)
    for _ in range(5):  # LOGIN_DELAY_AFTER defaults to 5
        wrong = await admin.mutate(DISABLE, {"currentPassword": "Not-The-Password-1"})
        assert codes(wrong) == ["INVALID_CREDENTIALS"]
    assert (await LoginThrottle.get(key=user_key("owner"))).failures == 5
    assert await AuditEvent.filter(action="auth.two_factor_disable", outcome="FAILURE").count() == 5

    # Now even the right password waits, and says how long.
    refused = await admin.mutate(DISABLE, {"currentPassword": ADMIN_PASSWORD})
    assert codes(refused) == ["TOO_MANY_ATTEMPTS"]
    assert (await StaffMember.get(username_key="owner")).two_factor_enabled


async def test_turning_two_factor_off_ends_the_accounts_other_sessions(
    app: Starlette, admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    secret, _codes = await enroll(admin)
    async with _http(app) as http:
        other = GraphQLClient(http)
        signed_in = await login(other, totpCode=later_code(secret))
        other.token = signed_in["token"]
        assert (await other.data(VIEWER))["viewer"] is not None

        assert (await admin.mutate(DISABLE, {"currentPassword": ADMIN_PASSWORD}))[
            "userErrors"
        ] == []
        assert (await other.data(VIEWER))["viewer"] is None
    assert (await admin.data(VIEWER))["viewer"] is not None  # the session that did it stays
    owner = await StaffMember.get(username_key="owner")
    assert await Session.filter(staff_id=owner.id, revoked_at=None).count() == 1
