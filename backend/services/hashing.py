"""Where password hashing runs: argon2 costs about 100-180 ms of CPU, so it runs on a
bounded set of threads (never on the event loop), in two lanes.

- The anonymous lane (sign-in, activation, password resets) takes at most `HASH_WORKERS`
  threads and admits at most `HASH_QUEUE` more jobs waiting; beyond that, work is refused
  at once with Overloaded (TOO_MANY_REQUESTS, HTTP 429) before it touches the database,
  so a flood of sign-ins cannot starve the server.
- The signed-in lane (administrators adding staff, a person re-entering their password)
  has its own threads, so it keeps working while the anonymous lane is full.

HASH_WORKERS is per machine (default: cores - 1) and is shared by the WEB_CONCURRENCY
processes of one machine, each getting at least one worker."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import TypeVar

from backend.config import Settings
from backend.services.errors import Overloaded

T = TypeVar("T")

BUSY_MESSAGE = "The server is busy with other sign-ins. Try again in a moment."
RETRY_AFTER_SECONDS = 1


@dataclass(eq=False)
class Lane:
    name: str
    executor: ThreadPoolExecutor
    # Admitted jobs, running or waiting; None: not bounded.
    capacity: int | None
    admitted: int = field(default=0)

    async def run(self, work: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, work, *args)


@dataclass(frozen=True)
class HashingPool:
    anonymous: Lane
    signed_in: Lane


def workers_per_process(settings: Settings) -> int:
    return max(1, settings.hash_workers // max(1, settings.web_concurrency))


@cache
def _pool(workers: int, queue: int) -> HashingPool:
    # One pool per process (per sizing): threads outlive event loops, so tests that run
    # one loop each share it safely. Admission counts are touched only on event loops.
    return HashingPool(
        anonymous=Lane(
            "anonymous", ThreadPoolExecutor(workers, "argon2-anonymous"), workers + queue
        ),
        signed_in=Lane("signed-in", ThreadPoolExecutor(workers, "argon2-signed-in"), None),
    )


def pool(settings: Settings) -> HashingPool:
    return _pool(workers_per_process(settings), settings.hash_queue)


def signed_in_lane(settings: Settings) -> Lane:
    return pool(settings).signed_in


@contextlib.asynccontextmanager
async def anonymous_work(settings: Settings) -> AsyncIterator[Lane]:
    """Admits one piece of anonymous work for its whole duration (call it before any
    database work, so a refusal costs nothing), or raises Overloaded."""
    lane = pool(settings).anonymous
    if lane.capacity is not None and lane.admitted >= lane.capacity:
        raise Overloaded(BUSY_MESSAGE, retry_after_seconds=RETRY_AFTER_SECONDS)
    lane.admitted += 1
    try:
        yield lane
    finally:
        lane.admitted -= 1


def queue_length(settings: Settings) -> int:
    """Anonymous jobs admitted now, running or waiting (for metrics)."""
    return pool(settings).anonymous.admitted
