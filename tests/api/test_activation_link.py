"""`activationLink`: what the activation page asks for, read before anything is typed."""

from datetime import UTC, datetime, timedelta
from typing import Any

from backend.mail.dev_mailbox import DevMailbox
from backend.models import ActivationToken, StaffMember
from backend.services.secrets import token_digest
from tests.api.client import GraphQLClient
from tests.api.documents import RESEND
from tests.api.staff_factory import create_staff
from tests.api.test_lifecycle import activate, token_from

LINK = "query($token: String!) { activationLink(token: $token) { expiresAt givenPassword } }"


async def link(client: GraphQLClient, token: str) -> dict[str, Any] | None:
    data = await client.data(LINK, {"token": token})
    answer: dict[str, Any] | None = data["activationLink"]
    return answer


async def test_a_drawer_link_asks_for_the_given_password_until_it_is_used(
    admin: GraphQLClient, anonymous: GraphQLClient, mailbox: DevMailbox
) -> None:
    staff = await create_staff(admin)
    [message] = await mailbox.wait_for(1)
    token = token_from(message.text)

    opened = await link(anonymous, token)
    assert opened is not None and opened["givenPassword"] is True
    assert opened["expiresAt"] == staff["activationExpiresAt"]
    # Opening the link (twice) used nothing: the person still activates with it.
    assert await link(anonymous, token) == opened
    assert (await activate(anonymous, token))["userErrors"] == []
    assert await link(anonymous, token) is None


async def test_unusable_links_read_as_null_and_change_nothing(
    admin: GraphQLClient, anonymous: GraphQLClient, mailbox: DevMailbox
) -> None:
    staff = await create_staff(admin)
    [first] = await mailbox.wait_for(1)
    old_token = token_from(first.text)
    assert (await admin.mutate(RESEND, {"id": staff["id"]}))["userErrors"] == []
    new_token = token_from((await mailbox.wait_for(2))[1].text)

    # Revoked by the resend, unknown, empty, absurdly long: all null, none an error.
    for token in (old_token, "not-a-token", "", "x" * 10_000):
        assert await link(anonymous, token) is None, token[:20]
    await ActivationToken.filter(token_hash=token_digest(new_token)).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert await link(anonymous, new_token) is None
    member = await StaffMember.get(username="cnurse")
    assert member.status == "PENDING"
