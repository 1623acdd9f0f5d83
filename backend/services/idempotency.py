"""Idempotency keys: a partner that retries a mutation after a timeout gets the first
answer back instead of a second person or a second email.

The key row is inserted in the same transaction as the mutation's effect, before it: the
effect and the record of it commit together or not at all. A concurrent request with the
same key blocks on the unique (principal, key) index until the first commits, then finds
its row and replays it (or, if the first rolled back, hears IDEMPOTENCY_KEY_IN_USE and
retries). A failed mutation (userErrors) rolls its row back too: it changed nothing, and
the same key may be used again."""

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any

import orjson
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.models import IdempotencyKey
from backend.services import keys
from backend.services.caller import Caller

KEY_MAX_LENGTH = 255
KEPT_FOR = timedelta(hours=24)


class IdempotencyError(Exception):
    """A key that cannot be honoured; `code` is the GraphQL error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class KeyedRequest:
    principal: str
    key: str
    operation: str
    canonical: bytes


def keyed_request(
    caller: Caller, key: str | None, operation: str, request: object
) -> KeyedRequest | None:
    """The request under its key; None when no key was sent."""
    if key is None:
        return None
    if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable():
        raise IdempotencyError(
            "BAD_USER_INPUT",
            f"The Idempotency-Key header must be 1–{KEY_MAX_LENGTH} printable characters.",
        )
    if caller.api_client_id is not None:
        principal = f"api_client:{caller.api_client_id}"
    else:
        principal = f"staff:{caller.staff_id}"
    canonical = orjson.dumps(
        {"operation": operation, "request": request}, option=orjson.OPT_SORT_KEYS, default=str
    )
    return KeyedRequest(principal, key, operation, canonical)


def _fingerprints(request: KeyedRequest, settings: Settings) -> list[str]:
    # One per key of the set, newest first: a retry across a SECRET_KEYS rotation matches.
    return [
        hmac.new(subkey, request.canonical, sha256).hexdigest()
        for _key_id, subkey in keys.hmac_keys(settings, "idempotency")
    ]


class _Taken(Exception):
    pass


async def once(
    request: KeyedRequest,
    produce: Callable[[], Awaitable[dict[str, Any]]],
    *,
    settings: Settings,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Run `produce` once per key (for 24 hours); later calls get what it returned."""
    now = now or datetime.now(UTC)
    fingerprints = _fingerprints(request, settings)
    stored = await _live(request, now)
    if stored is not None:
        return _replay(stored, request, fingerprints)
    try:
        async with in_transaction() as db:
            await (
                IdempotencyKey.filter(
                    principal=request.principal, key=request.key, expires_at__lte=now
                )
                .using_db(db)
                .delete()
            )
            try:
                row = await IdempotencyKey.create(
                    using_db=db,
                    principal=request.principal,
                    key=request.key,
                    operation=request.operation,
                    fingerprint=fingerprints[0],
                    expires_at=now + KEPT_FOR,
                )
            except IntegrityError:
                raise _Taken from None
            response = await produce()
            await IdempotencyKey.filter(id=row.id).using_db(db).update(response=response)
            return response
    except _Taken:
        stored = await _live(request, now)
        if stored is None:
            raise IdempotencyError(
                "IDEMPOTENCY_KEY_IN_USE",
                "A request with this Idempotency-Key was being processed and did not "
                "complete. Retry it.",
            ) from None
        return _replay(stored, request, fingerprints)


async def _live(request: KeyedRequest, now: datetime) -> IdempotencyKey | None:
    return await IdempotencyKey.get_or_none(
        principal=request.principal, key=request.key, expires_at__gt=now
    )


def _replay(
    stored: IdempotencyKey, request: KeyedRequest, fingerprints: list[str]
) -> dict[str, Any]:
    same = stored.operation == request.operation and any(
        hmac.compare_digest(stored.fingerprint, fingerprint) for fingerprint in fingerprints
    )
    if not same:
        raise IdempotencyError(
            "IDEMPOTENCY_KEY_REUSED",
            "This Idempotency-Key was used in the last 24 hours for a different request. "
            "Use a new key for a new request.",
        )
    return stored.response
