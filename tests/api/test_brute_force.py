"""Brute-force limits: per-account delay and lock, per-address limit, resend limit."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from backend.config import SettingsError, load_settings
from backend.models import AuditEvent, LoginThrottle, StaffMember, StaffStatus
from backend.services.throttle import minimum_time_to_lock
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD
from tests.api.staff_factory import STAFF_PASSWORD, create_staff
from tests.throttle_keys import user_key

ERRORS = "userErrors { field code message retryAfterSeconds }"
LOGIN = f"""
mutation($input: LoginInput!) {{
  login(input: $input) {{ token account {{ username }} {ERRORS} }}
}}
"""
LOCKED = "query($id: ID!) { staffMember(id: $id) { loginLocked } }"
UNLOCK = f"""
mutation($input: StaffUnlockLoginInput!) {{
  staffUnlockLogin(input: $input) {{ staffMember {{ id loginLocked }} {ERRORS} }}
}}
"""
RESEND = f"""
mutation($input: StaffActionInput!) {{
  staffResendActivation(input: $input) {{ staffMember {{ id }} {ERRORS} }}
}}
"""
WRONG = "Wrong-Password-0000"


async def attempt(client: GraphQLClient, username: str, password: str = WRONG) -> dict[str, Any]:
    return await client.mutate(LOGIN, {"username": username, "password": password})


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def failures(key: str) -> int:
    row = await LoginThrottle.get_or_none(key=key)
    return row.failures if row else 0


async def ip_key() -> str:
    [key] = await LoginThrottle.filter(key__startswith="ip:").values_list("key", flat=True)
    return str(key)


async def rewind(key: str, seconds: int = 3600) -> None:
    """As if the last failure had happened `seconds` ago (no sleeping in tests)."""
    await LoginThrottle.filter(key=key).update(
        last_failure_at=datetime.now(UTC) - timedelta(seconds=seconds)
    )


async def active_staff(admin: GraphQLClient) -> dict[str, Any]:
    staff = await create_staff(admin)
    await StaffMember.filter(username_key="cnurse").update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    return staff


async def test_a_delay_follows_the_fifth_failure_and_success_resets_it(
    anonymous: GraphQLClient, practice: dict[str, Any]
) -> None:
    for _ in range(5):
        assert codes(await attempt(anonymous, "owner")) == ["INVALID_CREDENTIALS"]
    # Even the right password is not checked during the delay.
    refused = await attempt(anonymous, "owner", ADMIN_PASSWORD)
    [error] = refused["userErrors"]
    assert refused["token"] is None
    assert error["code"] == "TOO_MANY_ATTEMPTS"
    assert error["field"] is None
    assert 1 <= error["retryAfterSeconds"] <= 2
    assert await failures(user_key("owner")) == 5  # a refused attempt is not counted

    await rewind(user_key("owner"))
    assert (await attempt(anonymous, "owner", ADMIN_PASSWORD))["token"]
    assert await failures(user_key("owner")) == 0
    assert await failures(await ip_key()) == 5  # the address counts its failures only


async def test_the_delay_grows_and_is_capped(
    anonymous: GraphQLClient, practice: dict[str, Any]
) -> None:
    await LoginThrottle.create(
        key=user_key("owner"),
        failures=15,
        window_started_at=datetime.now(UTC),
        last_failure_at=datetime.now(UTC),
    )
    [error] = (await attempt(anonymous, "owner"))["userErrors"]
    assert error["code"] == "TOO_MANY_ATTEMPTS"
    assert 299 <= error["retryAfterSeconds"] <= 300  # 2**10 s, capped at 5 minutes


async def test_the_account_locks_at_the_limit_and_an_administrator_unlocks_it(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    staff = await active_staff(admin)
    await LoginThrottle.create(
        key=user_key("cnurse"),
        failures=99,
        window_started_at=datetime.now(UTC),
        last_failure_at=datetime.now(UTC) - timedelta(hours=1),
    )
    assert codes(await attempt(anonymous, "cnurse")) == ["INVALID_CREDENTIALS"]
    [lock] = await AuditEvent.filter(action="auth.lock")
    nurse = await StaffMember.get(username_key="cnurse")
    assert (lock.target_id, lock.practice_id) == (str(nurse.id), nurse.practice_id)

    locked = await attempt(anonymous, "cnurse", STAFF_PASSWORD)
    [error] = locked["userErrors"]
    assert (error["code"], error["retryAfterSeconds"]) == ("ACCOUNT_LOCKED", None)
    assert "administrator can unlock" in error["message"]
    assert (await admin.data(LOCKED, {"id": staff["id"]}))["staffMember"]["loginLocked"]

    unlocked = await admin.mutate(UNLOCK, {"id": staff["id"]})
    assert unlocked["userErrors"] == []
    assert unlocked["staffMember"]["loginLocked"] is False
    assert await AuditEvent.exists(action="auth.unlock", target_id=lock.target_id)
    assert (await attempt(anonymous, "cnurse", STAFF_PASSWORD))["token"]

    again = await admin.mutate(UNLOCK, {"id": staff["id"]})
    assert codes(again) == ["INVALID_TRANSITION"]


async def test_unlocking_needs_manage_accounts(
    anonymous: GraphQLClient, practice: dict[str, Any]
) -> None:
    body = await anonymous.execute(
        'mutation { staffUnlockLogin(input: {id: "x"}) { userErrors { code } } }'
    )
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_unknown_usernames_are_counted_and_answered_the_same(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await active_staff(admin)
    answers: dict[str, list[dict[str, Any]]] = {"cnurse": [], "nobody": []}
    for username in answers:
        for _ in range(6):
            answers[username].append(await attempt(anonymous, username))
        await rewind(user_key(username))
    assert answers["cnurse"] == answers["nobody"]
    assert codes(answers["nobody"][-1]) == ["TOO_MANY_ATTEMPTS"]
    assert await failures(user_key("nobody")) == await failures(user_key("cnurse")) == 5

    # Both lock the same way too.
    await LoginThrottle.filter(key__in=[user_key("cnurse"), user_key("nobody")]).update(failures=99)
    for username in answers:
        await attempt(anonymous, username)
        answers[username] = [await attempt(anonymous, username)]
    assert answers["cnurse"] == answers["nobody"]
    assert codes(answers["nobody"][0]) == ["ACCOUNT_LOCKED"]
    assert await AuditEvent.filter(action="auth.lock").count() == 2


async def test_one_address_is_refused_after_the_limit_in_its_window(
    anonymous: GraphQLClient, practice: dict[str, Any]
) -> None:
    assert codes(await attempt(anonymous, "nobody")) == ["INVALID_CREDENTIALS"]
    address = await ip_key()
    await LoginThrottle.filter(key=address).update(
        failures=100, window_started_at=datetime.now(UTC) - timedelta(minutes=5)
    )
    refused = await attempt(anonymous, "owner", ADMIN_PASSWORD)
    [error] = refused["userErrors"]
    assert error["code"] == "TOO_MANY_ATTEMPTS"
    assert 595 <= error["retryAfterSeconds"] <= 600

    # A new window starts once the old one is over.
    await LoginThrottle.filter(key=address).update(
        window_started_at=datetime.now(UTC) - timedelta(minutes=16)
    )
    await LoginThrottle.filter(key=user_key("owner")).delete()
    assert (await attempt(anonymous, "owner", ADMIN_PASSWORD))["token"]


async def test_every_aliased_attempt_in_one_request_counts(
    anonymous: GraphQLClient, practice: dict[str, Any]
) -> None:
    fields = " ".join(
        f'a{i}: login(input: {{username: "owner", password: "{WRONG}"}}) {{ {ERRORS} }}'
        for i in range(7)
    )
    data = await anonymous.data(f"mutation {{ {fields} }}")
    answered = [data[f"a{i}"]["userErrors"][0]["code"] for i in range(7)]
    assert answered == ["INVALID_CREDENTIALS"] * 5 + ["TOO_MANY_ATTEMPTS"] * 2
    # Each is counted before its password is checked; the refused ones are not counted.
    assert await failures(user_key("owner")) == 5
    assert await failures(await ip_key()) == 5


async def test_resend_is_limited_per_staff_member_and_hour(admin: GraphQLClient) -> None:
    staff = await create_staff(admin)
    for _ in range(5):
        assert (await admin.mutate(RESEND, {"id": staff["id"]}))["userErrors"] == []
    refused = await admin.mutate(RESEND, {"id": staff["id"]})
    [error] = refused["userErrors"]
    assert refused["staffMember"] is None
    assert (error["code"], error["field"]) == ("RATE_LIMITED", ["input", "id"])
    assert 3590 <= error["retryAfterSeconds"] <= 3600
    assert error["message"].endswith("Try again in 60 minutes.")

    # Once the oldest resend is 48 minutes old, the wait is about 12 minutes.
    events = AuditEvent.filter(action="staff.resend_activation").order_by("created_at")
    oldest = await events.first()
    assert oldest is not None
    await AuditEvent.filter(id=oldest.id).update(
        created_at=datetime.now(UTC) - timedelta(minutes=48)
    )
    [error] = (await admin.mutate(RESEND, {"id": staff["id"]}))["userErrors"]
    assert error["message"].endswith("Try again in 12 minutes.")
    assert 660 < error["retryAfterSeconds"] <= 720

    await AuditEvent.filter(id=oldest.id).update(
        created_at=datetime.now(UTC) - timedelta(minutes=61)
    )
    assert (await admin.mutate(RESEND, {"id": staff["id"]}))["userErrors"] == []


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"LOGIN_LOCK_AFTER": "101"}, "LOGIN_LOCK_AFTER"),
        ({"LOGIN_LOCK_AFTER": "0"}, "LOGIN_LOCK_AFTER"),
        ({"LOGIN_IP_LIMIT": "0"}, "LOGIN_IP_LIMIT"),
        ({"RESEND_LIMIT_PER_HOUR": "0"}, "RESEND_LIMIT_PER_HOUR"),
    ],
)
def test_limits_are_bounded_settings(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(environ)


def test_limit_settings_are_read_from_the_environment() -> None:
    settings = load_settings(
        {"LOGIN_LOCK_AFTER": "100", "LOGIN_IP_LIMIT": "7", "RESEND_LIMIT_PER_HOUR": "3"}
    )
    assert (settings.login_lock_after, settings.login_ip_limit) == (100, 7)
    assert settings.resend_limit_per_hour == 3
    defaults = load_settings({})
    assert (defaults.login_lock_after, defaults.login_ip_limit) == (100, 100)
    assert (defaults.login_delay_after, defaults.login_max_delay_seconds) == (5, 300)


def test_locking_an_account_takes_hours_whatever_the_client_does() -> None:
    # NIST SP 800-63B 5.2.2: at most 100 consecutive failures; the delays spread them.
    shortest = minimum_time_to_lock(load_settings({}))
    assert shortest == timedelta(seconds=26311)  # 511 s to the 14th, then 86 x 300 s
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "7 hours 18 minutes" in readme


async def test_the_throttle_table_does_not_hold_what_was_typed_as_the_username(
    anonymous: GraphQLClient, practice: dict[str, Any]
) -> None:
    # People type their password into the username field.
    await attempt(anonymous, ADMIN_PASSWORD, WRONG)
    stored = " ".join(str(key) for key in await LoginThrottle.all().values_list("key", flat=True))
    assert ADMIN_PASSWORD.lower() not in stored.lower()
    assert await failures(user_key(ADMIN_PASSWORD.lower())) == 1
