"""Forgot password: an unknown and a known username must get byte-identical answers in the
same time. Starts one server process of ours (production-like settings) on a small
PostgreSQL database it makes, sends 50 passwordResetRequest for an unknown and 50 for a
known username, interleaved (so background work of one request weighs on both kinds alike),
and compares the medians (target: within 10 %). Requests are 100 ms apart, so that the
email a known request queues after its answer is not charged to the next request.

The per-account and per-address limits are raised for the run, so that every known request
does its full work (a link and an email) instead of being answered from the limit."""

import argparse
import asyncio
import statistics
import sys
import time

import httpx

from backend.db import close_database, open_database
from bench.data.small_practice import fast_settings, owned_practice, recreate_database
from bench.servers import serve

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/staff_bench_reset"
PORT = 8312
REQUESTS = 50
WARM_UP = 10
PAUSE_S = 0.1
FORGOT = (
    "mutation Forgot($input: PasswordResetRequestInput!) "
    "{ passwordResetRequest(input: $input) { ok userErrors { code } } }"
)


async def make_database(database_url: str) -> None:
    await recreate_database(database_url)
    await open_database(database_url)
    try:
        await owned_practice(
            "Reset Clinic",
            owner_email="owner@reset.example",
            owner_password="Reset-Bench-Admin-2026",
            settings=fast_settings(database_url),
        )
    finally:
        await close_database()


def one(client: httpx.Client, url: str, name: str) -> tuple[float, bytes]:
    body = {"query": FORGOT, "variables": {"input": {"usernameOrEmail": name}}}
    started = time.perf_counter()
    response = client.post(url, json=body)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.text
    return elapsed, response.content


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    args = parser.parse_args(argv)
    asyncio.run(make_database(args.database_url))
    base = f"http://127.0.0.1:{PORT}"
    env = {
        "DATABASE_URL": args.database_url,
        "PORT": str(PORT),
        "APP_ENV": "development",
        "MIGRATE_ON_START": "false",
        "RUN_OUTBOX_SENDER": "false",
        "PASSWORD_RESET_LIMIT_PER_HOUR": "100000",
        "PASSWORD_RESET_IP_LIMIT_PER_HOUR": "100000",
    }
    timings: dict[str, list[float]] = {"unknown": [], "known": []}
    bodies: dict[str, set[bytes]] = {"unknown": set(), "known": set()}
    names = {"unknown": "nobody-at-all", "known": "owner"}
    with serve([sys.executable, "-m", "backend.cli", "serve"], base + "/healthz", env):
        url = base + "/graphql"
        with httpx.Client(timeout=30) as client:
            for _ in range(WARM_UP):
                for name in names.values():
                    one(client, url, name)
            for _ in range(REQUESTS):
                for kind, name in names.items():
                    # A pause, so that each request meets an idle server: the background
                    # delivery of a known request's email must not be charged to the next.
                    time.sleep(PAUSE_S)
                    elapsed, content = one(client, url, name)
                    timings[kind].append(elapsed)
                    bodies[kind].add(content)
    unknown = statistics.median(timings["unknown"])
    known = statistics.median(timings["known"])
    identical = len(bodies["unknown"] | bodies["known"]) == 1
    ratio = known / unknown
    print(f"passwordResetRequest, median of {REQUESTS} each (interleaved, after {WARM_UP} warm-up)")
    print(f"  unknown username: {unknown:.2f} ms (p90 {_p90(timings['unknown']):.2f} ms)")
    print(f"  known username:   {known:.2f} ms (p90 {_p90(timings['known']):.2f} ms)")
    print(f"  ratio known/unknown: {ratio:.3f}; bodies byte-identical: {identical}")
    met = identical and abs(ratio - 1) <= 0.10
    print(f"target (identical bodies, medians within 10 %): {'met' if met else 'NOT met'}")
    return 0 if met else 1


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


if __name__ == "__main__":
    sys.exit(main())
