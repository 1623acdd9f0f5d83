"""Pruning: rows older than each period go, newer ones stay, locked sign-in counters stay,
audit events stay six years; batches leave no row behind."""

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from backend.config import Settings
from backend.models import (
    AccountToken,
    AccountTokenPurpose,
    ApiClient,
    ApiClientSecret,
    AuditEvent,
    IdempotencyKey,
    LoginThrottle,
    OutboxMessage,
    OutboxStatus,
    Plan,
    Session,
    SessionToken,
    StaffMember,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from backend.services.bootstrap import NewPractice, create_practice
from backend.services.retention import prune
from tests.pins import OWNER_PIN

SETTINGS = Settings(environment="test", password_hash_profile="fast")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


async def _owner() -> StaffMember:
    _, owner = await create_practice(
        NewPractice(
            name="Riverside Clinic",
            plan=Plan.INVOICED,
            provider_first_name="Hannah",
            provider_last_name="Provider",
            office_names=["Main Office"],
            owner_first_name="Olivia",
            owner_last_name="Owner",
            owner_username="owner",
            owner_email="owner@example.com",
            owner_password="Harbor-Lantern-4417",
            owner_pin=OWNER_PIN,
        ),
        settings=SETTINGS,
    )
    return owner


async def _throttle(key: str, *, last_failure: datetime, locked: bool = False) -> None:
    await LoginThrottle.create(
        key=key,
        failures=3,
        window_started_at=last_failure,
        last_failure_at=last_failure,
        locked_at=last_failure if locked else None,
    )


async def _session(owner: StaffMember, *, expires: datetime, revoked: datetime | None) -> None:
    session = await Session.create(
        staff=owner,
        token_hash=uuid.uuid4().hex,
        last_seen_at=expires - timedelta(hours=1),
        expires_at=expires,
        revoked_at=revoked,
    )
    # A bearer session's token pairs (its family) go with it.
    for generation in range(2):
        await SessionToken.create(
            session=session,
            generation=generation,
            access_hash=secrets.token_hex(32),
            refresh_hash=secrets.token_hex(32),
            access_expires_at=expires,
            rotated_at=None if generation else expires - timedelta(hours=1),
        )


async def _email(owner: StaffMember, status: OutboxStatus, created: datetime) -> None:
    message = await OutboxMessage.create(
        kind="activation",
        practice_id=owner.practice_id,
        recipient=f"{status.value.lower()}-{created.date()}@example.com",
        subject="Activate",
        status=status,
        next_attempt_at=created,
        sent_at=created if status is OutboxStatus.SENT else None,
    )
    await OutboxMessage.filter(id=message.id).update(created_at=created)


async def _audit(owner: StaffMember, created: datetime) -> None:
    event = await AuditEvent.create(
        practice_id=owner.practice_id,
        action="LOGIN",
    )
    await AuditEvent.filter(id=event.id).update(created_at=created)


async def _link(owner: StaffMember, *, expires: datetime, used: datetime | None = None) -> None:
    await AccountToken.create(
        staff_id=owner.id,
        purpose=AccountTokenPurpose.PASSWORD_RESET,
        token_hash=secrets.token_hex(32),
        expires_at=expires,
        used_at=used,
    )


async def _webhook(owner: StaffMember, endpoint: WebhookEndpoint, created: datetime) -> None:
    event = await WebhookEvent.create(
        practice_id=owner.practice_id,
        type="staff.updated",
        resource_id=owner.id,
        sequence=await WebhookEvent.all().count() + 1,
        payload={},
    )
    delivery = await WebhookDelivery.create(
        event_id=event.id, endpoint_id=endpoint.id, next_attempt_at=created
    )
    await WebhookAttempt.create(delivery_id=delivery.id, started_at=created, duration_ms=5)
    await WebhookEvent.filter(id=event.id).update(created_at=created)
    await WebhookDelivery.filter(id=delivery.id).update(created_at=created)


async def test_prune_deletes_what_outlived_its_period_and_keeps_the_rest(db: str) -> None:
    owner = await _owner()
    await AuditEvent.all().delete()  # the practice's creation, recorded just now
    week = timedelta(hours=SETTINGS.retain_throttle_hours)
    await _throttle("user:old", last_failure=NOW - week - DAY)
    await _throttle("ip:old", last_failure=NOW - week - DAY)
    await _throttle("user:locked-long-ago", last_failure=NOW - 400 * DAY, locked=True)
    await _throttle("user:recent", last_failure=NOW - week + DAY)
    await _session(owner, expires=NOW - 31 * DAY, revoked=None)
    await _session(owner, expires=NOW + DAY, revoked=NOW - 31 * DAY)
    await _session(owner, expires=NOW - 29 * DAY, revoked=None)
    await _session(owner, expires=NOW + DAY, revoked=None)
    await _email(owner, OutboxStatus.SENT, NOW - 31 * DAY)
    await _email(owner, OutboxStatus.SUPERSEDED, NOW - 31 * DAY)
    await _email(owner, OutboxStatus.FAILED, NOW - 31 * DAY)
    await _email(owner, OutboxStatus.SENT, NOW - 29 * DAY)
    await _email(owner, OutboxStatus.QUEUED, NOW - 31 * DAY)
    await _audit(owner, NOW - 2191 * DAY)
    await _audit(owner, NOW - 5 * 365 * DAY)
    await _audit(owner, NOW - DAY)
    await _link(owner, expires=NOW - 31 * DAY)
    await _link(owner, expires=NOW + HOUR, used=NOW - 31 * DAY)
    await _link(owner, expires=NOW - 29 * DAY)  # expired, but recently
    client = await ApiClient.create(practice_id=owner.practice_id, name="HR sync")
    for ended in (None, NOW - 31 * DAY, NOW - 29 * DAY):  # current, rotated out long ago, lately
        await ApiClientSecret.create(
            client_id=client.id, secret_hash=secrets.token_hex(32), expires_at=ended
        )

    endpoint = await WebhookEndpoint.create(
        practice_id=owner.practice_id, url="https://hooks.example/x", secret_encrypted="-"
    )
    for age in (31 * DAY, 29 * DAY):  # past the 30 days of the delivery log, and within
        await _webhook(owner, endpoint, NOW - age)

    for until in (NOW - HOUR, NOW + HOUR):  # a key past its 24 hours, and one still honoured
        await IdempotencyKey.create(
            principal=f"staff:{owner.id}",
            key=str(until),
            operation="staffCreate",
            fingerprint="0" * 64,
            expires_at=until,
        )

    report = await prune(settings=SETTINGS, now=NOW)

    assert report.deleted == {
        "login_throttle": 2,
        "session_token": 4,
        "session": 2,
        "account_token": 2,
        "api_client_secret": 1,
        "outbox_message": 2,
        "audit_event": 1,
        "idempotency_key": 1,
        "webhook_delivery": 1,
        "webhook_event": 1,
    }
    assert await WebhookAttempt.all().count() == 1  # the old one went with its delivery
    assert await WebhookEvent.filter(created_at__lt=NOW - 30 * DAY).count() == 0
    assert await AccountToken.all().count() == 1
    ends = await ApiClientSecret.all().values_list("expires_at", flat=True)
    assert sorted(ends, key=lambda end: end is not None) == [None, NOW - 29 * DAY]
    keys = {str(key) for key in await LoginThrottle.all().values_list("key", flat=True)}
    assert keys == {"user:locked-long-ago", "user:recent"}
    assert await Session.all().count() == 2
    kept = set(await Session.all().values_list("id", flat=True))
    assert set(await SessionToken.all().values_list("session_id", flat=True)) == kept
    assert await SessionToken.all().count() == 4
    rows = await OutboxMessage.all().values_list("status", flat=True)
    statuses = sorted(OutboxStatus(status).value for status in rows)
    assert statuses == ["FAILED", "QUEUED", "SENT"]
    assert await AuditEvent.all().count() == 2  # five years old and one day old
    assert (await prune(settings=SETTINGS, now=NOW)).total == 0


async def test_a_backlog_goes_in_batches(db: str) -> None:
    for number in range(25):
        await _throttle(f"ip:10.0.0.{number}", last_failure=NOW - 30 * DAY)
    report = await prune(settings=SETTINGS, now=NOW, batch_size=10)
    assert report.deleted["login_throttle"] == 25
    assert await LoginThrottle.all().count() == 0
