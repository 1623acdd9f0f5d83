"""Pruning of the tables that only grow: each rule names a table and which of its rows
have outlived their period; `prune` deletes them in bounded batches, so that a large
backlog never holds a long lock. A later table (idempotency keys, persisted queries,
delivery logs) joins by adding one `Rule` to RULES."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.models import Model

from backend.config import Settings
from backend.models import (
    AccountToken,
    ApiClientSecret,
    AuditEvent,
    IdempotencyKey,
    LoginThrottle,
    OutboxMessage,
    OutboxStatus,
    Session,
    SessionToken,
    WebhookDelivery,
    WebhookEvent,
)

BATCH_SIZE = 1000


@dataclass(frozen=True, kw_only=True)
class Rule:
    table: str
    model: type[Model]
    # The rows to delete, given the settings and the time of the run.
    expired: Callable[[Settings, datetime], Q]


@dataclass(frozen=True)
class PruneReport:
    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def _stale_throttles(settings: Settings, now: datetime) -> Q:
    # Locked usernames stay until an administrator unlocks them. Any other counter is
    # forgotten once it has seen no failure (an address: no window start) for the period.
    cut = now - timedelta(hours=settings.retain_throttle_hours)
    quiet = Q(last_failure_at__lt=cut) | Q(last_failure_at__isnull=True, window_started_at__lt=cut)
    return Q(locked_at__isnull=True) & quiet


def _ended_sessions(settings: Settings, now: datetime) -> Q:
    cut = now - timedelta(days=settings.retain_sessions_days)
    return Q(expires_at__lt=cut) | Q(revoked_at__lt=cut)


def _tokens_of_ended_sessions(settings: Settings, now: datetime) -> Q:
    # Before their sessions, so that each table's count is its own (the foreign key's
    # cascade would delete them too, counted as sessions on SQLite).
    cut = now - timedelta(days=settings.retain_sessions_days)
    return Q(session__expires_at__lt=cut) | Q(session__revoked_at__lt=cut)


def _delivered_email(settings: Settings, now: datetime) -> Q:
    # Failed messages stay: they are what support looks at when an email never came.
    cut = now - timedelta(days=settings.retain_sent_email_days)
    sent = Q(status=OutboxStatus.SENT, sent_at__lt=cut)
    return sent | Q(status=OutboxStatus.SUPERSEDED, created_at__lt=cut)


def _ended_account_links(settings: Settings, now: datetime) -> Q:
    # Reset and email-change links end like sessions do, and are kept as long after.
    cut = now - timedelta(days=settings.retain_sessions_days)
    return Q(expires_at__lt=cut) | Q(used_at__lt=cut) | Q(revoked_at__lt=cut)


def _ended_client_secrets(settings: Settings, now: datetime) -> Q:
    # A rotated-out secret ends with its overlap (a current one has no end): kept as long
    # after as sessions, then its hash goes.
    return Q(expires_at__lt=now - timedelta(days=settings.retain_sessions_days))


def _old_webhook_deliveries(settings: Settings, now: datetime) -> Q:
    # With their attempts (ON DELETE CASCADE): the delivery log keeps 30 days.
    return Q(created_at__lt=now - timedelta(days=settings.retain_webhook_deliveries_days))


def _old_webhook_events(settings: Settings, now: datetime) -> Q:
    # After their deliveries (the rule above runs first): an event is kept as long as its
    # log, so a receiver can catch up on anything the log still shows.
    cut = now - timedelta(days=settings.retain_webhook_deliveries_days)
    return Q(created_at__lt=cut)


def _expired_idempotency_keys(settings: Settings, now: datetime) -> Q:
    # Past its 24 hours a key is no longer honoured (a retry runs anew): nothing needs it.
    return Q(expires_at__lt=now)


def _old_audit_events(settings: Settings, now: datetime) -> Q:
    return Q(created_at__lt=now - timedelta(days=settings.retain_audit_days))


RULES: tuple[Rule, ...] = (
    Rule(table="login_throttle", model=LoginThrottle, expired=_stale_throttles),
    Rule(table="session_token", model=SessionToken, expired=_tokens_of_ended_sessions),
    Rule(table="session", model=Session, expired=_ended_sessions),
    Rule(table="account_token", model=AccountToken, expired=_ended_account_links),
    Rule(table="api_client_secret", model=ApiClientSecret, expired=_ended_client_secrets),
    Rule(table="outbox_message", model=OutboxMessage, expired=_delivered_email),
    Rule(table="audit_event", model=AuditEvent, expired=_old_audit_events),
    Rule(table="idempotency_key", model=IdempotencyKey, expired=_expired_idempotency_keys),
    Rule(table="webhook_delivery", model=WebhookDelivery, expired=_old_webhook_deliveries),
    Rule(table="webhook_event", model=WebhookEvent, expired=_old_webhook_events),
)


async def prune(
    *,
    settings: Settings,
    now: datetime,
    rules: tuple[Rule, ...] = RULES,
    batch_size: int = BATCH_SIZE,
) -> PruneReport:
    """Delete what each rule finds expired; return how many rows went, per table."""
    report = PruneReport()
    for rule in rules:
        report.deleted[rule.table] = await _prune_rule(rule, settings, now, batch_size)
    return report


async def _prune_rule(rule: Rule, settings: Settings, now: datetime, batch_size: int) -> int:
    condition = rule.expired(settings, now)
    deleted = 0
    while True:
        ids = await rule.model.filter(condition).limit(batch_size).values_list("id", flat=True)
        if not ids:
            return deleted
        # The condition again: a row changed since it was read (a new failure on a
        # throttle counter) is no longer expired and stays.
        deleted += await rule.model.filter(condition, id__in=list(ids)).delete()
        if len(ids) < batch_size:
            return deleted
