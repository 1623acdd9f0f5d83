"""Account self-service over HTTP, with the emails read from a real SMTP server: changing
one's password, forgot password (with two-factor sign-in), an administrator's reset, a
required new password and signing out everywhere, and changing one's email."""

import asyncio
import re
from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from backend.config import Settings
from backend.mail.dev_mailbox import CapturedMessage, DevMailbox
from backend.models import AccountToken, AuditEvent, PasswordResetRequest, Session, StaffMember
from backend.services import password_reset
from tests import secret_watch
from tests.api.client import GraphQLClient
from tests.api.conftest import _http
from tests.api.documents import VIEWER
from tests.api.staff_factory import create_staff
from tests.api.test_lifecycle import NEW_PASSWORD, activate, token_from
from tests.api.test_two_factor import enroll, later_code

ERRORS = "userErrors { field code message }"
CHANGE = f"""
mutation($input: PasswordChangeInput!) {{
  passwordChange(input: $input) {{ staffMember {{ username passwordChangeRequired }} {ERRORS} }}
}}
"""
FORGOT = f"""
mutation($input: PasswordResetRequestInput!) {{
  passwordResetRequest(input: $input) {{ ok {ERRORS} }}
}}
"""
RESET = f"""
mutation($input: PasswordResetCompleteInput!) {{
  passwordResetComplete(input: $input) {{ ok twoFactorRequired {ERRORS} }}
}}
"""
SEND_RESET = f"""
mutation($input: StaffAccessInput!) {{ staffSendPasswordReset(input: $input) {{ {ERRORS} }} }}
"""
REQUIRE = f"""
mutation($input: StaffAccessInput!) {{
  staffRequirePasswordChange(input: $input) {{ staffMember {{ passwordChangeRequired }} {ERRORS} }}
}}
"""
SIGN_OUT = f"""
mutation($input: StaffAccessInput!) {{ staffSignOutEverywhere(input: $input) {{ {ERRORS} }} }}
"""
EMAIL_REQUEST = f"""
mutation($input: EmailChangeRequestInput!) {{
  emailChangeRequest(input: $input) {{ staffMember {{ email }} {ERRORS} }}
}}
"""
EMAIL_CONFIRM = f"""
mutation($input: EmailChangeConfirmInput!) {{
  emailChangeConfirm(input: $input) {{ ok email {ERRORS} }}
}}
"""
ACCOUNT = """
query { viewer { passwordChangeRequired pendingEmail permissions
  account { email lastSignInAt } sessions { id current } } }
"""
LOGIN = f"""
mutation($input: LoginInput!) {{
  login(input: $input) {{ token passwordChangeRequired {ERRORS} }}
}}
"""
STAFF_UPDATE = f"""
mutation($input: StaffUpdateInput!) {{ staffUpdate(input: $input) {{ {ERRORS} }} }}
"""
SECOND = "Juniper-Harbor-5521"
THIRD = "Saffron-Kettle-9034"


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def link_token(message: CapturedMessage, path: str) -> str:
    match = re.search(rf"http://testserver/{path}#token=([A-Za-z0-9_-]+)", message.text)
    assert match, message.text
    secret_watch.remember(match.group(1))
    return match.group(1)


async def active_nurse(
    admin: GraphQLClient, app: Starlette, mailbox: DevMailbox, **overrides: Any
) -> tuple[str, GraphQLClient]:
    """An activated nurse (cnurse, password NEW_PASSWORD) signed in with a bearer session."""
    staff = await create_staff(admin, **overrides)
    [message] = await mailbox.wait_for(1)
    http = _http(app)
    nurse = GraphQLClient(http)
    assert (await activate(nurse, token_from(message.text)))["userErrors"] == []
    http.cookies.clear()
    await nurse.login("cnurse", NEW_PASSWORD)
    mailbox.clear()
    return staff["id"], nurse


async def new_client(app: Starlette) -> GraphQLClient:
    return GraphQLClient(_http(app))


async def mail_to(mailbox: DevMailbox, recipient: str, count: int = 1) -> list[CapturedMessage]:
    for _ in range(300):
        found = [m for m in mailbox.messages() if recipient in m.recipients]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"no email to {recipient}: {mailbox.messages()}")


