"""Delivers webhook events over HTTP: lease due deliveries, sign, POST, record the outcome.

Run by the worker (backend/worker.py) and, like the email sender, in the app process when
RUN_OUTBOX_SENDER is on. One `httpx.AsyncClient` is kept for the sender's life (its
connection pool, which connects only to addresses the SSRF check approved), and each pass
sends its deliveries concurrently, a few at a time per endpoint."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import orjson

from backend.config import Settings
from backend.db_errors import is_database_unavailable
from backend.models import WebhookDelivery, WebhookEndpoint
from backend.webhooks import claims, pinning, signing, ssrf
from backend.webhooks.outcomes import (
    EXCERPT_BYTES,
    AttemptResult,
    record_attempt,
    record_delivered,
)

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
USER_AGENT = "staff-accounts-webhooks/1"
# Requests in flight at once per endpoint (bench/scenarios/webhooks.py: 5 delivered a backlog
# faster than 10 or a whole batch of 50, and a receiver is spared the burst).
PER_ENDPOINT = 5
# An endpoint's share of one pass, in rounds of its lanes (backend/webhooks/claims.py):
# one busy or slow endpoint cannot fill every pass while other endpoints' deliveries wait.
ROUNDS_PER_PASS = 2


def pool_limits(batch_size: int) -> httpx.Limits:
    """Room to keep every lane's connection of a pass alive for the next pass (httpx's
    default keeps 20: a pass to many endpoints would reconnect each time)."""
    return httpx.Limits(max_connections=max(100, batch_size), max_keepalive_connections=batch_size)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class WebhookSender:
    def __init__(
        self,
        settings: Settings,
        *,
        batch_size: int = 50,
        poll_seconds: float = 1.0,
        clock: Callable[[], datetime] = _utc_now,
        timeout_seconds: float = TIMEOUT_SECONDS,
        resolver: ssrf.Resolver = ssrf.system_resolver,
        limits: httpx.Limits | None = None,
        per_endpoint: int = PER_ENDPOINT,
    ) -> None:
        self._per_endpoint = per_endpoint
        self._settings = settings
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._timeout = timeout_seconds
        self._share = per_endpoint * ROUNDS_PER_PASS
        # A lease outlives the longest pass (an endpoint's share sent through its lanes,
        # each attempt's lookup and request each cut at the timeout), so no other worker
        # takes a delivery whose request is still waiting or in flight.
        self._lease = timedelta(seconds=timeout_seconds * (2 * ROUNDS_PER_PASS + 2))
        self._stop = asyncio.Event()
        self._resolver = resolver
        # Our transport connects only to the addresses the SSRF check approved. (Being a
        # transport of our own, it also ignores HTTP(S)_PROXY: a proxy would make its own
        # lookup, unchecked.)
        self._client = httpx.AsyncClient(
            timeout=timeout_seconds,
            follow_redirects=False,
            headers={"user-agent": USER_AGENT},
            transport=pinning.pinned_transport(
                resolver=resolver, limits=limits or pool_limits(batch_size)
            ),
        )

    def stop(self) -> None:
        self._stop.set()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def run(self) -> None:
        logger.info("webhook sender started")
        try:
            while not self._stop.is_set():
                claimed = 0
                try:
                    claimed = await self.deliver_due()
                except Exception as failure:
                    if is_database_unavailable(failure):
                        logger.warning("webhook pass failed: the database is unavailable")
                    else:
                        logger.exception("webhook pass failed")
                if claimed < self._batch_size and not self._stop.is_set():
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self._poll_seconds):
                            await self._stop.wait()
        finally:
            await self.aclose()
            logger.info("webhook sender stopped")

    async def deliver_due(self) -> int:
        """One pass: deliver what is due now; return how many deliveries were attempted."""
        deliveries = await claims.claim_due(
            limit=self._batch_size, share=self._share, lease=self._lease, now=self._clock()
        )
        # One decryption per endpoint and pass, not per delivery: a pass is mostly one
        # endpoint's backlog.
        secrets: dict[UUID, list[str] | None] = {}
        for delivery in deliveries:
            if delivery.endpoint_id not in secrets:
                secrets[delivery.endpoint_id] = self._signing_secrets(delivery.endpoint)
        # At most a few requests in flight per endpoint: a receiver is not sent a whole
        # batch at once, and a few kept-alive connections carry a backlog faster than a
        # batch's worth (httpcore's pool work grows with its connections, per request).
        lanes = {endpoint_id: asyncio.Semaphore(self._per_endpoint) for endpoint_id in secrets}
        # An endpoint that timed out in this pass is not waited on again in it: the rest
        # of its share goes back unattempted, and the other endpoints' pass is not held up.
        timed_out: set[UUID] = set()

        async def attempt(delivery: WebhookDelivery) -> AttemptResult | None:
            async with lanes[delivery.endpoint_id]:
                # Stopping (SIGTERM): what has not started goes back, unattempted.
                if delivery.endpoint_id in timed_out or self._stop.is_set():
                    return None
                result = await self._attempt(delivery, secrets[delivery.endpoint_id])
                if result.timed_out:
                    timed_out.add(delivery.endpoint_id)
                return result

        outcomes = await asyncio.gather(*(attempt(delivery) for delivery in deliveries))
        now = self._clock()
        attempted = [(d, r) for d, r in zip(deliveries, outcomes, strict=True) if r is not None]
        await claims.release([d for d, r in zip(deliveries, outcomes, strict=True) if r is None])
        # Successes are written together (a few statements a pass); failures one by one,
        # each with its own retry time and endpoint bookkeeping.
        await record_delivered([(d, r) for d, r in attempted if r.succeeded], now=now)
        for delivery, result in attempted:
            if not result.succeeded:
                await record_attempt(delivery, result, now=now, settings=self._settings)
        return len(attempted)

    async def _attempt(self, delivery: WebhookDelivery, secrets: list[str] | None) -> AttemptResult:
        endpoint = delivery.endpoint
        started_at = self._clock()
        started = time.monotonic()

        def result(
            *,
            http_status: int | None = None,
            error: str | None = None,
            response_excerpt: str | None = None,
            timed_out: bool = False,
        ) -> AttemptResult:
            return AttemptResult(
                started_at=started_at,
                duration=timedelta(seconds=time.monotonic() - started),
                http_status=http_status,
                error=error,
                response_excerpt=response_excerpt,
                timed_out=timed_out,
            )

        try:
            # Each step is cut at the timeout, the lookup too: a pass stays within its lease.
            async with asyncio.timeout(self._timeout):
                verdict = await ssrf.check(endpoint.url, self._settings, self._resolver)
        except TimeoutError:
            return result(error=f"name lookup timed out after {self._timeout:g} s", timed_out=True)
        if verdict.refusal:
            return result(error=verdict.refusal)
        body = orjson.dumps(delivery.event.payload).decode()
        if secrets is None:
            return result(error="The signing secret cannot be decrypted: rotate the secret.")
        headers = signing.headers(
            message_id=str(delivery.event_id), timestamp=started_at, body=body, secrets=secrets
        )
        try:
            # httpx's timeout bounds each read and write; this bounds the whole request, so
            # a receiver trickling its answer a byte at a time is cut off too.
            async with asyncio.timeout(self._timeout):
                with pinning.pinned(endpoint.url, verdict.addresses):
                    async with self._client.stream(
                        "POST", endpoint.url, content=body, headers=headers
                    ) as response:
                        excerpt = await _first_bytes(response, EXCERPT_BYTES)
        except (httpx.TimeoutException, TimeoutError):
            return result(error=f"timed out after {self._timeout:g} s", timed_out=True)
        except httpx.HTTPError as failure:
            return result(error=f"{type(failure).__name__}: {failure}")
        return result(
            http_status=response.status_code,
            response_excerpt=excerpt.decode("utf-8", errors="replace"),
        )

    def _signing_secrets(self, endpoint: WebhookEndpoint) -> list[str] | None:
        """The secrets that sign now (two during a rotation's overlap); None when no key
        of SECRET_KEYS decrypts them."""
        try:
            secrets = [signing.unseal(endpoint.secret_encrypted, self._settings)]
            overlap_until = endpoint.previous_secret_expires_at
            if (
                endpoint.previous_secret_encrypted
                and overlap_until
                and overlap_until > self._clock()
            ):
                secrets.append(signing.unseal(endpoint.previous_secret_encrypted, self._settings))
        except signing.UnreadableSecretError:
            return None
        return secrets


async def _first_bytes(response: httpx.Response, limit: int) -> bytes:
    # Only the start is kept for the log: a huge or endless body is not read to its end.
    kept = b""
    async for chunk in response.aiter_raw():
        kept += chunk
        if len(kept) >= limit:
            break
    return kept[:limit]
