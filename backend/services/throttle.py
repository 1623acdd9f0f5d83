"""Brute-force limits on sign-in and on every other guessable secret (the password when
it is checked again, two-factor and recovery codes), kept in the database so that they
hold across processes.

Two counters per attempt: one per username key (whether or not the account exists, so
that throttling reveals nothing) and one per client address. An attempt is *reserved*
before its secret is checked: counted in one atomic UPDATE, or refused — and then not
counted — while the account's delay runs, its lock holds or its address is over the limit.
So N parallel guesses cost N counted attempts, and at most LOGIN_DELAY_AFTER of them are
checked before the delay applies; and refused attempts cannot push an account into its
lock, which takes LOGIN_LOCK_AFTER checked attempts spread over hours by the delays
(`minimum_time_to_lock`)."""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from backend import observability
from backend.config import Settings
from backend.mail import notices as notice_texts
from backend.models import LoginThrottle, Permission, StaffMember
from backend.services import audit, notices, staff_changes
from backend.services.errors import DomainError, ErrorCode
from backend.services.login_locks import account_key, link_account
from backend.services.staff import get_practice_staff
from backend.services.viewer import RequestMeta, Viewer
from backend.webhooks import events as webhook_events
from backend.webhooks.payloads import Actor, EventType

TOO_MANY_ATTEMPTS_MESSAGE = "Too many failed sign-ins. Wait a moment, then try again."
ACCOUNT_LOCKED_MESSAGE = (
    "This account is locked after too many failed sign-ins. "
    "An administrator can unlock it in Manage Accounts."
)
# Concurrent attempts on one account retry their reservation; beyond this many rounds
# the attempt is refused as if the delay applied (it almost always does by then).
_RESERVE_ROUNDS = 50


def ip_key(ip: str) -> str:
    return f"ip:{ip[:240]}"


@dataclass(frozen=True)
class Keys:
    account: str
    ip: str | None


def keys_for(username_key: str, meta: RequestMeta, settings: Settings) -> Keys:
    return Keys(
        account=account_key(username_key, settings), ip=ip_key(meta.ip) if meta.ip else None
    )


def delay_seconds(failures: int, settings: Settings) -> int:
    """The wait before the next attempt is checked, after `failures` consecutive failures."""
    if failures < settings.login_delay_after:
        return 0
    exponent = min(failures - settings.login_delay_after, 16)
    return int(min(2**exponent, settings.login_max_delay_seconds))


def minimum_time_to_lock(settings: Settings) -> timedelta:
    """The shortest time in which anybody can lock an account: every attempt needed, each
    made the moment its delay ends (refused attempts do not count)."""
    return timedelta(
        seconds=sum(delay_seconds(f, settings) for f in range(1, settings.login_lock_after))
    )


