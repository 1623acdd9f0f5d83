"""When a failed delivery is tried again, and when a failing endpoint is given up on.

Pure functions of the attempt count and an injected clock (`now`) and randomness, so the
72-hour and 5-day rules are tested without waiting."""

import random
from datetime import datetime, timedelta

# The wait after the n-th failed attempt (the first attempt is immediate): 10 attempts
# over about 75.6 hours, past the 72 hours partners are promised.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# Up to this share of each wait is added at random, so that the retries of many
# deliveries that failed together (a receiver's outage) do not return together.
JITTER = 0.1
# An endpoint that has not accepted a delivery for this long is disabled and the
# practice's managers are told.
DISABLE_AFTER_FAILING = timedelta(days=5)


def next_attempt_at(
    failed_attempts: int, now: datetime, *, rng: random.Random | None = None
) -> datetime | None:
    """When to try again after `failed_attempts` failures; None when retries ran out."""
    if failed_attempts >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS[failed_attempts - 1]
    jitter = (rng or random).uniform(0, JITTER) * delay.total_seconds()
    return now + delay + timedelta(seconds=jitter)


def should_disable(failing_since: datetime, now: datetime) -> bool:
    return now - failing_since >= DISABLE_AFTER_FAILING
