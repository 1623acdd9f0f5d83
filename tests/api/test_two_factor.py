"""Two-factor sign-in (TOTP): enrolment, login with a code or a recovery code, replay and
drift, disabling with the password, and an administrator's reset."""

import time
from datetime import UTC, datetime
from typing import Any

import pyotp
import pytest
from starlette.applications import Starlette

from backend.config import Settings, SettingsError, load_settings
from backend.models import AuditEvent, LoginThrottle, Plan, Session, StaffMember, StaffStatus
from backend.models import TwoFactorRecoveryCode as RecoveryCode
from tests import secret_watch
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD, _http, make_practice
from tests.api.staff_factory import STAFF_PASSWORD, create_staff
from tests.throttle_keys import user_key

ERRORS = "userErrors { field code message }"
STAFF = "staffMember { id twoFactorEnabled }"
LOGIN = f"""
mutation($input: LoginInput!) {{
  login(input: $input) {{ token twoFactorRequired account {{ username }} {ERRORS} }}
}}
"""
START = f"""
mutation($input: TwoFactorEnrollStartInput) {{
  twoFactorEnrollStart(input: $input) {{ provisioningUri secret {ERRORS} }}
}}
"""
CONFIRM = f"""
mutation($input: TwoFactorEnrollConfirmInput!) {{
  twoFactorEnrollConfirm(input: $input) {{ recoveryCodes {STAFF} {ERRORS} }}
}}
"""
DISABLE = f"""
mutation($input: TwoFactorDisableInput!) {{
  twoFactorDisable(input: $input) {{ {STAFF} {ERRORS} }}
}}
"""
RESET = f"""
mutation($input: StaffResetTwoFactorInput!) {{
  staffResetTwoFactor(input: $input) {{ {STAFF} {ERRORS} }}
}}
"""


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def enroll(client: GraphQLClient) -> tuple[str, list[str]]:
    started = await client.mutate(START, {})
    assert started["userErrors"] == []
    secret = started["secret"]
    secret_watch.remember(secret)
    code = pyotp.TOTP(secret).now()
    confirmed = await client.mutate(CONFIRM, {"code": code})
    assert confirmed["userErrors"] == [], confirmed["userErrors"]
    secret_watch.remember(*confirmed["recoveryCodes"])
    return secret, confirmed["recoveryCodes"]


async def login(client: GraphQLClient, username: str = "owner", **extra: Any) -> dict[str, Any]:
    password = extra.pop("password", ADMIN_PASSWORD)
    return await client.mutate(LOGIN, {"username": username, "password": password, **extra})


