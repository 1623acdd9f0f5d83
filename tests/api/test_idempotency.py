"""Idempotency-Key on staffCreate and staffResendActivation: a retry after a timeout gets
the same person and sends no second email; concurrent duplicates execute once."""

import asyncio
from typing import Any

from starlette.applications import Starlette

from backend.models import IdempotencyKey, OutboxMessage, StaffMember, WebhookEvent
from backend.services.activation_links import ACTIVATION_EMAIL
from tests.api.api_clients import as_api_client, create_api_client, error_codes
from tests.api.client import GraphQLClient
from tests.api.documents import RESEND, STAFF_CREATE
from tests.api.staff_factory import STAFF_PASSWORD, create_staff, staff_input


async def _send(
    client: GraphQLClient, document: str, input: dict[str, Any], key: str
) -> dict[str, Any]:
    """The request as a partner sends it: the bearer token and the Idempotency-Key."""
    response = await client.http.post(
        "/graphql",
        json={"query": document, "variables": {"input": input}},
        headers={"authorization": f"Bearer {client.token}", "idempotency-key": key},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _payload(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    payload: dict[str, Any] = next(iter(body["data"].values()))
    return payload


async def _people(username: str) -> int:
    return await StaffMember.filter(username=username).count()


async def test_a_retry_with_the_same_key_gets_the_same_person_and_one_email(
    app: Starlette, admin: GraphQLClient
) -> None:
    input = await staff_input(admin, username="retried", email="retried@example.com")
    first = _payload(await _send(admin, STAFF_CREATE, input, "create-retried-1"))
    again = _payload(await _send(admin, STAFF_CREATE, input, "create-retried-1"))
    assert first["userErrors"] == [] and again["userErrors"] == []
    assert again["staffMember"]["id"] == first["staffMember"]["id"]
    assert await _people("retried") == 1
    staff = await StaffMember.get(username="retried")
    assert await OutboxMessage.filter(staff_id=staff.id, kind=ACTIVATION_EMAIL).count() == 1
    assert await WebhookEvent.filter(resource_id=staff.id).count() == 1
    # The fingerprint is a keyed hash: neither the password nor the PIN is stored.
    row = await IdempotencyKey.get(key="create-retried-1")
    assert STAFF_PASSWORD not in str(row.__dict__) and len(row.fingerprint) == 64


async def test_the_same_key_for_another_request_is_refused_and_changes_nothing(
    app: Starlette, admin: GraphQLClient
) -> None:
    input = await staff_input(admin, username="keyed.one", email="keyed.one@example.com")
    _payload(await _send(admin, STAFF_CREATE, input, "shared-key"))
    other = {**input, "username": "keyed.two", "email": "keyed.two@example.com"}
    body = await _send(admin, STAFF_CREATE, other, "shared-key")
    assert error_codes(body) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await _people("keyed.two") == 0


async def test_concurrent_duplicates_execute_once(app: Starlette, admin: GraphQLClient) -> None:
    input = await staff_input(admin, username="raced", email="raced@example.com")
    bodies = await asyncio.gather(
        *(_send(admin, STAFF_CREATE, input, "race-key") for _ in range(6))
    )
    ids = set()
    for body in bodies:
        # The losers waited for the winner and got its answer (or were told to retry).
        if error_codes(body) == ["IDEMPOTENCY_KEY_IN_USE"]:
            continue
        payload = _payload(body)
        assert payload["userErrors"] == [], payload
        ids.add(payload["staffMember"]["id"])
    assert len(ids) == 1
    assert await _people("raced") == 1
    staff = await StaffMember.get(username="raced")
    assert await OutboxMessage.filter(staff_id=staff.id, kind=ACTIVATION_EMAIL).count() == 1


async def test_a_failed_request_leaves_its_key_free(app: Starlette, admin: GraphQLClient) -> None:
    input = await staff_input(admin, username="fix.me", email="not an email")
    failed = _payload(await _send(admin, STAFF_CREATE, input, "fix-key"))
    assert [e["code"] for e in failed["userErrors"]] == ["INVALID_EMAIL"]
    assert await IdempotencyKey.all().count() == 0
    fixed = {**input, "email": "fix.me@example.com"}
    assert _payload(await _send(admin, STAFF_CREATE, fixed, "fix-key"))["userErrors"] == []
    assert await _people("fix.me") == 1


async def test_keys_belong_to_the_principal_that_sent_them(
    app: Starlette, admin: GraphQLClient
) -> None:
    issued = await create_api_client(admin, ["STAFF_WRITE", "STAFF_READ", "ROLES_READ"])
    mine = await staff_input(admin, username="by.admin", email="by.admin@example.com")
    _payload(await _send(admin, STAFF_CREATE, mine, "same-key"))
    async with as_api_client(app, issued["secret"]) as partner:
        theirs = await staff_input(partner, username="by.partner", email="by.partner@ex.com")
        payload = _payload(await _send(partner, STAFF_CREATE, theirs, "same-key"))
    assert payload["userErrors"] == []
    assert await _people("by.partner") == 1


async def test_a_resend_with_the_same_key_sends_one_email(
    app: Starlette, admin: GraphQLClient
) -> None:
    staff = await create_staff(admin, username="resend.once", email="resend.once@example.com")
    for _ in range(3):
        payload = _payload(await _send(admin, RESEND, {"id": staff["id"]}, "resend-key"))
        assert payload["userErrors"] == []
    record = await StaffMember.get(username="resend.once")
    assert await OutboxMessage.filter(staff_id=record.id, kind=ACTIVATION_EMAIL).count() == 2


async def test_a_malformed_key_is_refused(app: Starlette, admin: GraphQLClient) -> None:
    input = await staff_input(admin, username="bad.key", email="bad.key@example.com")
    body = await _send(admin, STAFF_CREATE, input, "k" * 256)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "Idempotency-Key" in body["errors"][0]["message"]
    assert await _people("bad.key") == 0
