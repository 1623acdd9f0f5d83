"""A pass sends each endpoint a few requests at a time (its lanes), and an endpoint that
times out is not waited on again in the same pass: its other deliveries go back
unattempted, and the other endpoints' deliveries are made meanwhile."""

import contextlib
import socket
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

    # One round of timeouts for the slow endpoint (its lanes, at once), not seven; the
    # other endpoint gets its share of the pass (two rounds of its lanes).
    assert attempted == LANES + 2 * LANES
    assert elapsed < 1.5
    assert (
        await WebhookDelivery.filter(
            endpoint_id=fine.endpoint.id, status=DeliveryStatus.DELIVERED
        ).count()
        == 2 * LANES
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
        # A pass takes the endpoint's share (two rounds of its lanes); the next the rest.
        assert await sender.deliver_due() == 2 * LANES
        assert await sender.deliver_due() == 8 - 2 * LANES
    finally:
        await sender.aclose()
    assert len(healthy.requests) == 8
    assert most == LANES


async def test_one_endpoints_backlog_does_not_fill_the_pass(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    healthy: Receiver,
) -> None:
    """A backlog older than another endpoint's delivery: the pass still takes the other
    endpoint's, because each endpoint gets at most its share of a pass."""
    busy = await make_endpoint(practice, settings, healthy.url)
    for number in range(12):
        await create_staff(
            admin, username=f"backlog.{number}", email=f"backlog.{number}@example.com"
        )
    other = await make_endpoint(practice, settings, healthy.url)
    await create_staff(admin, username="newer", email="newer@example.com")
    sender = WebhookSender(settings, batch_size=8, per_endpoint=2)
    try:
        await sender.deliver_due()
    finally:
        await sender.aclose()

    delivered = WebhookDelivery.filter(status=DeliveryStatus.DELIVERED)
    assert await delivered.filter(endpoint_id=other.endpoint.id).count() == 1
    assert await delivered.filter(endpoint_id=busy.endpoint.id).count() == 4


@pytest.fixture
def trickling() -> Iterator[str]:
    """A receiver that answers one byte every 0.2 s: no single read waits long enough for
    a read timeout, so only a limit on the whole request ends it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                    if stop.is_set():
                        break
                    with contextlib.suppress(OSError):
                        connection.sendall(bytes([byte]))
                    time.sleep(0.2)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks"
    stop.set()
    thread.join()
    server.close()


async def test_a_receiver_trickling_its_answer_is_cut_at_the_timeout(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    trickling: str,
) -> None:
    await make_endpoint(practice, settings, trickling)
    await create_staff(admin)
    sender = WebhookSender(settings, timeout_seconds=0.5)
    try:
        started = time.monotonic()
        assert await sender.deliver_due() == 1
        elapsed = time.monotonic() - started
    finally:
        await sender.aclose()
    assert elapsed < 2
    assert await WebhookAttempt.filter(error="timed out after 0.5 s").count() == 1
