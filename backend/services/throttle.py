"""Brute-force limits on sign-in, kept in the database so they hold across processes.

Two counters per attempt: one per username key (whether or not the account exists, so
that throttling reveals nothing) and one per client address. Every change is a single
conditional UPDATE (failures = failures + 1, lock only if not locked yet), never a
read-modify-write, so concurrent attempts cannot lose a count or lock twice."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.models import LoginThrottle, Permission, StaffMember
from backend.services import audit
from backend.services.errors import DomainError, ErrorCode
from backend.services.staff import get_practice_staff
from backend.services.viewer import RequestMeta, Viewer

TOO_MANY_ATTEMPTS_MESSAGE = "Too many failed sign-ins. Wait a moment, then try again."
ACCOUNT_LOCKED_MESSAGE = (
    "This account is locked after too many failed sign-ins. "
    "An administrator can unlock it in Manage Accounts."
)


def account_key(username_key: str) -> str:
    return f"user:{username_key[:240]}"


def ip_key(ip: str) -> str:
    return f"ip:{ip[:240]}"


@dataclass(frozen=True)
class Keys:
    account: str
    ip: str | None


def keys_for(username_key: str, meta: RequestMeta) -> Keys:
    return Keys(account=account_key(username_key), ip=ip_key(meta.ip) if meta.ip else None)


def delay_seconds(failures: int, settings: Settings) -> int:
    """The wait before the next attempt is checked, after `failures` consecutive failures."""
    if failures < settings.login_delay_after:
        return 0
    exponent = min(failures - settings.login_delay_after, 16)
    return int(min(2**exponent, settings.login_max_delay_seconds))


async def check_allowed(keys: Keys, settings: Settings, now: datetime) -> None:
    """Refuse the attempt before any password is checked, if a limit is reached."""
    rows = {
        row.key: row
        for row in await LoginThrottle.filter(key__in=[k for k in (keys.account, keys.ip) if k])
    }
    account = rows.get(keys.account)
    if account is not None:
        if account.locked_at is not None:
            raise DomainError.single(ErrorCode.ACCOUNT_LOCKED, ACCOUNT_LOCKED_MESSAGE)
        wait = delay_seconds(account.failures, settings)
        if wait and account.last_failure_at is not None:
            remaining = (account.last_failure_at + timedelta(seconds=wait) - now).total_seconds()
            if remaining > 0:
                raise _too_many(remaining)
    ip_row = rows.get(keys.ip) if keys.ip else None
    if ip_row is not None and ip_row.failures >= settings.login_ip_limit:
        window_end = ip_row.window_started_at + timedelta(minutes=settings.login_ip_window_minutes)
        remaining = (window_end - now).total_seconds()
        if remaining > 0:
            raise _too_many(remaining)


async def record_failure(
    keys: Keys,
    settings: Settings,
    now: datetime,
    *,
    staff: StaffMember | None,
    meta: RequestMeta,
) -> None:
    """Count one failed (or refused) attempt on both keys; lock the account key at the limit."""
    await increment(keys.account, now, window=None)
    if keys.ip:
        await increment(keys.ip, now, window=timedelta(minutes=settings.login_ip_window_minutes))
    locked = (
        await LoginThrottle.filter(
            key=keys.account, locked_at=None, failures__gte=settings.login_lock_after
        ).update(locked_at=now)
    ) == 1
    if locked:  # only the attempt that set locked_at records the event
        await audit.record(
            action="auth.lock",
            practice_id=staff.practice_id if staff else None,  # type: ignore[attr-defined]
            actor_id=None,
            target_id=staff.id if staff else None,
            meta=meta,
            details={"failures": settings.login_lock_after},
        )


async def record_success(keys: Keys) -> None:
    """A successful sign-in resets the account counter, not the address one."""
    await LoginThrottle.filter(key=keys.account).update(failures=0, last_failure_at=None)


async def locked_among(username_keys: Sequence[str]) -> set[str]:
    """The locked ones of these usernames, in one query (for a page of staff)."""
    keys = {account_key(key): key for key in username_keys}
    locked = LoginThrottle.filter(key__in=list(keys), locked_at__not_isnull=True)
    return {keys[str(row)] for row in await locked.values_list("key", flat=True)}


async def unlock(*, viewer: Viewer, staff_id: UUID) -> StaffMember:
    """An administrator lifts the lock (and the failure count) of a staff member's sign-in."""
    viewer.require(Permission.MANAGE_ACCOUNTS)
    staff = await get_practice_staff(viewer, staff_id)
    async with in_transaction() as db:
        unlocked = (
            await LoginThrottle.filter(
                key=account_key(staff.username_key), locked_at__not_isnull=True
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
