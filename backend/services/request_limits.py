"""Hourly request limits (forgot-password requests per account and per client address),
kept in the sign-in throttle table under their own key prefixes so that they hold across
processes and are pruned like the sign-in counters.

`take` counts a request only while its key is under the limit, in one conditional UPDATE:
parallel requests cannot exceed it (on PostgreSQL the row lock makes the second UPDATE
re-check `failures < limit` after the first commits)."""

from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from backend.config import Settings
from backend.models import LoginThrottle
from backend.services import keys

WINDOW = timedelta(hours=1)


def reset_account_key(identity: str, settings: Settings) -> str:
    # Keyed, like the sign-in counters: what people type must not be readable in the table.
    return f"reset:{keys.keyed_digest(settings, 'throttle', identity)}"


def reset_ip_key(ip: str) -> str:
    return f"reset-ip:{ip[:230]}"


async def take(key: str, *, limit: int, now: datetime, window: timedelta = WINDOW) -> bool:
    """Count one request on `key` if it is under `limit` in the current window."""
    # A fixed window: start a new one once the old one is over.
    await LoginThrottle.filter(key=key, window_started_at__lte=now - window).update(
        failures=0, window_started_at=now
    )
    for _ in range(3):
        counted = await LoginThrottle.filter(key=key, failures__lt=limit).update(
            failures=F("failures") + 1, last_failure_at=now
        )
        if counted:
            return True
        row = await LoginThrottle.get_or_none(key=key)
        if row is not None:
            if row.failures >= limit:
                return False
            continue  # created (or its window restarted) by a concurrent request meanwhile
        try:
            await LoginThrottle.create(
                key=key, failures=1, window_started_at=now, last_failure_at=now
            )
            return True
        except IntegrityError:  # created by a concurrent request: count on it
            continue
    return False
