"""A pass sends each endpoint a few requests at a time (its lanes), and an endpoint that
times out is not waited on again in the same pass: its other deliveries go back
unattempted, and the other endpoints' deliveries are made meanwhile."""

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette

from backend.config import Settings
from backend.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from backend.webhooks.sender import WebhookSender
from tests.api.client import GraphQLClient
from tests.api.conftest import with_settings
from tests.api.staff_factory import create_staff
from tests.api.webhook_helpers import make_endpoint
from tests.webhook_receiver import Receiver, running_receiver

LANES = 3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_settings(settings, run_outbox_sender=False)


@pytest.fixture
def slow() -> Iterator[Receiver]:
    with running_receiver() as running:
        running.delay_seconds = 1.5
        yield running


@pytest.fixture
def healthy() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


async def test_a_timing_out_endpoint_gives_back_its_share_of_the_pass(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    slow: Receiver,
    healthy: Receiver,
) -> None:
    stuck = await make_endpoint(practice, settings, slow.url)
    fine = await make_endpoint(practice, settings, healthy.url)
    for number in range(7):
        await create_staff(admin, username=f"lane.{number}", email=f"lane.{number}@example.com")
    sender = WebhookSender(settings, timeout_seconds=0.5, per_endpoint=LANES)
    try:
        started = time.monotonic()
        attempted = await sender.deliver_due()
        elapsed = time.monotonic() - started
    finally:
        await sender.aclose()

    # One round of timeouts for the slow endpoint (its lanes, at once), not seven.
    assert attempted == LANES + 7
    assert elapsed < 1.5
    assert (
        await WebhookDelivery.filter(
            endpoint_id=fine.endpoint.id, status=DeliveryStatus.DELIVERED
        ).count()
        == 7
    )
    waiting = await WebhookDelivery.filter(endpoint_id=stuck.endpoint.id)
    assert sorted(d.attempts for d in waiting) == [0] * (7 - LANES) + [1] * LANES
    # The ones given back are due again at once, not leased and not delayed.
    assert all(d.claimed_until is None for d in waiting)
    assert await WebhookAttempt.filter(error="timed out after 0.5 s").count() == LANES


async def test_an_endpoint_gets_no_more_requests_at_once_than_its_lanes(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    healthy: Receiver,
) -> None:
    await make_endpoint(practice, settings, healthy.url)
    for number in range(8):
        await create_staff(admin, username=f"busy.{number}", email=f"busy.{number}@example.com")
    in_flight, most = 0, 0
    lock = threading.Lock()
    original = healthy.next_status

    def counted() -> int:
        # Called by the receiver's handler threads while they hold the request open.
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.1)
        with lock:
            in_flight -= 1
        return original()

    healthy.next_status = counted  # type: ignore[method-assign]
    sender = WebhookSender(settings, per_endpoint=LANES)
    try:
        assert await sender.deliver_due() == 8
    finally:
        await sender.aclose()
    assert len(healthy.requests) == 8
    assert most == LANES