@dataclass
class Attempt:
    """One attempt, counted before its secret is checked; say how it ended."""

    keys: Keys
    settings: Settings
    now: datetime
    # The account counter as this attempt found it, to undo its count exactly.
    _counted_as: int = 0
    _previous_failure_at: datetime | None = field(default=None, repr=False)

    async def succeeded(self) -> None:
        """The secret was right: the account's count starts again — unless attempts were
        counted after this one (a flood in progress): those stay counted, or a success
        amid parallel guesses would let more of them be checked. The address counts
        failures only, so this attempt's share of it is given back."""
        await LoginThrottle.filter(key=self.keys.account, failures=self._counted_as).update(
            failures=0, last_failure_at=None
        )
        await _give_back(self.keys.ip)

    async def released(self) -> None:
        """Neither success nor failure (the password was right, a second factor is still
        to come): the attempt is not counted after all — unless, again, attempts were
        counted after it."""
        await LoginThrottle.filter(key=self.keys.account, failures=self._counted_as).update(
            failures=self._counted_as - 1, last_failure_at=self._previous_failure_at
        )
        await _give_back(self.keys.ip)

    async def failed(self, *, staff: StaffMember | None, meta: RequestMeta) -> None:
        """The secret was wrong: it stays counted, and the account locks at the limit.

        The lock, its audit entry, the person's notice and the `staff.login_locked` event
        are one transaction (the outbox pattern): all of them or none. Only the attempt
        whose UPDATE set locked_at records them; on PostgreSQL a concurrent attempt's
        UPDATE waits for that row lock and then finds locked_at set, so one lock makes
        one event however many wrong passwords arrive together."""
        observability.SIGN_IN_FAILURES.inc()
        async with in_transaction() as db:
            if staff is not None:
                # The staff row before the throttle row, the order a rename takes them in
                # (update_staff links the person's throttle rows) and the one every failed
                # attempt takes, whatever it was counted as: one counted below the limit
                # can still find the count at it and set the lock, and taking the rows the
                # other way round deadlocked it against the attempt counted at the limit.
                await StaffMember.filter(id=staff.id).using_db(db).select_for_update().first()
            locked = (
                await LoginThrottle.filter(
                    key=self.keys.account,
                    locked_at=None,
                    failures__gte=self.settings.login_lock_after,
                )
                .using_db(db)
                .update(locked_at=self.now)
            ) == 1
            if locked:
                await self._record_lock(staff, meta, db)
        if locked:
            observability.SIGN_IN_LOCKS.inc()

    async def _record_lock(
        self, staff: StaffMember | None, meta: RequestMeta, db: BaseDBAsyncClient
    ) -> None:
        # The person as they are now, not as read before the password was checked.
        current = (
            await StaffMember.filter(id=staff.id).using_db(db).select_for_update().first()
            if staff is not None
            else None
        )
        if current is not None:  # StaffMember.loginLocked changed
            await staff_changes.touch(current.id, using_db=db)
            await link_account(current.id, current.username_key, self.settings, using_db=db)
        await audit.record(
            action="auth.lock",
            practice_id=current.practice_id if current else None,
            actor_id=None,
            target_id=current.id if current else None,
            meta=meta,
            details={"failures": self.settings.login_lock_after},
            using_db=db,
        )
        if current is None:  # an unknown username: a lock, but nobody to tell
            return
        await notices.send(
            current,
            notice_texts.changed(
                "Sign-in was locked after too many failed attempts (an administrator can unlock it)"
            ),
            settings=self.settings,
            using_db=db,
        )
        await webhook_events.record_staff(
            EventType.STAFF_LOGIN_LOCKED, current, Actor.system(), using_db=db
        )


async def reserve(keys: Keys, settings: Settings, now: datetime) -> Attempt:
    """Count an attempt before its secret is checked, or refuse it (uncounted) with
    TOO_MANY_ATTEMPTS or ACCOUNT_LOCKED."""
    if keys.ip:
        await _reserve_address(keys.ip, settings, now)
    try:
        counted_as, previous = await _reserve_account(keys.account, settings, now)
    except DomainError:
        await _give_back(keys.ip)
        raise
    return Attempt(keys, settings, now, counted_as, previous)


async def _reserve_account(
    key: str, settings: Settings, now: datetime
) -> tuple[int, datetime | None]:
    """(the count including this attempt, the previous failure time). A compare-and-set
    on the count the attempt saw: of concurrent attempts one wins each round, and the
    others look again, by then usually at a delay that refuses them."""
    for _ in range(_RESERVE_ROUNDS):
        row = await LoginThrottle.get_or_none(key=key)
        if row is None:
            try:
                await LoginThrottle.create(
                    key=key, failures=1, window_started_at=now, last_failure_at=now
                )
            except IntegrityError:  # created by a concurrent attempt meanwhile
                continue
            return 1, None
        if row.locked_at is not None:
            raise DomainError.single(ErrorCode.ACCOUNT_LOCKED, ACCOUNT_LOCKED_MESSAGE)
        wait = delay_seconds(row.failures, settings)
        if wait and row.last_failure_at is not None:
            remaining = (row.last_failure_at + timedelta(seconds=wait) - now).total_seconds()
            if remaining > 0:
                raise _too_many(remaining)
        won = await LoginThrottle.filter(key=key, failures=row.failures, locked_at=None).update(
            failures=row.failures + 1, last_failure_at=now
        )
        if won:
            return row.failures + 1, row.last_failure_at
    raise _too_many(1)


