"""The mobile app's unlock PIN: appUnlock on bearer sessions, pinChange, staffSetPin."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette

from backend.config import Settings
from backend.models import AuditEvent, LoginThrottle, Session, StaffMember, StaffStatus
from backend.services.secrets import hash_secret, token_digest
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD
from tests.api.documents import VIEWER
from tests.api.staff_factory import STAFF_PASSWORD, create_staff
from tests.api.test_tenancy import MISSING_STAFF
from tests.pins import NEW_PIN, OTHER_PIN, OWNER_PIN, STAFF_PIN, WRONG_PIN
from tests.throttle_keys import user_key

ERRORS = "userErrors { field code message }"
UNLOCK = f"""
mutation($input: AppUnlockInput!) {{
  appUnlock(input: $input) {{ ok remainingAttempts {ERRORS} }}
}}
"""
PIN_CHANGE = f"""
mutation($input: PinChangeInput!) {{
  pinChange(input: $input) {{ ok {ERRORS} }}
}}
"""
SET_PIN = f"""
mutation($input: StaffSetPinInput!) {{
  staffSetPin(input: $input) {{ staffMember {{ id username }} {ERRORS} }}
}}
"""


async def unlock(client: GraphQLClient, pin: str) -> dict[str, Any]:
    return await client.mutate(UNLOCK, {"pin": pin})


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def session_of(client: GraphQLClient) -> Session:
    assert client.token
    return await Session.get(token_hash=token_digest(client.token))


async def pin_failures(client: GraphQLClient) -> int:
    row = await LoginThrottle.get_or_none(key=f"pin:{(await session_of(client)).id}")
    return row.failures if row else 0


async def signed_in_nurse(admin: GraphQLClient, app: Starlette) -> tuple[dict[str, Any], Any]:
    staff = await create_staff(admin)
    await StaffMember.filter(username_key="cnurse").update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"x-requested-with": "staff-accounts"},
    )
    nurse = GraphQLClient(http)
    await nurse.login("cnurse", STAFF_PASSWORD)
    return staff, nurse


async def test_a_correct_pin_restarts_the_idle_timer(admin: GraphQLClient) -> None:
    # 30 s ago: too recent for the per-request touch, so only appUnlock can move it.
    before = datetime.now(UTC) - timedelta(seconds=30)
    await Session.all().update(last_seen_at=before)

    wrong = await unlock(admin, WRONG_PIN)
    assert (wrong["ok"], wrong["remainingAttempts"], codes(wrong)) == (False, 9, ["INVALID_PIN"])
    assert wrong["userErrors"][0]["field"] == ["input", "pin"]
    assert "9 attempts are left" in wrong["userErrors"][0]["message"]
    assert abs((await session_of(admin)).last_seen_at - before) < timedelta(seconds=1)

    right = await unlock(admin, OWNER_PIN)
    assert right == {"ok": True, "remainingAttempts": 10, "userErrors": []}
    assert (await session_of(admin)).last_seen_at > datetime.now(UTC) - timedelta(seconds=5)
    assert await pin_failures(admin) == 0

    outcomes = await AuditEvent.filter(action="auth.app_unlock").order_by("created_at")
    assert [event.outcome for event in outcomes] == ["FAILURE", "SUCCESS"]
    owner = await StaffMember.get(username_key="owner")
    assert {event.target_id for event in outcomes} == {str(owner.id)}
    assert all(OWNER_PIN not in str(event.details) for event in outcomes)


async def test_ten_wrong_pins_revoke_the_session(admin: GraphQLClient) -> None:
    remaining = []
    for _ in range(9):
        payload = await unlock(admin, WRONG_PIN)
        assert codes(payload) == ["INVALID_PIN"]
        remaining.append(payload["remainingAttempts"])
    assert remaining == [9, 8, 7, 6, 5, 4, 3, 2, 1]

    tenth = await unlock(admin, WRONG_PIN)
    [error] = tenth["userErrors"]
    assert (tenth["ok"], tenth["remainingAttempts"], error["code"]) == (
        False,
        0,
        "SESSION_REVOKED",
    )
    assert "Sign in again" in error["message"]
    assert (await session_of(admin)).revoked_at is not None
    assert await AuditEvent.filter(action="auth.pin_lock").count() == 1

    # The next request has no viewer: a full sign-in is needed.
    assert (await admin.data(VIEWER))["viewer"] is None
    body = await admin.execute(UNLOCK, {"input": {"pin": OWNER_PIN}})
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    await admin.login("owner", ADMIN_PASSWORD)
    assert (await admin.data(VIEWER))["viewer"] is not None
    assert (await unlock(admin, OWNER_PIN))["ok"]


async def test_a_correct_pin_resets_the_count(admin: GraphQLClient) -> None:
    for _ in range(9):
        await unlock(admin, WRONG_PIN)
    assert (await unlock(admin, OWNER_PIN))["ok"]
    for _ in range(9):
        last = await unlock(admin, WRONG_PIN)
    assert (codes(last), last["remainingAttempts"]) == (["INVALID_PIN"], 1)
    assert (await session_of(admin)).revoked_at is None
    assert not await AuditEvent.exists(action="auth.pin_lock")


async def test_every_aliased_attempt_in_one_request_counts(admin: GraphQLClient) -> None:
    fields = " ".join(
        f'a{i}: appUnlock(input: {{pin: "{WRONG_PIN}"}}) {{ ok remainingAttempts {ERRORS} }}'
        for i in range(12)
    )
    data = await admin.data(f"mutation {{ {fields} }}")
    answers = [(codes(data[f"a{i}"]), data[f"a{i}"]["remainingAttempts"]) for i in range(12)]
    assert answers == [(["INVALID_PIN"], 9 - i) for i in range(9)] + [(["SESSION_REVOKED"], 0)] * 3
    assert (await session_of(admin)).revoked_at is not None
    assert await AuditEvent.filter(action="auth.pin_lock").count() == 1
    assert (await admin.data(VIEWER))["viewer"] is None


async def test_a_correct_pin_after_the_lock_in_the_same_request_is_refused(
    admin: GraphQLClient,
) -> None:
    wrong = " ".join(f'w{i}: appUnlock(input: {{pin: "{WRONG_PIN}"}}) {{ ok }}' for i in range(10))
    right = f'r: appUnlock(input: {{pin: "{OWNER_PIN}"}}) {{ ok {ERRORS} }}'
    data = await admin.data(f"mutation {{ {wrong} {right} }}")
    assert codes(data["r"]) == ["SESSION_REVOKED"]
    assert (await session_of(admin)).revoked_at is not None


async def test_concurrent_attempts_cannot_exceed_the_limit(admin: GraphQLClient) -> None:
    bodies = await asyncio.gather(
        *(admin.execute(UNLOCK, {"input": {"pin": WRONG_PIN}}) for _ in range(15))
    )
    # A request that starts after the revocation has no viewer at all: UNAUTHENTICATED.
    answers = [body["data"]["appUnlock"] for body in bodies if body.get("data")]
    refused = [body for body in bodies if not body.get("data")]
    assert all(b["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"} for b in refused)
    assert sum(codes(a) == ["INVALID_PIN"] for a in answers) <= 9
    assert (await session_of(admin)).revoked_at is not None
    assert await AuditEvent.filter(action="auth.pin_lock").count() == 1


async def test_app_unlock_is_for_bearer_sessions_only(
    admin: GraphQLClient, anonymous: GraphQLClient, app: Starlette
) -> None:
    body = await anonymous.execute(UNLOCK, {"input": {"pin": OWNER_PIN}})
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}

    browser = GraphQLClient(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    )
    await browser.browser_login("owner", ADMIN_PASSWORD)
    assert (await browser.data(VIEWER))["viewer"] is not None
    body = await browser.execute(UNLOCK, {"input": {"pin": WRONG_PIN}})
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    assert not await LoginThrottle.filter(key__startswith="pin:").exists()


async def test_pin_change_needs_the_current_password_and_a_good_pin(
    admin: GraphQLClient,
) -> None:
    wrong = await admin.mutate(
        PIN_CHANGE, {"currentPassword": "Not-The-Password-1", "newPin": NEW_PIN}
    )
    assert wrong["ok"] is False
    assert [(e["code"], e["field"]) for e in wrong["userErrors"]] == [
        ("INVALID_CREDENTIALS", ["input", "currentPassword"])
    ]
    assert await AuditEvent.filter(action="auth.pin_change", outcome="FAILURE").count() == 1

    for weak in ("1111", "1234", "12a4", ""):
        payload = await admin.mutate(
            PIN_CHANGE, {"currentPassword": ADMIN_PASSWORD, "newPin": weak}
        )
        assert payload["ok"] is False
        [error] = payload["userErrors"]
        assert error["field"] == ["input", "newPin"]
        assert error["code"] in {"INVALID_PIN", "REQUIRED"}
    assert (await unlock(admin, OWNER_PIN))["ok"]  # unchanged so far

    changed = await admin.mutate(PIN_CHANGE, {"currentPassword": ADMIN_PASSWORD, "newPin": NEW_PIN})
    assert changed == {"ok": True, "userErrors": []}
    assert await AuditEvent.filter(action="auth.pin_change", outcome="SUCCESS").count() == 1
    assert codes(await unlock(admin, OWNER_PIN)) == ["INVALID_PIN"]
    assert (await unlock(admin, NEW_PIN))["ok"]


async def test_pin_change_wrong_passwords_count_as_failed_sign_ins(admin: GraphQLClient) -> None:
    for _ in range(2):
        await admin.mutate(PIN_CHANGE, {"currentPassword": "Not-The-Password-1", "newPin": NEW_PIN})
    assert (await LoginThrottle.get(key=user_key("owner"))).failures == 2


async def test_an_administrator_sets_a_staff_pin_that_then_unlocks(
    admin: GraphQLClient, app: Starlette
) -> None:
    staff, nurse = await signed_in_nurse(admin, app)
    bad = await admin.mutate(SET_PIN, {"id": staff["id"], "pin": "0000"})
    assert (bad["staffMember"], [(e["code"], e["field"]) for e in bad["userErrors"]]) == (
        None,
        [("INVALID_PIN", ["input", "pin"])],
    )

    done = await admin.mutate(SET_PIN, {"id": staff["id"], "pin": NEW_PIN})
    assert done == {"staffMember": {"id": staff["id"], "username": "cnurse"}, "userErrors": []}
    [event] = await AuditEvent.filter(action="staff.set_pin")
    assert event.target_id == str((await StaffMember.get(username_key="cnurse")).id)

    assert codes(await unlock(nurse, STAFF_PIN)) == ["INVALID_PIN"]  # the old PIN
    assert (await unlock(nurse, NEW_PIN))["ok"]

    # Without Manage Accounts: FORBIDDEN, even for one's own PIN.
    body = await nurse.execute(SET_PIN, {"input": {"id": staff["id"], "pin": OTHER_PIN}})
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    await nurse.http.aclose()


async def test_staff_set_pin_stays_in_the_practice(
    admin: GraphQLClient, anonymous: GraphQLClient, settings: Any
) -> None:
    from backend.models import Plan
    from tests.api.conftest import make_practice

    staff = await create_staff(admin)
    await make_practice(settings, "Lakeside Health", "lakeowner", Plan.INVOICED)
    await anonymous.login("lakeowner", ADMIN_PASSWORD)
    foreign = await anonymous.mutate(SET_PIN, {"id": staff["id"], "pin": NEW_PIN})
    missing = await anonymous.mutate(SET_PIN, {"id": MISSING_STAFF, "pin": NEW_PIN})
    malformed = await anonymous.mutate(SET_PIN, {"id": "nonsense", "pin": NEW_PIN})
    assert foreign == missing == malformed
    assert codes(foreign) == ["NOT_FOUND"]
    assert not await AuditEvent.exists(action="staff.set_pin")


ARGON2_PIN, ARGON2_WRONG_PIN = STAFF_PIN, WRONG_PIN


async def test_an_argon2_pin_from_before_unlocks_and_is_re_stored_as_a_keyed_hash(
    admin: GraphQLClient, settings: Settings
) -> None:
    # PINs were argon2 hashes before keyed PIN hashes: such an account must keep working.
    legacy = await hash_secret(ARGON2_PIN, settings)
    await StaffMember.filter(username_key="owner").update(pin_hash=legacy)

    wrong = await unlock(admin, ARGON2_WRONG_PIN)
    assert (wrong["ok"], codes(wrong)) == (False, ["INVALID_PIN"])
    assert (await StaffMember.get(username_key="owner")).pin_hash == legacy

    assert (await unlock(admin, ARGON2_PIN))["ok"]
    stored = (await StaffMember.get(username_key="owner")).pin_hash
    assert stored is not None
    assert stored.startswith("pin-hmac-sha256$") and ARGON2_PIN not in stored
    assert await pin_failures(admin) == 0

    # The new hash works as the old one did, and is not re-stored again.
    assert codes(await unlock(admin, ARGON2_WRONG_PIN)) == ["INVALID_PIN"]
    assert (await unlock(admin, ARGON2_PIN))["ok"]
    assert (await StaffMember.get(username_key="owner")).pin_hash == stored


async def test_new_pins_are_stored_as_keyed_hashes(admin: GraphQLClient, app: Starlette) -> None:
    staff, nurse = await signed_in_nurse(admin, app)
    created = await StaffMember.get(username_key="cnurse")
    assert str(created.pin_hash).startswith("pin-hmac-sha256$")  # staffCreate
    assert str((await StaffMember.get(username_key="owner")).pin_hash).startswith("pin-hmac-")

    await admin.mutate(SET_PIN, {"id": staff["id"], "pin": ARGON2_PIN})
    set_by_admin = (await StaffMember.get(username_key="cnurse")).pin_hash
    assert set_by_admin is not None
    assert set_by_admin.startswith("pin-hmac-sha256$") and ARGON2_PIN not in set_by_admin
    changed = await nurse.mutate(
        PIN_CHANGE, {"currentPassword": STAFF_PASSWORD, "newPin": ARGON2_WRONG_PIN}
    )
    assert changed["ok"]
    own = (await StaffMember.get(username_key="cnurse")).pin_hash
    assert own is not None
    assert own.startswith("pin-hmac-sha256$") and ARGON2_WRONG_PIN not in own
    assert (await unlock(nurse, ARGON2_WRONG_PIN))["ok"]
    await nurse.http.aclose()