async def test_a_nurse_changes_her_password(
    admin: GraphQLClient, app: Starlette, mailbox: DevMailbox
) -> None:
    _, nurse = await active_nurse(admin, app, mailbox)
    other = await new_client(app)
    await other.login("cnurse", NEW_PASSWORD)

    wrong = await nurse.mutate(
        CHANGE,
        {
            "currentPassword": "Not-Her-Password-1",
            "newPassword": SECOND,
            "newPasswordConfirmation": SECOND,
        },
    )
    assert codes(wrong) == ["INVALID_CREDENTIALS"]
    same = await nurse.mutate(
        CHANGE,
        {
            "currentPassword": NEW_PASSWORD,
            "newPassword": NEW_PASSWORD,
            "newPasswordConfirmation": NEW_PASSWORD,
        },
    )
    assert codes(same) == ["PASSWORD_REUSED"]
    named = await nurse.mutate(
        CHANGE,
        {
            "currentPassword": NEW_PASSWORD,
            "newPassword": "cnurse-Lantern-77",
            "newPasswordConfirmation": "cnurse-Lantern-77",
        },
    )
    assert codes(named) == ["PASSWORD_TOO_WEAK"]

    changed = await nurse.mutate(
        CHANGE,
        {"currentPassword": NEW_PASSWORD, "newPassword": SECOND, "newPasswordConfirmation": SECOND},
    )
    assert changed["userErrors"] == []
    # This session stays; the other one ended.
    assert (await nurse.data(ACCOUNT))["viewer"]["account"]["email"] == "camille.nurse@example.com"
    assert (await other.data(ACCOUNT))["viewer"] is None
    refused = await (await new_client(app)).mutate(
        LOGIN, {"username": "cnurse", "password": NEW_PASSWORD}
    )
    assert codes(refused) == ["INVALID_CREDENTIALS"]
    await (await new_client(app)).login("cnurse", SECOND)
    [notice] = await mail_to(mailbox, "camille.nurse@example.com")
    assert "Your password was changed" in notice.subject and "Riverside Clinic" in notice.text
    assert "http" not in notice.text and notice.html
    assert await AuditEvent.exists(action="auth.password_change", outcome="SUCCESS")
    assert await AuditEvent.exists(action="auth.password_change", outcome="FAILURE")


async def test_forgot_password_with_two_factor_ends_every_session(
    admin: GraphQLClient, app: Starlette, mailbox: DevMailbox, anonymous: GraphQLClient
) -> None:
    _, nurse = await active_nurse(admin, app, mailbox)
    secret, _ = await enroll(nurse)
    sessions_before = await Session.filter(revoked_at=None, staff__username_key="cnurse").count()
    assert sessions_before >= 1

    answer = await anonymous.mutate(FORGOT, {"usernameOrEmail": "CNurse"})
    assert answer == {"ok": True, "userErrors": []}
    [message] = await mail_to(mailbox, "camille.nurse@example.com")
    token = link_token(message, "reset-password")
    assert "1 hour" in message.text
    stored = await AccountToken.get(staff__username_key="cnurse")
    assert stored.token_hash != token and token not in stored.token_hash

    form = {"token": token, "newPassword": THIRD, "newPasswordConfirmation": THIRD}
    needs_code = await anonymous.mutate(RESET, form)
    assert needs_code["twoFactorRequired"] is True and codes(needs_code) == ["TWO_FACTOR_REQUIRED"]
    wrong = await anonymous.mutate(RESET, {**form, "totpCode": "000000"})
    assert codes(wrong) == ["TWO_FACTOR_CODE_INVALID"]
    assert await AuditEvent.exists(action="auth.password_reset", outcome="FAILURE")

    done = await anonymous.mutate(RESET, {**form, "totpCode": later_code(secret)})
    assert done["ok"] is True, done
    assert await Session.filter(revoked_at=None, staff__username_key="cnurse").count() == 0
    assert (await nurse.data(ACCOUNT))["viewer"] is None
    # Single use.
    again = await anonymous.mutate(RESET, {**form, "totpCode": later_code(secret)})
    assert codes(again) == ["TOKEN_INVALID_OR_EXPIRED"]
    # The new password is the one that works now; two-factor sign-in is still on.
    login = await (await new_client(app)).mutate(LOGIN, {"username": "cnurse", "password": THIRD})
    assert codes(login) == ["TWO_FACTOR_REQUIRED"]


