"""A fixed-rate background load (open loop), for B5's second measurement: requests start
on a schedule whatever the answers take, so the server is busy at a known fraction of its
capacity instead of saturated as under wrk. Latency is measured from each request's
scheduled start, so a server that falls behind shows it (no coordinated omission)."""

import asyncio
import statistics
import threading
import time

import httpx

from bench.wrk_load import LoadError, LoadResult


def run_fixed_rate(
    url: str, body: bytes, *, token: str, rate: float, duration_s: float
) -> LoadResult:
    """POST `body` to `url` `rate` times a second for `duration_s` seconds."""
    return asyncio.run(_run(url, body, token, rate, duration_s))


class BackgroundLoad:
    """run_fixed_rate in a thread: `start()`, do the measured work, then `stop()` for the
    load's figures."""

    def __init__(self, url: str, body: bytes, *, token: str, rate: float, duration_s: float):
        self._result: LoadResult | None = None
        self._thread = threading.Thread(
            target=self._run, args=(url, body, token, rate, duration_s), daemon=True
        )

    def _run(self, url: str, body: bytes, token: str, rate: float, duration_s: float) -> None:
        self._result = run_fixed_rate(url, body, token=token, rate=rate, duration_s=duration_s)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> LoadResult:
        self._thread.join()
        if self._result is None:
            raise LoadError("the fixed-rate load did not finish")
        return self._result


async def _run(url: str, body: bytes, token: str, rate: float, duration_s: float) -> LoadResult:
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=10, limits=limits) as client:

        async def one(scheduled: float) -> None:
            nonlocal failures
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                response = await client.post(url, content=body, headers=headers)
                ok = response.status_code == 200 and b'"errors"' not in response.content
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append((time.perf_counter() - scheduled) * 1000)
            else:
                failures += 1

        started = time.perf_counter()
        count = int(rate * duration_s)
        await asyncio.gather(*(one(started + index / rate) for index in range(count)))
        elapsed = time.perf_counter() - started
    if failures or not latencies:
        raise LoadError(f"{url}: {failures} failed requests of {count} at {rate:.0f} req/s")
    ordered = sorted(latencies)
    return LoadResult(
        rps=len(latencies) / elapsed,
        p50_ms=statistics.median(ordered),
        p90_ms=ordered[int(0.90 * (len(ordered) - 1))],
        p99_ms=ordered[int(0.99 * (len(ordered) - 1))],
        max_ms=ordered[-1],
        requests=len(latencies),
        duration_s=elapsed,
        errors=0,
        non_2xx=0,
    )