def later_code(secret: str) -> str:
    """The next step's code: enrolment consumed the current one (one step of drift is allowed)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


async def test_enrolment_needs_a_correct_code_and_returns_ten_recovery_codes(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    started = await admin.mutate(START, {})
    assert started["userErrors"] == []
    secret = started["secret"]
    assert started["provisioningUri"].startswith("otpauth://totp/Staff%20Accounts:owner?")
    assert f"secret={secret}" in started["provisioningUri"]
    stored = await StaffMember.get(username_key="owner")
    assert stored.totp_secret_encrypted and secret not in stored.totp_secret_encrypted
    assert not stored.two_factor_enabled

    wrong = await admin.mutate(CONFIRM, {"code": "000000"})
    assert codes(wrong) == ["TWO_FACTOR_CODE_INVALID"]
    assert wrong["userErrors"][0]["field"] == ["input", "code"]
    assert wrong["recoveryCodes"] is None
    assert not (await StaffMember.get(username_key="owner")).two_factor_enabled

    confirmed = await admin.mutate(CONFIRM, {"code": pyotp.TOTP(secret).now()})
    assert confirmed["userErrors"] == []
    assert confirmed["staffMember"]["twoFactorEnabled"] is True
    recovery = confirmed["recoveryCodes"]
    assert len(recovery) == len(set(recovery)) == 10
    hashes = await RecoveryCode.filter(staff_id=stored.id).values_list("code_hash", flat=True)
    assert len(hashes) == 10 and not set(hashes) & set(recovery)
    # The secret cannot be read again: a new enrolment is refused while 2FA is on.
    again = await admin.mutate(START, {})
    assert codes(again) == ["INVALID_TRANSITION"] and again["secret"] is None
    assert await AuditEvent.exists(action="auth.two_factor_enroll", target_id=str(stored.id))


async def test_enrolment_is_for_signed_in_people(
    anonymous: GraphQLClient, practice: dict[str, Any]
) -> None:
    body = await anonymous.execute(START, {"input": {}})
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_login_then_needs_a_code_and_a_code_is_accepted_once(
    admin: GraphQLClient, anonymous: GraphQLClient, practice: dict[str, Any]
) -> None:
    secret, _ = await enroll(admin)

    required = await login(anonymous)
    assert required["token"] is None and required["twoFactorRequired"] is True
    assert codes(required) == ["TWO_FACTOR_REQUIRED"]
    # The password was right: no failure is counted.
    assert not await LoginThrottle.exists(key=user_key("owner"), failures__gt=0)

    valid = {pyotp.TOTP(secret).at(time.time() + 30 * k) for k in (-1, 0, 1)}
    wrong = await login(
        anonymous, totpCode=next(c for c in ("123456", "654321", "111111") if c not in valid)
    )
    assert wrong["token"] is None and wrong["twoFactorRequired"] is False
    assert codes(wrong) == ["INVALID_CREDENTIALS"]
    assert (await LoginThrottle.get(key=user_key("owner"))).failures == 1  # counted

    # A wrong password is refused before any code is looked at.
    code = later_code(secret)
    bad_password = await login(anonymous, password="Wrong-Password-0000", totpCode=code)
    assert codes(bad_password) == ["INVALID_CREDENTIALS"]

    accepted = await login(anonymous, totpCode=code)
    assert accepted["userErrors"] == [] and accepted["token"]
    assert accepted["twoFactorRequired"] is False
    assert (await LoginThrottle.get(key=user_key("owner"))).failures == 0  # success resets

    replayed = await login(anonymous, totpCode=code)
    assert codes(replayed) == ["INVALID_CREDENTIALS"] and replayed["token"] is None
    assert (await LoginThrottle.get(key=user_key("owner"))).failures == 1


async def test_one_step_of_clock_drift_is_allowed(
    admin: GraphQLClient, anonymous: GraphQLClient, practice: dict[str, Any]
) -> None:
    secret, _ = await enroll(admin)
    # As if the enrolment code had been used long ago: older steps become acceptable again.
    await StaffMember.filter(username_key="owner").update(totp_last_step=None)
    too_old = await login(anonymous, totpCode=pyotp.TOTP(secret).at(time.time() - 90))
    assert codes(too_old) == ["INVALID_CREDENTIALS"]
    drifted = await login(anonymous, totpCode=pyotp.TOTP(secret).at(time.time() - 30))
    assert drifted["userErrors"] == [] and drifted["token"]
    # An older step than the last accepted one is refused, even within the drift.
    older = await login(anonymous, totpCode=pyotp.TOTP(secret).at(time.time() - 60))
    assert codes(older) == ["INVALID_CREDENTIALS"]


async def test_a_recovery_code_signs_in_once(
    admin: GraphQLClient, anonymous: GraphQLClient, practice: dict[str, Any]
) -> None:
    _, recovery = await enroll(admin)
    first = await login(anonymous, recoveryCode=recovery[0].lower().replace("-", " "))
    assert first["userErrors"] == [] and first["token"]
    again = await login(anonymous, recoveryCode=recovery[0])
    assert codes(again) == ["INVALID_CREDENTIALS"] and again["token"] is None
    unknown = await login(anonymous, recoveryCode="AAAA-BBBB-CCCC-DDDD")
    assert codes(unknown) == ["INVALID_CREDENTIALS"]
    assert await RecoveryCode.filter(used_at__isnull=False).count() == 1
    second = await login(anonymous, recoveryCode=recovery[1])
    assert second["userErrors"] == []
    events = await AuditEvent.filter(action="auth.login", outcome="SUCCESS")
    recovery_sign_ins: dict[str, object] = {
        "second_factor": "recovery_code",
        "authMethod": "password",
    }
    assert [e.details for e in events].count(recovery_sign_ins) == 2


async def test_disabling_needs_the_current_password(
    admin: GraphQLClient, anonymous: GraphQLClient, practice: dict[str, Any]
) -> None:
    await enroll(admin)
    wrong = await admin.mutate(DISABLE, {"currentPassword": "Wrong-Password-0000"})
    assert codes(wrong) == ["INVALID_CREDENTIALS"]
    assert wrong["userErrors"][0]["field"] == ["input", "currentPassword"]
    assert (await StaffMember.get(username_key="owner")).two_factor_enabled

    disabled = await admin.mutate(DISABLE, {"currentPassword": ADMIN_PASSWORD})
    assert disabled["userErrors"] == []
    assert disabled["staffMember"]["twoFactorEnabled"] is False
    stored = await StaffMember.get(username_key="owner")
    assert stored.totp_secret_encrypted is None and stored.totp_last_step is None
    assert await RecoveryCode.all().count() == 0
    assert await AuditEvent.exists(action="auth.two_factor_disable")
    assert (await login(anonymous))["token"]  # the password alone again

    not_on = await admin.mutate(DISABLE, {"currentPassword": ADMIN_PASSWORD})
    assert codes(not_on) == ["INVALID_TRANSITION"]


async def test_an_administrator_resets_a_staff_members_two_factor(
    app: Starlette, settings: Settings, admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    staff = await create_staff(admin)
    await StaffMember.filter(username_key="cnurse").update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    async with _http(app) as http:
        nurse = GraphQLClient(http)
        await nurse.login("cnurse", STAFF_PASSWORD)
        await enroll(nurse)
        # The nurse's role lacks Manage Accounts.
        body = await nurse.execute(RESET, {"input": {"id": staff["id"]}})
        assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN"}

    await make_practice(settings, "Lakeside Health", "lakeowner", Plan.INVOICED)
    async with _http(app) as http:
        other = GraphQLClient(http)
        await other.login("lakeowner", ADMIN_PASSWORD)
        foreign = await other.mutate(RESET, {"id": staff["id"]})
        assert codes(foreign) == ["NOT_FOUND"]
    assert (await StaffMember.get(username_key="cnurse")).two_factor_enabled

    reset = await admin.mutate(RESET, {"id": staff["id"]})
    assert reset["userErrors"] == []
    assert reset["staffMember"] == {"id": staff["id"], "twoFactorEnabled": False}
    stored = await StaffMember.get(username_key="cnurse")
    assert stored.totp_secret_encrypted is None
    # The nurse's open session (maybe on the lost device) ended; the admin's did not.
    assert not await Session.filter(staff_id=stored.id, revoked_at=None).exists()
    assert (await admin.data("query { viewer { account { username } } }"))["viewer"] is not None
    event = await AuditEvent.get(action="staff.reset_two_factor")
    assert event.target_id == str(stored.id)
    owner = await StaffMember.get(username_key="owner")
    assert event.actor_id == owner.id

    again = await admin.mutate(RESET, {"id": staff["id"]})
    assert codes(again) == ["INVALID_TRANSITION"]
    async with _http(app) as http:
        nurse = GraphQLClient(http)
        await nurse.login("cnurse", STAFF_PASSWORD)  # the password alone again
        await enroll(nurse)  # and can enrol again


def test_production_needs_a_valid_two_factor_key() -> None:
    production = {
        "APP_ENV": "production",
        "SMTP_HOST": "mail.example.com",
        "PUBLIC_BASE_URL": "https://staff.example.com",
        "DATABASE_URL": "postgres://app@db.example.com/staff",
        "MAIL_FROM": "Staff Accounts <no-reply@staff.example.com>",
    }
    with pytest.raises(SettingsError, match="TWO_FACTOR_KEY"):
        load_settings(production)
    with pytest.raises(SettingsError, match="Fernet"):
        load_settings({**production, "TWO_FACTOR_KEY": "not-a-key"})
    key = "A" * 43 + "="
    assert load_settings({**production, "TWO_FACTOR_KEY": key}).two_factor_key == key
    assert key not in repr(load_settings({**production, "TWO_FACTOR_KEY": key}))
    # Outside production a fixed development key is used.
    assert Settings(environment="test").effective_secret_keys