async def test_unknown_and_known_names_get_the_same_answer_and_pending_gets_no_link(
    admin: GraphQLClient, anonymous: GraphQLClient, mailbox: DevMailbox
) -> None:
    await create_staff(admin)
    await mailbox.wait_for(1)
    mailbox.clear()
    query = {"query": FORGOT, "variables": {"input": {"usernameOrEmail": "cnurse"}}}
    known = await anonymous.http.post("/graphql", json=query)
    query["variables"] = {"input": {"usernameOrEmail": "nobody-here"}}
    unknown = await anonymous.http.post("/graphql", json=query)
    assert known.content == unknown.content
    [message] = await mail_to(mailbox, "camille.nurse@example.com")
    assert "not been activated" in message.text and "#token=" not in message.text
    assert not await AccountToken.exists()


async def test_requests_are_limited_per_account_even_in_parallel(
    admin: GraphQLClient, app: Starlette, mailbox: DevMailbox, anonymous: GraphQLClient
) -> None:
    await active_nurse(admin, app, mailbox)
    answers = await asyncio.gather(
        *(anonymous.mutate(FORGOT, {"usernameOrEmail": "cnurse"}) for _ in range(8))
    )
    assert all(a == {"ok": True, "userErrors": []} for a in answers)
    await mail_to(mailbox, "camille.nurse@example.com")
    for _ in range(100):
        if await AccountToken.all().count() >= 3:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    # Three links were issued, never more; each newer one revoked the older ones (and
    # superseded their unsent emails), so one usable link is left.
    assert await AccountToken.all().count() == 3
    assert await AuditEvent.filter(action="auth.password_reset_request").count() == 3
    assert await AccountToken.filter(used_at=None, revoked_at=None).count() == 1


