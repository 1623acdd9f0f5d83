"""Delivers webhook events over HTTP: lease due deliveries, sign, POST, record the outcome.

Run by the worker (backend/worker.py) and, like the email sender, in the app process when
RUN_OUTBOX_SENDER is on. One `httpx.AsyncClient` is kept for the sender's life (its
connection pool), and each pass sends its deliveries concurrently."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

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
    ) -> None:
        self._settings = settings
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._timeout = timeout_seconds
        # A lease outlives any one request, so no other worker takes a delivery whose
        # request is still in flight.
        self._lease = timedelta(seconds=timeout_seconds * 3)
        self._stop = asyncio.Event()
        self._resolver = resolver
        # Our transport connects only to the addresses the SSRF check approved. (Being a
        # transport of our own, it also ignores HTTP(S)_PROXY: a proxy would make its own
        # lookup, unchecked.)
        self._client = httpx.AsyncClient(
            timeout=timeout_seconds,
            follow_redirects=False,
            headers={"user-agent": USER_AGENT},
            transport=pinning.pinned_transport(resolver=resolver),
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
            limit=self._batch_size, lease=self._lease, now=self._clock()
        )
        results = await asyncio.gather(*(self._attempt(delivery) for delivery in deliveries))
        now = self._clock()
        # Successes are written together (a few statements a pass); failures one by one,
        # each with its own retry time and endpoint bookkeeping.
        delivered = [(d, r) for d, r in zip(deliveries, results, strict=True) if r.succeeded]
        await record_delivered(delivered, now=now)
        for delivery, result in zip(deliveries, results, strict=True):
            if not result.succeeded:
                await record_attempt(delivery, result, now=now, settings=self._settings)
        return len(deliveries)

    async def _attempt(self, delivery: WebhookDelivery) -> AttemptResult:
        endpoint = delivery.endpoint
        started_at = self._clock()
        started = time.monotonic()

        def result(
            *,
            http_status: int | None = None,
            error: str | None = None,
            response_excerpt: str | None = None,
        ) -> AttemptResult:
            return AttemptResult(
                started_at=started_at,
                duration=timedelta(seconds=time.monotonic() - started),
                http_status=http_status,
                error=error,
                response_excerpt=response_excerpt,
            )

        verdict = await ssrf.check(endpoint.url, self._settings, self._resolver)
        if verdict.refusal:
            return result(error=verdict.refusal)
        body = orjson.dumps(delivery.event.payload).decode()
        try:
            secrets = self._signing_secrets(endpoint, started_at)
        except signing.UnreadableSecretError:
            return result(error="The signing secret cannot be decrypted: rotate the secret.")
        headers = signing.headers(
            message_id=str(delivery.event_id), timestamp=started_at, body=body, secrets=secrets
        )
        try:
            with pinning.pinned(endpoint.url, verdict.addresses):
                async with self._client.stream(
                    "POST", endpoint.url, content=body, headers=headers
                ) as response:
                    excerpt = await _first_bytes(response, EXCERPT_BYTES)
        except httpx.TimeoutException:
            return result(error=f"timed out after {self._timeout:g} s")
        except httpx.HTTPError as failure:
            return result(error=f"{type(failure).__name__}: {failure}")
        return result(
            http_status=response.status_code,
            response_excerpt=excerpt.decode("utf-8", errors="replace"),
        )

    def _signing_secrets(self, endpoint: WebhookEndpoint, now: datetime) -> list[str]:
        secrets = [signing.unseal(endpoint.secret_encrypted, self._settings)]
        overlap_until = endpoint.previous_secret_expires_at
        if endpoint.previous_secret_encrypted and overlap_until and overlap_until > now:
            secrets.append(signing.unseal(endpoint.previous_secret_encrypted, self._settings))
        return secrets


async def _first_bytes(response: httpx.Response, limit: int) -> bytes:
    # Only the start is kept for the log: a huge or endless body is not read to its end.
    kept = b""
    async for chunk in response.aiter_raw():
        kept += chunk
        if len(kept) >= limit:
            break
    return kept[:limit]
