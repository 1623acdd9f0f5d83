"""Webhook endpoints and the delivery log over GraphQL, as a partner uses them."""

import socket
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette

from backend.api.ids import from_global_id
from backend.config import Settings
from backend.models import WebhookEndpoint
from backend.webhooks.sender import WebhookSender
from tests import secret_watch
from tests.api.api_clients import as_api_client, create_api_client, error_codes
from tests.api.client import GraphQLClient
from tests.api.conftest import with_settings
from tests.api.documents import USER_ERRORS
from tests.api.staff_factory import create_staff
from tests.api.webhook_helpers import check_schema
from tests.webhook_receiver import Receiver, running_receiver

ENDPOINT_FIELDS = "id url description eventTypes enabled disabledReason failingSince createdAt"
CREATE = f"""
mutation($input: WebhookEndpointCreateInput!) {{
  webhookEndpointCreate(input: $input) {{
    webhookEndpoint {{ {ENDPOINT_FIELDS} }} secret {USER_ERRORS}
  }}
}}
"""
UPDATE = f"""
mutation($input: WebhookEndpointUpdateInput!) {{
  webhookEndpointUpdate(input: $input) {{ webhookEndpoint {{ {ENDPOINT_FIELDS} }} {USER_ERRORS} }}
}}
"""
ROTATE = f"""
mutation($input: WebhookEndpointInput!) {{
  webhookEndpointRotateSecret(input: $input) {{
    webhookEndpoint {{ id }} secret previousSecretExpiresAt {USER_ERRORS}
  }}
}}
"""
DELETE = f"""
mutation($input: WebhookEndpointInput!) {{
  webhookEndpointDelete(input: $input) {{ deletedId {USER_ERRORS} }}
}}
"""
PING = f"""
mutation($input: WebhookEndpointInput!) {{
  webhookEndpointPing(input: $input) {{ event {{ eventId type sequence }} {USER_ERRORS} }}
}}
"""
RETRY = f"""
mutation($input: WebhookDeliveryRetryInput!) {{
  webhookDeliveryRetry(input: $input) {{ delivery {{ id status attempts {{ httpStatus }} }}
  {USER_ERRORS} }}
}}
"""
ENDPOINTS = f"""
query {{ webhookEndpoints {{ edges {{ node {{ {ENDPOINT_FIELDS} }} }} }} }}
"""
DELIVERIES = """
query($endpointId: ID!, $filter: WebhookDeliveryFilter) {
  webhookDeliveries(endpointId: $endpointId, filter: $filter) {
    pageInfo { hasNextPage }
    edges { node { id status nextAttemptAt deliveredAt
      event { eventId type sequence body }
      attempts { startedAt durationMs httpStatus error responseExcerpt } } }
  }
}
"""
EVENTS = """
query($after: String) {
  webhookEvents(afterEventId: $after) { edges { cursor node { eventId type sequence body } } }
}
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_settings(settings, run_outbox_sender=False)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/down"


async def _deliver(settings: Settings) -> int:
    sender = WebhookSender(settings)
    try:
        return await sender.deliver_due()
    finally:
        await sender.aclose()


async def _register(client: GraphQLClient, url: str, **more: Any) -> dict[str, Any]:
    payload = await client.mutate(
        CREATE, {"url": url, "eventTypes": ["STAFF_CREATED", "STAFF_DEACTIVATED"], **more}
    )
    assert payload["userErrors"] == [], payload
    secret_watch.remember(payload["secret"])
    return payload


async def test_a_partner_registers_receives_verifies_and_catches_up(
    app: Starlette, admin: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    registered = await _register(admin, _closed_port_url(), description="HR sync")
    endpoint, secret = registered["webhookEndpoint"], registered["secret"]
    assert secret.startswith("whsec_")
    assert endpoint["eventTypes"] == ["STAFF_CREATED", "STAFF_DEACTIVATED"]
    listed = await admin.data(ENDPOINTS)
    assert secret not in orjson.dumps(listed).decode()

    # The receiver is down: the change is made, the attempt fails and is logged.
    staff = await create_staff(admin, username="partner.flow", email="partner.flow@example.com")
    assert await _deliver(settings) == 1
    log = await admin.data(DELIVERIES, {"endpointId": endpoint["id"]})
    [delivery] = [edge["node"] for edge in log["webhookDeliveries"]["edges"]]
    assert delivery["status"] == "PENDING" and delivery["nextAttemptAt"]
    [attempt] = delivery["attempts"]
    assert attempt["httpStatus"] is None and "ConnectError" in attempt["error"]

    # It is up again (here: at a new address); redelivery sends the same event, signed.
    moved = await admin.mutate(UPDATE, {"id": endpoint["id"], "url": receiver.url})
    assert moved["userErrors"] == []
    retried = await admin.mutate(RETRY, {"id": delivery["id"]})
    assert retried["userErrors"] == [] and retried["delivery"]["status"] == "PENDING"
    assert await _deliver(settings) == 1
    payload = Webhook(secret).verify(receiver.requests[0].body, receiver.requests[0].headers)
    check_schema(payload)
    assert payload["id"] == delivery["event"]["eventId"]
    assert payload["data"]["id"] and payload["type"] == "staff.created"
    log = await admin.data(
        DELIVERIES, {"endpointId": endpoint["id"], "filter": {"status": "DELIVERED"}}
    )
    [delivered] = [edge["node"] for edge in log["webhookDeliveries"]["edges"]]
    assert [a["httpStatus"] for a in delivered["attempts"]] == [None, 204]

    # The events listing replays everything after the last event a receiver applied.
    events = await admin.data(EVENTS)
    first_id = events["webhookEvents"]["edges"][0]["node"]["eventId"]
    assert first_id == payload["id"]
    assert (await admin.data(EVENTS, {"after": first_id}))["webhookEvents"]["edges"] == []
    assert staff["id"]


async def test_ping_rotate_and_delete(
    app: Starlette, admin: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    registered = await _register(admin, receiver.url)
    endpoint_id = registered["webhookEndpoint"]["id"]
    pinged = await admin.mutate(PING, {"id": endpoint_id})
    assert pinged["userErrors"] == [] and pinged["event"]["type"] == "PING"
    rotated = await admin.mutate(ROTATE, {"id": endpoint_id})
    secret_watch.remember(rotated["secret"])
    assert rotated["previousSecretExpiresAt"] and rotated["secret"] != registered["secret"]
    assert await _deliver(settings) == 1
    request = receiver.requests[0]
    for secret in (registered["secret"], rotated["secret"]):
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "ping"
    deleted = await admin.mutate(DELETE, {"id": endpoint_id})
    assert deleted == {"deletedId": endpoint_id, "userErrors": []}
    assert await WebhookEndpoint.all().count() == 0
    again = await admin.mutate(DELETE, {"id": endpoint_id})
    assert [e["code"] for e in again["userErrors"]] == ["NOT_FOUND"]


async def test_an_endpoint_registered_switched_off_receives_nothing_until_enabled(
    app: Starlette, admin: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    registered = await _register(admin, receiver.url, enabled=False)
    endpoint = registered["webhookEndpoint"]
    assert endpoint["enabled"] is False and endpoint["disabledReason"] is None
    await create_staff(admin, username="switched.off", email="switched.off@example.com")
    assert await _deliver(settings) == 0
    log = await admin.data(DELIVERIES, {"endpointId": endpoint["id"]})
    assert log["webhookDeliveries"]["edges"] == []
    enabled = await admin.mutate(UPDATE, {"id": endpoint["id"], "enabled": True})
    assert enabled["userErrors"] == [] and enabled["webhookEndpoint"]["enabled"] is True
    await create_staff(admin, username="switched.on", email="switched.on@example.com")
    assert await _deliver(settings) == 1
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"url": "ftp://hooks.example/x"}, "url", "INVALID"),
        ({"url": ""}, "url", "REQUIRED"),
        ({"url": "https://user:pw@hooks.example/x"}, "url", "INVALID"),
        # Malformed ports and hosts are the client's mistake, not an internal error.
        ({"url": "https://hooks.example:99999/x"}, "url", "INVALID"),
        ({"url": "https://hooks.example:abc/x"}, "url", "INVALID"),
        ({"url": "https://[::1/x"}, "url", "INVALID"),
        ({"eventTypes": []}, "eventTypes", "REQUIRED"),
        ({"eventTypes": ["PING"]}, "eventTypes", "INVALID"),
        ({"description": "x" * 201}, "description", "TOO_LONG"),
    ],
)
async def test_bad_input_is_refused_and_creates_nothing(
    app: Starlette, admin: GraphQLClient, changes: dict[str, Any], field: str, code: str
) -> None:
    payload = await admin.mutate(
        CREATE, {"url": "https://hooks.example/x", "eventTypes": ["STAFF_CREATED"], **changes}
    )
    assert payload["webhookEndpoint"] is None and payload["secret"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["input", field], code)]
    assert await WebhookEndpoint.all().count() == 0


async def test_private_addresses_are_refused_when_not_allowed(
    app: Starlette, admin: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    # Registered while allowed (development), then delivered by a production-like sender:
    # the check at delivery time refuses it (a name re-pointed at an inside address).
    await _register(admin, receiver.url)
    await create_staff(admin, username="ssrf.check", email="ssrf.check@example.com")
    strict = with_settings(settings, webhook_allow_private_targets=False)
    assert await _deliver(strict) == 1
    assert receiver.requests == []
    endpoint = await WebhookEndpoint.get()
    log = await admin.data(DELIVERIES, {"endpointId": _global(endpoint)})
    [delivery] = log["webhookDeliveries"]["edges"]
    assert delivery["node"]["attempts"][0]["error"] == "Give an https:// URL."


async def test_inside_addresses_are_refused_at_registration_in_production_mode(
    settings: Settings,
) -> None:
    from backend.webhooks import ssrf

    strict = with_settings(settings, webhook_allow_private_targets=False)
    for url in (
        "http://hooks.example/x",
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/x",
        "https://localhost/x",
    ):
        assert await ssrf.refusal(url, strict), url
    assert await ssrf.refusal("https://93.184.215.14/x", strict) is None


async def test_api_clients_need_webhooks_manage_and_staff_read(
    app: Starlette, admin: GraphQLClient, receiver: Receiver
) -> None:
    hooks_only = await create_api_client(admin, ["WEBHOOKS_MANAGE"], name="hooks only")
    both = await create_api_client(admin, ["WEBHOOKS_MANAGE", "STAFF_READ"], name="both")
    staff_only = await create_api_client(admin, ["STAFF_READ"], name="staff only")
    variables = {"input": {"url": receiver.url, "eventTypes": ["STAFF_CREATED"]}}
    for issued in (hooks_only, staff_only):
        async with as_api_client(app, issued["secret"]) as client:
            body = await client.execute(CREATE, variables)
            assert error_codes(body) == ["FORBIDDEN"], body
            assert error_codes(await client.execute(ENDPOINTS)) == ["FORBIDDEN"]
    assert await WebhookEndpoint.all().count() == 0
    async with as_api_client(app, both["secret"]) as client:
        payload = (await client.data(CREATE, variables))["webhookEndpointCreate"]
        assert payload["userErrors"] == []
        secret_watch.remember(payload["secret"])
        listed = await client.data(ENDPOINTS)
        assert len(listed["webhookEndpoints"]["edges"]) == 1


async def test_an_api_client_is_the_actor_of_what_it_changes(
    app: Starlette, admin: GraphQLClient, settings: Settings, receiver: Receiver
) -> None:
    registered = await _register(admin, receiver.url)
    scopes = ["STAFF_WRITE", "STAFF_READ", "ROLES_READ"]
    writer = await create_api_client(admin, scopes, name="writer")
    async with as_api_client(app, writer["secret"]) as client:
        await create_staff(client, username="by.client", email="by.client@example.com")
    await _deliver(settings)
    [request] = receiver.requests
    payload = Webhook(registered["secret"]).verify(request.body, request.headers)
    check_schema(payload)
    decoded = from_global_id(writer["apiClient"]["id"])
    assert decoded is not None
    client_id = str(decoded[1])
    assert payload["actor"] == {"type": "api_client", "id": client_id, "authMethod": "api_client"}


def _global(endpoint: WebhookEndpoint) -> str:
    from backend.api.ids import to_global_id

    return to_global_id("WebhookEndpoint", endpoint.id)