async def test_a_request_answered_just_before_a_stop_still_gets_its_email(
    admin: GraphQLClient,
    app: Starlette,
    mailbox: DevMailbox,
    anonymous: GraphQLClient,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await active_nurse(admin, app, mailbox)
    # The after-answer work waits long enough not to run before it is cancelled below,
    # however slow the machine.
    monkeypatch.setattr(password_reset, "_AFTER_ANSWER_S", 60.0)
    for name in ("cnurse", "nobody-here"):
        assert await anonymous.mutate(FORGOT, {"usernameOrEmail": name}) == {
            "ok": True,
            "userErrors": [],
        }
    # The process stops right after answering: its after-answer work never runs.
    for task in list(password_reset._IN_FLIGHT):
        task.cancel()
    await asyncio.sleep(0.2)
    assert await PasswordResetRequest.all().count() == 2
    assert not await AccountToken.exists()
    # Too recent for the sender's pass, which leaves them to the after-answer work...
    assert await password_reset.handle_left_behind(settings) == 0
    # ...until they are old enough to be left behind. Two passes at once (two workers)
    # handle each request once.
    handled = await asyncio.gather(
        *(password_reset.handle_left_behind(settings, older_than=timedelta(0)) for _ in range(2))
    )
    assert sum(handled) == 2
    [message] = await mail_to(mailbox, "camille.nurse@example.com")
    link_token(message, "reset-password")
    assert not await PasswordResetRequest.exists()
    assert await AccountToken.all().count() == 1
    assert await AuditEvent.filter(action="auth.password_reset_request").count() == 1


async def test_an_administrator_sends_a_reset_and_requires_a_new_password(
    admin: GraphQLClient, app: Starlette, mailbox: DevMailbox, anonymous: GraphQLClient
) -> None:
    staff_id, _ = await active_nurse(admin, app, mailbox)
    sent = await admin.mutate(SEND_RESET, {"id": staff_id})
    assert sent["userErrors"] == []
    [message] = await mail_to(mailbox, "camille.nurse@example.com")
    token = link_token(message, "reset-password")
    done = await anonymous.mutate(
        RESET, {"token": token, "newPassword": SECOND, "newPasswordConfirmation": SECOND}
    )
    assert done["ok"] is True

    required = await admin.mutate(REQUIRE, {"id": staff_id})
    assert required["staffMember"]["passwordChangeRequired"] is True
    held = await new_client(app)
    signed_in = await held.mutate(LOGIN, {"username": "cnurse", "password": SECOND})
    assert signed_in["passwordChangeRequired"] is True
    held.token = signed_in["token"]
    viewer = (await held.data(ACCOUNT))["viewer"]
    assert viewer["passwordChangeRequired"] is True and viewer["permissions"] == []
    assert viewer["account"]["lastSignInAt"] is not None
    blocked = await held.execute(
        EMAIL_REQUEST, {"input": {"newEmail": "x@example.com", "currentPassword": SECOND}}
    )
    assert blocked["errors"][0]["extensions"] == {"code": "PASSWORD_CHANGE_REQUIRED"}
    # Nothing else either: reading roles or offices, the PIN, two-factor sign-in.
    for document, variables in (
        ("{ roles { id } }", {}),
        ("{ offices { id } }", {}),
        (
            "mutation($input: PinChangeInput!) { pinChange(input: $input) { ok } }",
            {"input": {"currentPassword": SECOND, "newPin": "0427"}},
        ),
        ("mutation { twoFactorEnrollStart(input: {}) { secret } }", {}),
    ):
        refused = await held.execute(document, variables)
        assert refused["errors"][0]["extensions"] == {"code": "PASSWORD_CHANGE_REQUIRED"}, document
    freed = await held.mutate(
        CHANGE,
        {"currentPassword": SECOND, "newPassword": THIRD, "newPasswordConfirmation": THIRD},
    )
    assert freed["staffMember"]["passwordChangeRequired"] is False
    assert (await held.data(ACCOUNT))["viewer"]["passwordChangeRequired"] is False

    assert (await admin.mutate(SIGN_OUT, {"id": staff_id}))["userErrors"] == []
    assert (await held.data(ACCOUNT))["viewer"] is None
    assert (await StaffMember.get(username_key="cnurse")).status == "ACTIVE"
    for action in (
        "staff.send_password_reset",
        "staff.require_password_change",
        "staff.sign_out_everywhere",
    ):
        assert await AuditEvent.exists(action=action)


async def test_email_change_with_confirmation_and_refusal_when_off(
    admin: GraphQLClient, app: Starlette, mailbox: DevMailbox, anonymous: GraphQLClient
) -> None:
    staff_id, nurse = await active_nurse(admin, app, mailbox)
    taken = await nurse.mutate(
        EMAIL_REQUEST, {"newEmail": "owner@example.com", "currentPassword": NEW_PASSWORD}
    )
    assert codes(taken) == ["TAKEN"]
    asked = await nurse.mutate(
        EMAIL_REQUEST, {"newEmail": "camille@new.example.com", "currentPassword": NEW_PASSWORD}
    )
    assert asked["staffMember"]["email"] == "camille.nurse@example.com"
    viewer = (await nurse.data(ACCOUNT))["viewer"]
    assert viewer["pendingEmail"] == "camille@new.example.com"
    [confirm] = await mail_to(mailbox, "camille@new.example.com")
    [told] = await mail_to(mailbox, "camille.nurse@example.com")
    assert "#token=" not in told.text
    token = link_token(confirm, "confirm-email")
    done = await anonymous.mutate(EMAIL_CONFIRM, {"token": token})
    assert done == {"ok": True, "email": "camille@new.example.com", "userErrors": []}
    assert codes(await anonymous.mutate(EMAIL_CONFIRM, {"token": token})) == [
        "TOKEN_INVALID_OR_EXPIRED"
    ]
    await mail_to(mailbox, "camille.nurse@example.com", 2)

    assert (await admin.mutate(STAFF_UPDATE, {"id": staff_id, "emailUpdateEnabled": False}))[
        "userErrors"
    ] == []
    refused = await nurse.mutate(
        EMAIL_REQUEST, {"newEmail": "other@example.com", "currentPassword": NEW_PASSWORD}
    )
    assert codes(refused) == ["EMAIL_UPDATE_DISABLED"]
    assert "turned off" in refused["userErrors"][0]["message"]
    # The administrator still can.
    changed = await admin.mutate(STAFF_UPDATE, {"id": staff_id, "email": "other@example.com"})
    assert changed["userErrors"] == []


async def test_sessions_are_listed_and_revoked_one_by_one(
    admin: GraphQLClient, app: Starlette, mailbox: DevMailbox
) -> None:
    _, nurse = await active_nurse(admin, app, mailbox)
    other = await new_client(app)
    await other.login("cnurse", NEW_PASSWORD)
    listed = (await nurse.data(ACCOUNT))["viewer"]["sessions"]
    # The activation's session, hers and the other one.
    assert len(listed) == 3 and sum(s["current"] for s in listed) == 1
    theirs = listed[0]["id"]  # newest first: the other client's
    assert not listed[0]["current"]
    revoke = "mutation($input: SessionRevokeInput!) { sessionRevoke(input: $input) { ok } }"
    assert (await nurse.mutate(revoke, {"id": theirs}))["ok"] is True
    assert (await other.data(VIEWER))["viewer"] is None
    assert (await nurse.mutate(revoke, {"id": theirs}))["ok"] is False
