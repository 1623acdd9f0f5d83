"""A partner's incremental sync over GraphQL: updatedAt moves with every kind of change
(each mutation that changes a staff member, offices included) and with nothing else."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from starlette.applications import Starlette

from backend.api.ids import to_global_id
from backend.mail.dev_mailbox import DevMailbox
from backend.models import LoginThrottle, StaffMember
from tests import secret_watch
from tests.api.client import GraphQLClient
from tests.api.documents import CANCEL, DEACTIVATE, REACTIVATE, RESEND, STAFF_UPDATE
from tests.api.staff_factory import create_staff, reference_data
from tests.api.test_account_self_service import (
    CHANGE,
    EMAIL_CONFIRM,
    EMAIL_REQUEST,
    REQUIRE,
    RESET,
    SECOND,
    SEND_RESET,
    SIGN_OUT,
    active_nurse,
    link_token,
    mail_to,
)
from tests.api.test_app_unlock import PIN_CHANGE, SET_PIN, UNLOCK
from tests.api.test_brute_force import UNLOCK as UNLOCK_LOGIN
from tests.api.test_brute_force import attempt
from tests.api.test_lifecycle import NEW_PASSWORD, activate, token_from
from tests.api.test_two_factor import CONFIRM, DISABLE, START, enroll
from tests.api.test_two_factor import RESET as RESET_TWO_FACTOR
from tests.pins import NEW_PIN, STAFF_PIN
from tests.throttle_keys import user_key
from tests.updated_at import LONG_AGO, backdate, database_now

UPDATED_AT = "query($id: ID!) { staffMember(id: $id) { updatedAt } }"


@dataclass
class World:
    admin: GraphQLClient
    app: Starlette
    mailbox: DevMailbox
    anonymous: GraphQLClient


Change = Callable[[], Awaitable[dict[str, Any]]]
# Sets the scene (it may change the staff member freely) and returns the change to measure.
Scene = Callable[[World], Awaitable[Change]]


def _update(w: World, staff: dict[str, Any], **fields: Any) -> Change:
    return lambda: w.admin.mutate(STAFF_UPDATE, {"id": staff["id"], **fields})


async def rename(w: World) -> Change:
    return _update(w, await create_staff(w.admin), firstName="Camilla")


async def change_email(w: World) -> Change:
    return _update(w, await create_staff(w.admin), email="camilla@example.com")


async def change_role(w: World) -> Change:
    roles = (await reference_data(w.admin))["roles"]
    staff_role = next(role for role in roles if role["name"] == "Staff (System)")
    return _update(w, await create_staff(w.admin), roleId=staff_role["id"])


async def restrict_to_an_office(w: World) -> Change:
    office = (await reference_data(w.admin))["offices"][0]
    return _update(w, await create_staff(w.admin), restrictOffices=True, officeIds=[office["id"]])


async def drop_an_office(w: World) -> Change:
    offices = [o["id"] for o in (await reference_data(w.admin))["offices"]]
    staff = await create_staff(w.admin, restrictOffices=True, officeIds=offices)
    return _update(w, staff, officeIds=offices[:1])


async def join_the_care_team(w: World) -> Change:
    code = (await reference_data(w.admin))["careTeamRoles"][0]["code"]
    return _update(w, await create_staff(w.admin), careTeamRole=code)


async def change_phone(w: World) -> Change:
    return _update(w, await create_staff(w.admin), cellPhone="+12122222222")


async def change_a_setting(w: World) -> Change:
    return _update(w, await create_staff(w.admin), dailyBillingReport=True)


async def resend_activation(w: World) -> Change:
    staff = await create_staff(w.admin)
    return lambda: w.admin.mutate(RESEND, {"id": staff["id"]})


async def cancel_verification(w: World) -> Change:
    staff = await create_staff(w.admin)
    return lambda: w.admin.mutate(CANCEL, {"id": staff["id"]})


async def activate_account(w: World) -> Change:
    await create_staff(w.admin)
    [message] = await w.mailbox.wait_for(1)
    token = token_from(message.text)
    return lambda: activate(w.anonymous, token)


async def deactivate(w: World) -> Change:
    staff_id, _ = await active_nurse(w.admin, w.app, w.mailbox)
    return lambda: w.admin.mutate(DEACTIVATE, {"id": staff_id})


async def reactivate(w: World) -> Change:
    staff_id, _ = await active_nurse(w.admin, w.app, w.mailbox)
    await w.admin.mutate(DEACTIVATE, {"id": staff_id})
    return lambda: w.admin.mutate(REACTIVATE, {"id": staff_id})


async def set_pin(w: World) -> Change:
    staff = await create_staff(w.admin)
    return lambda: w.admin.mutate(SET_PIN, {"id": staff["id"], "pin": NEW_PIN})


async def change_own_pin(w: World) -> Change:
    _, nurse = await active_nurse(w.admin, w.app, w.mailbox)
    return lambda: nurse.mutate(PIN_CHANGE, {"currentPassword": NEW_PASSWORD, "newPin": NEW_PIN})


async def change_own_password(w: World) -> Change:
    _, nurse = await active_nurse(w.admin, w.app, w.mailbox)
    new = {"newPassword": SECOND, "newPasswordConfirmation": SECOND}
    return lambda: nurse.mutate(CHANGE, {"currentPassword": NEW_PASSWORD, **new})


async def require_password_change(w: World) -> Change:
    staff_id, _ = await active_nurse(w.admin, w.app, w.mailbox)
    return lambda: w.admin.mutate(REQUIRE, {"id": staff_id})


async def complete_password_reset(w: World) -> Change:
    staff_id, _ = await active_nurse(w.admin, w.app, w.mailbox)
    await w.admin.mutate(SEND_RESET, {"id": staff_id})
    [message] = await mail_to(w.mailbox, "camille.nurse@example.com")
    token = link_token(message, "reset-password")
    new = {"newPassword": SECOND, "newPasswordConfirmation": SECOND}
    return lambda: w.anonymous.mutate(RESET, {"token": token, **new})


async def confirm_email_change(w: World) -> Change:
    _, nurse = await active_nurse(w.admin, w.app, w.mailbox)
    request = {"newEmail": "camilla@example.com", "currentPassword": NEW_PASSWORD}
    assert (await nurse.mutate(EMAIL_REQUEST, request))["userErrors"] == []
    [message] = await mail_to(w.mailbox, "camilla@example.com")
    token = link_token(message, "confirm-email")
    return lambda: w.anonymous.mutate(EMAIL_CONFIRM, {"token": token})


async def enable_two_factor(w: World) -> Change:
    _, nurse = await active_nurse(w.admin, w.app, w.mailbox)
    started = await nurse.mutate(START, {})
    secret_watch.remember(started["secret"])
    return lambda: _remembered(nurse.mutate(CONFIRM, {"code": pyotp.TOTP(started["secret"]).now()}))


async def disable_two_factor(w: World) -> Change:
    _, nurse = await active_nurse(w.admin, w.app, w.mailbox)
    await enroll(nurse)
    return lambda: nurse.mutate(DISABLE, {"currentPassword": NEW_PASSWORD})


async def reset_two_factor(w: World) -> Change:
    staff_id, nurse = await active_nurse(w.admin, w.app, w.mailbox)
    await enroll(nurse)
    return lambda: w.admin.mutate(RESET_TWO_FACTOR, {"id": staff_id})


async def lock_sign_in(w: World) -> Change:
    await active_nurse(w.admin, w.app, w.mailbox)
    await _nearly_locked()

    async def last_wrong_password() -> dict[str, Any]:
        payload = await attempt(w.anonymous, "cnurse")
        assert [e["code"] for e in payload["userErrors"]] == ["INVALID_CREDENTIALS"]
        assert await LoginThrottle.exists(key=user_key("cnurse"), locked_at__not_isnull=True)
        return {"userErrors": []}

    return last_wrong_password


async def unlock_sign_in(w: World) -> Change:
    staff_id, _ = await active_nurse(w.admin, w.app, w.mailbox)
    await _nearly_locked()
    await attempt(w.anonymous, "cnurse")
    return lambda: w.admin.mutate(UNLOCK_LOGIN, {"id": staff_id})


async def _nearly_locked() -> None:
    """One failure short of the lock, the last one long enough ago for no delay to apply."""
    await LoginThrottle.filter(key=user_key("cnurse")).delete()
    await LoginThrottle.create(
        key=user_key("cnurse"),
        failures=99,
        window_started_at=datetime.now(UTC),
        last_failure_at=datetime.now(UTC) - timedelta(hours=1),
    )


async def _remembered(answer: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    payload = await answer
    secret_watch.remember(*(payload.get("recoveryCodes") or []))
    return payload


CHANGES = [
    rename,
    change_email,
    change_role,
    restrict_to_an_office,
    drop_an_office,
    join_the_care_team,
    change_phone,
    change_a_setting,
    resend_activation,
    cancel_verification,
    activate_account,
    deactivate,
    reactivate,
    set_pin,
    change_own_pin,
    change_own_password,
    require_password_change,
    complete_password_reset,
    confirm_email_change,
    enable_two_factor,
    disable_two_factor,
    reset_two_factor,
    lock_sign_in,
    unlock_sign_in,
]


async def sign_in(w: World) -> Change:
    await active_nurse(w.admin, w.app, w.mailbox)
    return lambda: w.anonymous.login("cnurse", NEW_PASSWORD)


async def unlock_the_app(w: World) -> Change:
    _, nurse = await active_nurse(w.admin, w.app, w.mailbox)
    return lambda: nurse.mutate(UNLOCK, {"pin": STAFF_PIN})


async def sign_out_everywhere(w: World) -> Change:
    staff_id, _ = await active_nurse(w.admin, w.app, w.mailbox)
    return lambda: w.admin.mutate(SIGN_OUT, {"id": staff_id})


async def send_password_reset(w: World) -> Change:
    staff_id, _ = await active_nurse(w.admin, w.app, w.mailbox)
    return lambda: w.admin.mutate(SEND_RESET, {"id": staff_id})


async def start_two_factor_enrolment(w: World) -> Change:
    _, nurse = await active_nurse(w.admin, w.app, w.mailbox)
    return lambda: _secret_kept(nurse.mutate(START, {}))


async def refused_update(w: World) -> Change:
    staff = await create_staff(w.admin)

    async def refused() -> dict[str, Any]:
        payload = await w.admin.mutate(STAFF_UPDATE, {"id": staff["id"], "cellPhone": "555"})
        assert [e["code"] for e in payload["userErrors"]] == ["INVALID_PHONE"]
        return {"userErrors": []}

    return refused


async def _secret_kept(answer: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    payload = await answer
    secret_watch.remember(payload["secret"])
    return {"userErrors": payload["userErrors"]}


NOT_CHANGES = [
    sign_in,
    unlock_the_app,
    sign_out_everywhere,
    send_password_reset,
    start_two_factor_enrolment,
    refused_update,
]


@pytest.fixture
def world(
    admin: GraphQLClient, app: Starlette, mailbox: DevMailbox, anonymous: GraphQLClient
) -> World:
    return World(admin, app, mailbox, anonymous)


@pytest.mark.parametrize("scene", CHANGES, ids=lambda scene: scene.__name__)
async def test_every_kind_of_change_moves_updated_at(world: World, scene: Scene) -> None:
    change = await scene(world)
    nurse = await StaffMember.get(username_key="cnurse")
    await backdate(nurse.id)
    before = await database_now()
    answer = await change()
    assert answer.get("userErrors", []) == [], answer
    after = await database_now()

    shown = await _shown_updated_at(world.admin, nurse)
    assert before <= shown <= after


@pytest.mark.parametrize("scene", NOT_CHANGES, ids=lambda scene: scene.__name__)
async def test_activity_leaves_updated_at_alone(world: World, scene: Scene) -> None:
    change = await scene(world)
    nurse = await StaffMember.get(username_key="cnurse")
    await backdate(nurse.id)
    answer = await change()
    assert answer.get("userErrors", []) == [], answer
    assert await _shown_updated_at(world.admin, nurse) == LONG_AGO


async def _shown_updated_at(admin: GraphQLClient, staff: StaffMember) -> datetime:
    data = await admin.data(UPDATED_AT, {"id": to_global_id("StaffMember", staff.id)})
    return datetime.fromisoformat(data["staffMember"]["updatedAt"])