async def _reserve_address(key: str, settings: Settings, now: datetime) -> None:
    """A fixed window per address: at most LOGIN_IP_LIMIT counted attempts in it."""
    window = timedelta(minutes=settings.login_ip_window_minutes)
    await LoginThrottle.filter(key=key, window_started_at__lte=now - window).update(
        failures=0, window_started_at=now
    )
    for _ in range(2):
        counted = await LoginThrottle.filter(key=key, failures__lt=settings.login_ip_limit).update(
            failures=F("failures") + 1, last_failure_at=now
        )
        if counted:
            return
        row = await LoginThrottle.get_or_none(key=key)
        if row is not None:
            remaining = (row.window_started_at + window - now).total_seconds()
            raise _too_many(max(remaining, 1))
        try:
            await LoginThrottle.create(
                key=key, failures=1, window_started_at=now, last_failure_at=now
            )
            return
        except IntegrityError:  # created by a concurrent attempt: count on it
            continue
    raise _too_many(1)


async def _give_back(key: str | None) -> None:
    if key:
        await LoginThrottle.filter(key=key, failures__gt=0).update(failures=F("failures") - 1)


async def locked_among(username_keys: Sequence[str], settings: Settings) -> set[str]:
    """The locked ones of these usernames, in one query (for a page of staff)."""
    keys = {account_key(key, settings): key for key in username_keys}
    locked = LoginThrottle.filter(key__in=list(keys), locked_at__not_isnull=True)
    return {keys[str(row)] for row in await locked.values_list("key", flat=True)}


async def unlock(*, viewer: Viewer, staff_id: UUID, settings: Settings) -> StaffMember:
    """An administrator lifts the lock (and the failure count) of a staff member's sign-in."""
    viewer.require(Permission.MANAGE_ACCOUNTS)
    staff = await get_practice_staff(viewer, staff_id)
    async with in_transaction() as db:
        # The staff row first, as update_staff takes it before the throttle rows.
        await StaffMember.filter(id=staff.id).using_db(db).select_for_update().first()
        unlocked = (
            await LoginThrottle.filter(
                key=account_key(staff.username_key, settings), locked_at__not_isnull=True
            )
            .using_db(db)
            .update(failures=0, locked_at=None, last_failure_at=None)
        )
        if unlocked != 1:
            raise DomainError.single(
                ErrorCode.INVALID_TRANSITION,
                f"Sign-in of {staff.full_name} is not locked.",
                ["id"],
            )
        await staff_changes.touch(staff.id, using_db=db)
        await audit.record_by(viewer, "auth.unlock", target_id=staff.id, using_db=db)
    return staff


async def increment(key: str, now: datetime, *, window: timedelta | None = None) -> None:
    """One more failure on `key`, created at 1 if missing; with a `window`, a count older
    than it starts again."""
    if window is not None:
        # A fixed window per address: start a new one once the old one is over.
        await LoginThrottle.filter(key=key, window_started_at__lte=now - window).update(
            failures=0, window_started_at=now
        )
    updated = await LoginThrottle.filter(key=key).update(
        failures=F("failures") + 1, last_failure_at=now
    )
    if updated:
        return
    try:
        await LoginThrottle.create(key=key, failures=1, window_started_at=now, last_failure_at=now)
    except IntegrityError:  # created by a concurrent attempt meanwhile
        await LoginThrottle.filter(key=key).update(failures=F("failures") + 1, last_failure_at=now)


def _too_many(remaining: float) -> DomainError:
    return DomainError.single(
        ErrorCode.TOO_MANY_ATTEMPTS,
        TOO_MANY_ATTEMPTS_MESSAGE,
        retry_after_seconds=max(1, math.ceil(remaining)),
    )
