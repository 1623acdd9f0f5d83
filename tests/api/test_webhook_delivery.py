"""Events reach a real receiver, signed per Standard Webhooks, retried, logged."""

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette

from backend.config import Settings
from backend.models import (
    DeliveryStatus,
    OutboxMessage,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from backend.services import webhook_endpoints
from backend.webhooks.payloads import EventType
from backend.webhooks.sender import WebhookSender
from tests.api.client import GraphQLClient
from tests.api.conftest import with_settings
from tests.api.documents import DEACTIVATE
from tests.api.staff_factory import STAFF_PASSWORD, create_staff
from tests.api.webhook_helpers import check_schema, make_endpoint, owner_viewer
from tests.webhook_receiver import Receiver, running_receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # No sender in the app: each test delivers when it chooses, with its own clock.
    return with_settings(settings, run_outbox_sender=False)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


class Clock:
    """The sender's notion of now, moved by the test instead of waited for."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def verify(receiver_request: Any, secret: str) -> dict[str, Any]:
    payload: dict[str, Any] = Webhook(secret).verify(
        receiver_request.body, receiver_request.headers
    )
    return payload


async def test_created_and_deactivated_arrive_signed_in_order(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    issued = await make_endpoint(practice, settings, receiver.url)
    staff = await create_staff(admin, username="webhook.person", email="webhook.person@example.com")
    payload = await admin.mutate(DEACTIVATE, {"id": staff["id"]})
    # Pending people cannot be deactivated: the transition is refused, and fires nothing.
    assert payload["userErrors"]

    sender = WebhookSender(settings)
    try:
        assert await sender.deliver_due() == 1
    finally:
        await sender.aclose()
    assert len(receiver.requests) == 1
    created = verify(receiver.requests[0], issued.secret)
    check_schema(created)
    assert created["type"] == "staff.created"
    assert created["sequence"] == 1
    assert created["data"]["username"] == "webhook.person"
    assert created["data"]["status"] == "PENDING"
    assert created["actor"] == {
        "type": "staff",
        "id": str(practice["owner"].id),
        "authMethod": "bearer_session",
    }
    assert receiver.requests[0].headers["webhook-id"] == created["id"]
    body = receiver.requests[0].body.decode()
    for secret_field in ("password", "pin", "hash", "totp", STAFF_PASSWORD):
        assert secret_field not in body.lower()
    delivery = await WebhookDelivery.get(endpoint_id=issued.endpoint.id)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    attempt = await WebhookAttempt.get(delivery_id=delivery.id)
    assert attempt.http_status == 204 and attempt.error is None


async def test_every_staff_transition_fires_its_event_with_rising_sequence(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    from tests.api.documents import CANCEL, REACTIVATE, RESEND

    issued = await make_endpoint(practice, settings, receiver.url)
    staff = await create_staff(admin, username="many.changes", email="many.changes@example.com")
    for document in (RESEND, CANCEL, REACTIVATE):
        payload = await admin.mutate(document, {"id": staff["id"]})
        assert payload["userErrors"] == [], payload
    sender = WebhookSender(settings)
    try:
        await sender.deliver_due()
    finally:
        await sender.aclose()
    payloads = [verify(request, issued.secret) for request in receiver.requests]
    for payload in payloads:
        check_schema(payload)
    by_sequence = sorted(payloads, key=lambda p: p["sequence"])
    assert [p["type"] for p in by_sequence] == [
        "staff.created",
        "staff.activation_resent",
        "staff.verification_cancelled",
        "staff.reactivated",
    ]
    assert [p["sequence"] for p in by_sequence] == [1, 2, 3, 4]
    assert by_sequence[2]["data"]["status"] == "INACTIVE"
    assert by_sequence[3]["data"]["status"] == "PENDING"


async def test_only_subscribed_and_enabled_endpoints_get_an_event(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    roles_only = await make_endpoint(practice, settings, receiver.url, [EventType.ROLE_CREATED])
    off = await make_endpoint(practice, settings, receiver.url, [EventType.STAFF_CREATED])
    await webhook_endpoints.update(
        caller=owner_viewer(practice),
        endpoint_id=off.endpoint.id,
        data=webhook_endpoints.EndpointFields(enabled=False),
        settings=settings,
    )
    await create_staff(admin, username="nobody.hears", email="nobody.hears" + "@example.com")
    assert await WebhookEvent.filter(type="staff.created").count() == 1
    assert await WebhookDelivery.all().count() == 0
    assert roles_only.endpoint.id != off.endpoint.id


async def test_retries_after_500_and_timeouts_on_the_schedule_then_delivers(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    issued = await make_endpoint(practice, settings, receiver.url)
    await create_staff(admin, username="retry.me", email="retry.me" + "@example.com")
    clock = Clock()
    sender = WebhookSender(settings, clock=clock, timeout_seconds=0.5)
    try:
        receiver.statuses = [500]
        receiver.response_body = b"x" * 5000
        assert await sender.deliver_due() == 1
        delivery = await WebhookDelivery.get(endpoint_id=issued.endpoint.id)
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
        wait = delivery.next_attempt_at - clock.now
        assert timedelta(seconds=5) <= wait <= timedelta(seconds=5.5)
        # Not due yet: nothing is sent.
        assert await sender.deliver_due() == 0

        clock.advance(timedelta(seconds=6))
        receiver.delay_seconds = 1.5
        assert await sender.deliver_due() == 1
        delivery = await WebhookDelivery.get(id=delivery.id)
        assert delivery.attempts == 2 and delivery.status == DeliveryStatus.PENDING
        wait = delivery.next_attempt_at - clock.now
        assert timedelta(minutes=5) <= wait <= timedelta(minutes=5.5)

        receiver.delay_seconds = 0
        clock.advance(timedelta(minutes=6))
        assert await sender.deliver_due() == 1
    finally:
        await sender.aclose()
    delivery = await WebhookDelivery.get(id=delivery.id)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3
    attempts = await WebhookAttempt.filter(delivery_id=delivery.id).order_by("started_at")
    assert [a.http_status for a in attempts] == [500, None, 204]
    assert attempts[0].response_excerpt == "x" * 1024
    assert attempts[1].error == "timed out after 0.5 s"
    # The same event each time: one webhook-id across the retries.
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1
    endpoint = await WebhookEndpoint.get(id=issued.endpoint.id)
    assert endpoint.failing_since is None


async def test_gone_disables_the_endpoint(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    issued = await make_endpoint(practice, settings, receiver.url)
    await create_staff(admin, username="gone.one", email="gone.one" + "@example.com")
    receiver.statuses = [410]
    sender = WebhookSender(settings)
    try:
        await sender.deliver_due()
        await create_staff(admin, username="gone.two", email="gone.two" + "@example.com")
        assert await sender.deliver_due() == 0
    finally:
        await sender.aclose()
    endpoint = await WebhookEndpoint.get(id=issued.endpoint.id)
    assert not endpoint.enabled and endpoint.disabled_reason == "GONE"
    delivery = await WebhookDelivery.get(endpoint_id=endpoint.id)
    assert delivery.status == DeliveryStatus.FAILED
    assert len(receiver.requests) == 1


async def test_failing_for_five_days_disables_and_emails_the_managers(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    issued = await make_endpoint(practice, settings, receiver.url)
    await create_staff(admin, username="down.long", email="down.long" + "@example.com")
    receiver.statuses = [503] * 20
    clock = Clock()
    sender = WebhookSender(settings, clock=clock)
    start = clock.now
    try:
        while await sender.deliver_due():
            delivery = await WebhookDelivery.get(endpoint_id=issued.endpoint.id)
            if delivery.status != DeliveryStatus.PENDING:
                break
            clock.now = delivery.next_attempt_at
            endpoint = await WebhookEndpoint.get(id=issued.endpoint.id)
            if not endpoint.enabled:
                break
    finally:
        await sender.aclose()
    delivery = await WebhookDelivery.get(endpoint_id=issued.endpoint.id)
    # Every attempt of the schedule ran (over 72 hours) before retries ran out.
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 10
    assert clock.now - start >= timedelta(hours=72)
    endpoint = await WebhookEndpoint.get(id=issued.endpoint.id)
    # 75 hours of failures are not yet 5 days: still enabled.
    assert endpoint.enabled

    # A later event keeps failing past the 5 days: disabled, and the managers are told.
    await create_staff(admin, username="down.longer", email="down.longer" + "@example.com")
    receiver.statuses = [503] * 20
    sender = WebhookSender(settings, clock=clock)
    try:
        clock.now = start + timedelta(days=5, minutes=1)
        await sender.deliver_due()
    finally:
        await sender.aclose()
    endpoint = await WebhookEndpoint.get(id=issued.endpoint.id)
    assert not endpoint.enabled and endpoint.disabled_reason == "FAILING"
    notices = await OutboxMessage.filter(kind="webhook_disabled")
    assert [n.recipient for n in notices] == [practice["owner"].email]


async def test_rotation_signs_with_both_secrets_during_the_overlap(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    issued = await make_endpoint(practice, settings, receiver.url)
    rotated = await webhook_endpoints.rotate_secret(
        caller=owner_viewer(practice), endpoint_id=issued.endpoint.id, settings=settings
    )
    assert rotated.secret != issued.secret
    await create_staff(admin, username="rotate.me", email="rotate.me" + "@example.com")
    clock = Clock()
    sender = WebhookSender(settings, clock=clock)
    try:
        await sender.deliver_due()
        assert len(receiver.requests[0].headers["webhook-signature"].split(" ")) == 2
        verify(receiver.requests[0], issued.secret)
        verify(receiver.requests[0], rotated.secret)

        # After the overlap only the new secret signs.
        assert rotated.previous_secret_expires_at is not None
        clock.now = rotated.previous_secret_expires_at + timedelta(seconds=1)
        await create_staff(admin, username="rotate.later", email="rotate.later" + "@example.com")
        await sender.deliver_due()
    finally:
        await sender.aclose()
    later = receiver.requests[1]
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    # The standard library refuses a signature older than 5 minutes; sign-time is the
    # injected clock, so check the signature itself.
    expected = Webhook(rotated.secret).sign(
        later.headers["webhook-id"],
        datetime.fromtimestamp(int(later.headers["webhook-timestamp"]), UTC),
        later.body.decode(),
    )
    assert later.headers["webhook-signature"] == expected
    with pytest.raises(WebhookVerificationError):
        verify(later, issued.secret)


async def test_ping_reaches_only_the_tested_endpoint(
    app: Starlette,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    tested = await make_endpoint(practice, settings, receiver.url, [EventType.ROLE_DELETED])
    await make_endpoint(practice, settings, receiver.url + "/other")
    event = await webhook_endpoints.ping(
        caller=owner_viewer(practice), endpoint_id=tested.endpoint.id
    )
    sender = WebhookSender(settings)
    try:
        assert await sender.deliver_due() == 1
    finally:
        await sender.aclose()
    payload = verify(receiver.requests[0], tested.secret)
    check_schema(payload)
    assert payload["type"] == "ping" and payload["id"] == str(event.id)
    assert receiver.requests[0].path == "/hooks"


async def test_two_workers_deliver_each_event_once(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    await make_endpoint(practice, settings, receiver.url)
    await make_endpoint(practice, settings, receiver.url + "/second")
    for number in range(12):
        await create_staff(admin, username=f"pair.{number}", email=f"pair.{number}@example.com")
    receiver.delay_seconds = 0.05
    senders = [WebhookSender(settings, batch_size=5) for _ in range(2)]

    async def drain(sender: WebhookSender) -> int:
        total = 0
        while claimed := await sender.deliver_due():
            total += claimed
        return total

    try:
        counts = await asyncio.gather(*(drain(sender) for sender in senders))
    finally:
        for sender in senders:
            await sender.aclose()
    assert sum(counts) == 24
    seen = [(r.path, r.headers["webhook-id"]) for r in receiver.requests]
    assert len(seen) == 24 and len(set(seen)) == 24
    assert await WebhookAttempt.all().count() == 24
    assert await WebhookDelivery.filter(status=DeliveryStatus.DELIVERED).count() == 24


async def test_a_refused_change_records_no_event(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    await make_endpoint(practice, settings, receiver.url)
    await create_staff(admin, username="taken.name", email="taken.name" + "@example.com")
    from tests.api.staff_factory import staff_input

    body = await admin.execute(
        "mutation C($input: StaffCreateInput!) { staffCreate(input: $input) {"
        " userErrors { code } } }",
        {"input": await staff_input(admin, username="taken.name", email="other@example.com")},
    )
    assert body["data"]["staffCreate"]["userErrors"]
    assert await WebhookEvent.all().count() == 1
    assert json.dumps((await WebhookEvent.first()).payload)  # type: ignore[union-attr]


async def test_two_factor_changes_fire_with_the_person_as_it_is_after(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    from backend.models import StaffMember, StaffStatus
    from tests.api.conftest import _http
    from tests.api.test_two_factor import RESET, enroll

    issued = await make_endpoint(practice, settings, receiver.url)
    staff = await create_staff(admin, username="two.factor", email="two.factor@example.com")
    await StaffMember.filter(username_key="two.factor").update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    async with _http(app) as http:
        person = GraphQLClient(http)
        await person.login("two.factor", STAFF_PASSWORD)
        await enroll(person)
    reset = await admin.mutate(RESET, {"id": staff["id"]})
    assert reset["userErrors"] == []
    sender = WebhookSender(settings)
    try:
        await sender.deliver_due()
    finally:
        await sender.aclose()
    payloads = sorted(
        (verify(request, issued.secret) for request in receiver.requests),
        key=lambda payload: payload["sequence"],
    )
    for payload in payloads:
        check_schema(payload)
    assert [(p["type"], p["sequence"], p["data"]["twoFactorEnabled"]) for p in payloads] == [
        ("staff.created", 1, False),
        ("staff.two_factor_changed", 2, True),
        ("staff.two_factor_changed", 3, False),
    ]
    # Enrolled by the person themself, reset by the owner; sign-ins fired nothing.
    assert payloads[1]["actor"]["id"] == str((await StaffMember.get(username="two.factor")).id)
    assert payloads[2]["actor"]["id"] == str(practice["owner"].id)


async def test_role_changes_fire_their_events(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    from tests.api.documents import ROLE_CREATE as CREATE
    from tests.api.documents import ROLE_DELETE as DELETE
    from tests.api.documents import ROLE_UPDATE as UPDATE

    issued = await make_endpoint(practice, settings, receiver.url)
    created = await admin.mutate(CREATE, {"name": "Biller", "permissions": ["BILLING"]})
    role_id = created["role"]["id"]
    changes = {"id": role_id, "name": "Senior Biller", "permissions": ["REPORTING"]}
    assert (await admin.mutate(UPDATE, changes))["userErrors"] == []
    assert (await admin.mutate(DELETE, {"id": role_id}))["userErrors"] == []
    sender = WebhookSender(settings)
    try:
        await sender.deliver_due()
    finally:
        await sender.aclose()
    payloads = sorted(
        (verify(request, issued.secret) for request in receiver.requests),
        key=lambda payload: payload["sequence"],
    )
    for payload in payloads:
        check_schema(payload)
    assert [(p["type"], p["data"]["name"], p["data"]["permissions"]) for p in payloads] == [
        ("role.created", "Biller", ["BILLING"]),
        ("role.updated", "Senior Biller", ["REPORTING"]),
        ("role.deleted", "Senior Biller", ["REPORTING"]),
    ]
    assert len({p["resource"]["id"] for p in payloads}) == 1
