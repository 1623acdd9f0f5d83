"""DNS rebinding: a delivery connects to the address its SSRF check approved, whatever a
second lookup of the name would answer. The name server is the one test double (a
resolver the sender is given); the sockets are real."""

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette

from backend.config import Settings
from backend.models import WebhookAttempt
from backend.webhooks.sender import WebhookSender
from tests.api.client import GraphQLClient
from tests.api.conftest import with_settings
from tests.api.staff_factory import create_staff
from tests.api.webhook_helpers import make_endpoint
from tests.webhook_receiver import Receiver, running_receiver

NAME = "hooks.partner.test"
PUBLIC = "93.184.216.34"  # a global address: it passes the check


@dataclass
class RebindingResolver:
    """Answers each lookup of a name with the next of its answers (the last one again once
    they run out), as a rebinding name server with a zero TTL does."""

    answers: list[list[str]]
    lookups: list[str] = field(default_factory=list)

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        index = min(len(self.lookups), len(self.answers)) - 1
        return self.answers[index]


@dataclass
class Listener:
    """A TCP port on 127.0.0.1 that counts who connects (the "inside" service)."""

    port: int = 0
    connections: int = 0


@pytest.fixture
def inside() -> Iterator[Listener]:
    listener = Listener()
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    listener.port = server.getsockname()[1]
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            listener.connections += 1
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener
    stop.set()
    thread.join()
    server.close()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_settings(settings, run_outbox_sender=False)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


async def _deliver(settings: Settings, resolver: RebindingResolver) -> None:
    sender = WebhookSender(settings, resolver=resolver, timeout_seconds=1.0)
    try:
        assert await sender.deliver_due() == 1
    finally:
        await sender.aclose()


async def test_a_name_rebound_after_the_check_is_not_connected_to(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    inside: Listener,
) -> None:
    await make_endpoint(practice, settings, f"https://{NAME}:{inside.port}/hooks")
    await create_staff(admin)
    # The check sees a public address; any later lookup would say 127.0.0.1.
    resolver = RebindingResolver([[PUBLIC], ["127.0.0.1"]])
    production = with_settings(settings, webhook_allow_private_targets=False)

    await _deliver(production, resolver)

    assert inside.connections == 0
    assert resolver.lookups == [NAME]  # once, for the check: the connection looked up nothing
    [attempt] = await WebhookAttempt.all()
    assert attempt.http_status is None and attempt.error  # the public address did not answer


async def test_a_name_that_resolves_inside_is_refused_before_connecting(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    inside: Listener,
) -> None:
    await make_endpoint(practice, settings, f"https://{NAME}:{inside.port}/hooks")
    await create_staff(admin)
    resolver = RebindingResolver([["127.0.0.1"]])

    await _deliver(with_settings(settings, webhook_allow_private_targets=False), resolver)

    assert inside.connections == 0
    [attempt] = await WebhookAttempt.all()
    assert "loopback, private or link-local" in (attempt.error or "")


async def test_where_no_check_applies_the_name_is_looked_up_once_and_kept_as_host(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    port = receiver.url.split(":")[2].split("/")[0]
    issued = await make_endpoint(practice, settings, f"http://{NAME}:{port}/hooks")
    await create_staff(admin)
    resolver = RebindingResolver([["127.0.0.1"]])

    await _deliver(settings, resolver)

    assert resolver.lookups == [NAME]
    [request] = receiver.requests
    assert request.headers["host"] == f"{NAME}:{port}"
    assert Webhook(issued.secret).verify(request.body, request.headers)["type"] == "staff.created"


async def test_a_non_ascii_name_is_looked_up_and_pinned_as_httpx_connects_to_it(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    inside: Listener,
) -> None:
    """httpx connects to the IDNA 2008 (punycode) name: the check looks that name up and
    pins it, so the delivery goes to the approved address instead of failing as unchecked."""
    await make_endpoint(practice, settings, f"https://bücher.partner.test:{inside.port}/hooks")
    await create_staff(admin)
    resolver = RebindingResolver([[PUBLIC], ["127.0.0.1"]])

    await _deliver(with_settings(settings, webhook_allow_private_targets=False), resolver)

    assert inside.connections == 0
    assert resolver.lookups == ["xn--bcher-kva.partner.test"]
    [attempt] = await WebhookAttempt.all()
    assert attempt.error and "was not checked" not in attempt.error
