"""Each API client's rate limit: a token bucket in its api_client row, drawn from with one
conditional UPDATE … RETURNING, so that concurrent requests of any number of processes never
take more than the bucket holds (the database serialises updates of one row).

The bucket holds at most API_CLIENT_RATE_BURST tokens and refills at
API_CLIENT_RATE_PER_SECOND; a request takes one. Times are the app's clock in seconds since
the epoch (a float column: no date arithmetic that differs between SQLite and PostgreSQL)."""

import math
import time
from dataclasses import dataclass
from uuid import UUID

from tortoise import connections

from backend.config import Settings
from backend.models import ApiClient

# The tokens the bucket holds now: what was left, refilled for the time since (never
# for a time in the past, should another process's clock be behind), at most full.
_ELAPSED = "(CASE WHEN {now} > bucket_at THEN {now} - bucket_at ELSE 0 END)"
_FILLED = (
    "(CASE WHEN bucket_tokens + {elapsed} * {rate} > {burst} THEN {burst} "
    "ELSE bucket_tokens + {elapsed} * {rate} END)"
)
_DRAW = (
    "UPDATE api_client SET bucket_tokens = {filled} - 1, "
    "bucket_at = CASE WHEN {now} > bucket_at THEN {now} ELSE bucket_at END "
    "WHERE id = {id} AND {filled} >= 1 RETURNING bucket_tokens"
)


@dataclass(frozen=True)
class Draw:
    """One request's draw, and what the RateLimit-* headers say about it."""

    allowed: bool
    limit: int  # the bucket's size
    remaining: int  # whole tokens left
    reset_seconds: int  # until the bucket is full again
    retry_after_seconds: int  # until the next token, when refused (else 0)


def clock() -> float:
    return time.time()


async def draw(client_id: UUID, settings: Settings, *, now: float | None = None) -> Draw:
    now = clock() if now is None else now
    rate, burst = settings.api_client_rate_per_second, float(settings.api_client_rate_burst)
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    # Numbered parameters, each used several times: $n for asyncpg, ?n for SQLite.
    mark = "${}" if postgres else "?{}"
    names = {"now": mark.format(1), "rate": mark.format(2), "burst": mark.format(3)}
    if postgres:  # asyncpg needs the types of parameters it cannot infer
        names = {key: f"{value}::double precision" for key, value in names.items()}
    elapsed = _ELAPSED.format(now=names["now"])
    filled = _FILLED.format(elapsed=elapsed, **names)
    sql = _DRAW.format(filled=filled, now=names["now"], id=mark.format(4))
    identifier: object = client_id if postgres else str(client_id)
    # The dict variant fetches on asyncpg too (execute_query drops an UPDATE's RETURNING).
    rows = await connection.execute_query_dict(sql, [now, rate, burst, identifier])
    if rows:
        left = float(rows[0]["bucket_tokens"])
        return _answer(True, left, rate, burst)
    current = await _tokens_now(client_id, now, rate, burst)
    return _answer(False, current, rate, burst)


async def _tokens_now(client_id: UUID, now: float, rate: float, burst: float) -> float:
    """For a refusal's headers only: read apart from the draw, so it may be a moment old."""
    row = await ApiClient.filter(id=client_id).values("bucket_tokens", "bucket_at")
    if not row:
        return 0.0
    tokens, at = float(row[0]["bucket_tokens"]), float(row[0]["bucket_at"])
    return min(burst, tokens + max(0.0, now - at) * rate)


def _answer(allowed: bool, tokens: float, rate: float, burst: float) -> Draw:
    tokens = max(0.0, tokens)
    return Draw(
        allowed=allowed,
        limit=int(burst),
        remaining=math.floor(tokens),
        reset_seconds=math.ceil((burst - tokens) / rate) if rate > 0 else 0,
        retry_after_seconds=0 if allowed else max(1, math.ceil((1 - tokens) / rate)),
    )
