"""The app's own webhook sender (RUN_OUTBOX_SENDER) delivers as the worker does: a nurse
activates and changes her email, and the receiver gets each event, signed, in order."""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette

from backend.mail.dev_mailbox import DevMailbox
from backend.models import StaffMember
from tests import secret_watch
from tests.api.client import GraphQLClient
from tests.api.test_account_self_service import (
    EMAIL_CONFIRM,
    EMAIL_REQUEST,
    active_nurse,
    link_token,
    mail_to,
)
from tests.api.test_lifecycle import NEW_PASSWORD
from tests.api.test_webhook_endpoints import CREATE
from tests.api.webhook_helpers import check_schema
from tests.webhook_receiver import Receiver, running_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


async def _received(receiver: Receiver, count: int) -> None:
    for _ in range(500):
        if len(receiver.requests) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{len(receiver.requests)} of {count} events arrived")


async def test_activation_and_email_change_arrive_from_the_app_process(
    app: Starlette,
    admin: GraphQLClient,
    anonymous: GraphQLClient,
    mailbox: DevMailbox,
    receiver: Receiver,
) -> None:
    registered = await admin.mutate(
        CREATE,
        {
            "url": receiver.url,
            "eventTypes": ["STAFF_CREATED", "STAFF_ACTIVATED", "STAFF_EMAIL_CHANGED"],
        },
    )
    secret = registered["secret"]
    secret_watch.remember(secret)
    staff_id, nurse = await active_nurse(admin, app, mailbox)
    asked = await nurse.mutate(
        EMAIL_REQUEST, {"newEmail": "camille@new.example.com", "currentPassword": NEW_PASSWORD}
    )
    assert asked["userErrors"] == []
    [confirm] = await mail_to(mailbox, "camille@new.example.com")
    done = await anonymous.mutate(EMAIL_CONFIRM, {"token": link_token(confirm, "confirm-email")})
    assert done["userErrors"] == []

    await _received(receiver, 3)
    payloads: list[dict[str, Any]] = sorted(
        (Webhook(secret).verify(r.body, r.headers) for r in receiver.requests),
        key=lambda payload: payload["sequence"],
    )
    for payload in payloads:
        check_schema(payload)
    assert [p["type"] for p in payloads] == [
        "staff.created",
        "staff.activated",
        "staff.email_changed",
    ]
    nurse_id = str((await StaffMember.get(username_key="cnurse")).id)
    assert payloads[1]["actor"] == {"type": "staff", "id": nurse_id, "authMethod": "password"}
    assert payloads[1]["data"]["status"] == "ACTIVE"
    assert payloads[2]["data"]["email"] == "camille@new.example.com"
    # Signing in (the nurse did, twice) fires nothing.
    await asyncio.sleep(0.3)
    assert len(receiver.requests) == 3
    assert staff_id
