"""The whole path of DESIGN.md §4 over HTTP, with the email read from a real SMTP server."""

import re
from typing import Any

from backend.mail.dev_mailbox import DevMailbox
from tests import secret_watch
from tests.api.client import GraphQLClient
from tests.api.documents import (
    ACTIVATE,
    CANCEL,
    DEACTIVATE,
    REACTIVATE,
    RESEND,
    STAFF_COUNTS,
    STAFF_LIST,
    STAFF_UPDATE,
    VIEWER,
)
from tests.api.staff_factory import STAFF_PASSWORD, create_staff

NEW_PASSWORD = "Orchard-Velvet-8830"


def token_from(message_text: str) -> str:
    match = re.search(r"http://testserver/activate#token=([A-Za-z0-9_-]+)", message_text)
    assert match, message_text
    secret_watch.remember(match.group(1))
    return match.group(1)


async def activate(client: GraphQLClient, token: str, **overrides: Any) -> dict[str, Any]:
    values = {
        "token": token,
        "username": "cnurse",
        "password": STAFF_PASSWORD,
        "newPassword": NEW_PASSWORD,
        "newPasswordConfirmation": NEW_PASSWORD,
    }
    values.update(overrides)
    return await client.mutate(ACTIVATE, values)


async def statuses(client: GraphQLClient, status: str) -> list[str]:
    data = await client.data(STAFF_LIST, {"filter": {"status": status}})
    return [edge["node"]["username"] for edge in data["staffMembers"]["edges"]]


async def test_add_staff_email_activate_and_sign_in(
    admin: GraphQLClient, anonymous: GraphQLClient, mailbox: DevMailbox
) -> None:
    staff = await create_staff(admin)
    assert staff["status"] == "PENDING"
    assert staff["activationExpiresAt"] is not None
    assert await statuses(admin, "PENDING") == ["cnurse"]

    [message] = await mailbox.wait_for(1)
    assert list(message.recipients) == ["camille.nurse@example.com"]
    assert "Riverside Clinic" in message.text
    assert STAFF_PASSWORD not in message.text and STAFF_PASSWORD not in (message.html or "")
    token = token_from(message.text)

    # The activated person cannot sign in before activation.
    refused = await anonymous.mutate(
        "mutation($input: LoginInput!) { login(input: $input) { token userErrors { code } } }",
        {"username": "cnurse", "password": STAFF_PASSWORD},
    )
    assert refused == {"token": None, "userErrors": [{"code": "INVALID_CREDENTIALS"}]}

    payload = await activate(anonymous, token)
    assert payload["userErrors"] == []
    assert payload["account"]["status"] == "ACTIVE"
    assert await statuses(admin, "ACTIVE") == ["cnurse", "owner"]
    assert await statuses(admin, "PENDING") == []

    # The link is single use, and the new password is the one that works now.
    again = await activate(anonymous, token)
    assert [e["code"] for e in again["userErrors"]] == ["TOKEN_INVALID_OR_EXPIRED"]
    await anonymous.login("cnurse", NEW_PASSWORD)
    viewer = await anonymous.data(VIEWER)
    assert viewer["viewer"]["account"]["username"] == "cnurse"
    assert viewer["viewer"]["account"]["role"]["name"] == "Nurse (System)"


async def test_resend_revokes_the_old_link(
    admin: GraphQLClient, anonymous: GraphQLClient, mailbox: DevMailbox
) -> None:
    staff = await create_staff(admin)
    [first] = await mailbox.wait_for(1)
    resent = await admin.mutate(RESEND, {"id": staff["id"]})
    assert resent["userErrors"] == []
    messages = await mailbox.wait_for(2)
    old_token, new_token = token_from(first.text), token_from(messages[1].text)
    assert old_token != new_token

    refused = await activate(anonymous, old_token)
    assert [e["code"] for e in refused["userErrors"]] == ["TOKEN_INVALID_OR_EXPIRED"]
    accepted = await activate(anonymous, new_token)
    assert accepted["account"]["status"] == "ACTIVE"


async def test_cancel_deactivate_and_reactivate(
    admin: GraphQLClient, anonymous: GraphQLClient, mailbox: DevMailbox
) -> None:
    staff = await create_staff(admin)
    [first] = await mailbox.wait_for(1)

    cancelled = await admin.mutate(CANCEL, {"id": staff["id"]})
    assert cancelled["staffMember"]["status"] == "INACTIVE"
    refused = await activate(anonymous, token_from(first.text))
    assert [e["code"] for e in refused["userErrors"]] == ["TOKEN_INVALID_OR_EXPIRED"]

    # Never activated: reactivation makes them pending again, with a new link.
    reactivated = await admin.mutate(REACTIVATE, {"id": staff["id"]})
    assert reactivated["staffMember"]["status"] == "PENDING"
    messages = await mailbox.wait_for(2)
    assert (await activate(anonymous, token_from(messages[1].text)))["userErrors"] == []

    staff_client = GraphQLClient(anonymous.http)
    await staff_client.login("cnurse", NEW_PASSWORD)
    deactivated = await admin.mutate(DEACTIVATE, {"id": staff["id"]})
    assert deactivated["staffMember"]["status"] == "INACTIVE"
    assert deactivated["staffMember"]["deactivatedAt"] is not None
    # Deactivation ends the person's sessions at once.
    assert (await staff_client.data(VIEWER))["viewer"] is None

    # Activated before: reactivation makes them active directly, no new email.
    back = await admin.mutate(REACTIVATE, {"id": staff["id"]})
    assert back["staffMember"]["status"] == "ACTIVE"
    assert len(mailbox.messages()) == 2
    counts = await admin.data(STAFF_COUNTS)
    assert counts["staffCounts"] == {"active": 2, "pending": 0, "inactive": 0}


async def test_correcting_a_pending_email_sends_a_new_link_there(
    admin: GraphQLClient, anonymous: GraphQLClient, mailbox: DevMailbox
) -> None:
    staff = await create_staff(admin, email="camile.typo@example.com")
    [first] = await mailbox.wait_for(1)
    updated = await admin.mutate(
        STAFF_UPDATE, {"id": staff["id"], "email": "camille.nurse@example.com"}
    )
    assert updated["userErrors"] == []
    messages = await mailbox.wait_for(2)
    assert list(messages[1].recipients) == ["camille.nurse@example.com"]
    refused = await activate(anonymous, token_from(first.text))
    assert [e["code"] for e in refused["userErrors"]] == ["TOKEN_INVALID_OR_EXPIRED"]
    assert (await activate(anonymous, token_from(messages[1].text)))["userErrors"] == []
