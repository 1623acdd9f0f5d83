"""`staff.login_locked`: the lock that wrong passwords set fires one event, written with the
lock itself, however many wrong passwords arrive together."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.models import AuditEvent, LoginThrottle, StaffMember, StaffStatus, WebhookEvent
from backend.services import throttle
from backend.services.viewer import RequestMeta
from backend.webhooks.sender import WebhookSender
from tests.api.client import GraphQLClient
from tests.api.conftest import with_settings
from tests.api.staff_factory import create_staff
from tests.api.test_brute_force import attempt, codes
from tests.api.webhook_helpers import check_schema, make_endpoint
from tests.webhook_receiver import Receiver, running_receiver

LOCK_AFTER = 3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # No delay before the lock, so that a test reaches it in a few requests; no sender in
    # the app, the test delivers.
    return with_settings(
        settings, run_outbox_sender=False, login_lock_after=LOCK_AFTER, login_delay_after=100
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


async def _active_nurse(admin: GraphQLClient) -> None:
    await create_staff(admin)
    await StaffMember.filter(username_key="cnurse").update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )


async def _deliver(settings: Settings) -> None:
    sender = WebhookSender(settings)
    try:
        while await sender.deliver_due():
            pass
    finally:
        await sender.aclose()


async def test_wrong_passwords_until_locked_deliver_one_signed_event(
    app: Starlette,
    admin: GraphQLClient,
    anonymous: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    receiver: Receiver,
) -> None:
    await _active_nurse(admin)
    nurse = await StaffMember.get(username_key="cnurse")
    issued = await make_endpoint(practice, settings, receiver.url)
    for _ in range(LOCK_AFTER):
        assert codes(await attempt(anonymous, "cnurse")) == ["INVALID_CREDENTIALS"]
    assert codes(await attempt(anonymous, "cnurse")) == ["ACCOUNT_LOCKED"]
    await _deliver(settings)

    locked = [
        payload
        for request in receiver.requests
        if (payload := Webhook(issued.secret).verify(request.body, request.headers))["type"]
        == "staff.login_locked"
    ]
    assert len(locked) == 1
    [event] = locked
    check_schema(event)
    # Nobody authenticated: the service locked the account on its rule.
    assert event["actor"] == {"type": "system", "id": None, "authMethod": None}
    assert event["resource"] == {"type": "staff", "id": str(nurse.id)}
    assert event["data"]["username"] == "cnurse"
    assert event["sequence"] == 2  # after staff.created


async def test_an_unknown_username_locks_without_an_event(
    app: Starlette, anonymous: GraphQLClient, practice: dict[str, Any], settings: Settings
) -> None:
    for _ in range(LOCK_AFTER):
        await attempt(anonymous, "nobody.here")
    assert await AuditEvent.filter(action="auth.lock").count() == 1
    assert not await WebhookEvent.filter(type="staff.login_locked").exists()


async def test_concurrent_wrong_passwords_make_one_event_per_lock(
    app: Starlette,
    admin: GraphQLClient,
    anonymous: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    database_backend: str,
) -> None:
    if database_backend != "postgres":
        pytest.skip("SQLite runs one writer at a time: nothing to race")
    await _active_nurse(admin)
    for lock in range(2):
        answers = await asyncio.gather(*(attempt(anonymous, "cnurse") for _ in range(12)))
        assert {code for answer in answers for code in codes(answer)} <= {
            "INVALID_CREDENTIALS",
            "ACCOUNT_LOCKED",
            "TOO_MANY_ATTEMPTS",  # a reservation that lost every compare-and-set round
        }
        assert await WebhookEvent.filter(type="staff.login_locked").count() == lock + 1
        assert await AuditEvent.filter(action="auth.lock").count() == lock + 1
        # An administrator's unlock, done the short way: the next flood locks again.
        await LoginThrottle.filter(key__startswith="user:").update(
            failures=0, locked_at=None, last_failure_at=None
        )


async def test_a_late_wrong_password_waits_for_the_lock_in_progress(
    app: Starlette, admin: GraphQLClient, settings: Settings, database_backend: str
) -> None:
    """An attempt counted below the limit can still find the count at it (others were
    counted meanwhile) and set the lock. It must take the person's row before the throttle
    row, as the attempt counted at the limit does; the other order deadlocked the two on
    PostgreSQL (one of them answered as a server error)."""
    if database_backend != "postgres":
        pytest.skip("SQLite runs one write transaction at a time: no row locks to order")
    await _active_nurse(admin)
    nurse = await StaffMember.get(username_key="cnurse")
    keys = throttle.keys_for(nurse.username_key, RequestMeta(), settings)
    now = datetime.now(UTC)
    await LoginThrottle.create(
        key=keys.account, failures=LOCK_AFTER, window_started_at=now, last_failure_at=now
    )
    late = throttle.Attempt(keys, settings, now, _counted_as=LOCK_AFTER - 1)
    holds_the_person = asyncio.Event()
    go_on = asyncio.Event()

    async def counted_at_the_limit() -> None:
        # By hand, as the attempt counted at the limit does: the person's row, then the lock.
        async with in_transaction() as db:
            await StaffMember.filter(id=nurse.id).using_db(db).select_for_update().first()
            holds_the_person.set()
            await go_on.wait()
            await LoginThrottle.filter(key=keys.account, locked_at=None).using_db(db).update(
                locked_at=now
            )

    # Each in its own task, made outside any transaction: each gets its own connection.
    first = asyncio.create_task(counted_at_the_limit())
    await holds_the_person.wait()
    second = asyncio.create_task(late.failed(staff=nurse, meta=RequestMeta()))
    await asyncio.sleep(0.5)  # the late attempt takes what it can meanwhile
    go_on.set()
    async with asyncio.timeout(15):
        await asyncio.gather(first, second)  # no deadlock error from either
    assert await WebhookEvent.filter(type="staff.login_locked").count() == 0
    assert (await LoginThrottle.get(key=keys.account)).locked_at is not None
