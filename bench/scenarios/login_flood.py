"""Sign-in flood: the staff page's latency while 100 clients send anonymous sign-ins as
fast as they are answered, against one server process of ours on PostgreSQL with the
production password hashing and the default hashing lanes (one anonymous worker on two
cores, four jobs waiting).

    .venv/bin/python -m bench.scenarios.login_flood [--database-url URL] [--seconds 10]

It makes its own small database (one practice, 300 staff), measures the staff page with
wrk (one connection: an administrator working the list) alone, then during a flood of
clients that wait Retry-After when refused (the target: p99 at most 2x, no TIMEOUT), then
during one of clients that ignore it (reported, no target: a request-rate attack, which a
proxy's rate limit answers). The flood's own client runs on the same two cores."""

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from backend.db import close_database, open_database
from backend.models import Provider, Role, StaffMember, StaffStatus
from backend.services.secrets import hash_secret
from bench.data.small_practice import fast_settings, owned_practice, recreate_database
from bench.queries import LOGIN, page_body
from bench.servers import serve
from bench.wrk_load import LoadResult, run_wrk

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/staff_bench_flood"
PORT = 8311
ADMIN_PASSWORD = "Flood-Bench-Admin-2026"
STAFF = 300
FLOOD_CLIENTS = 100
# The staff page as one administrator works it: requests one after the other.
CONNECTIONS = 1


async def make_database(database_url: str) -> None:
    await recreate_database(database_url)
    settings = fast_settings(database_url)
    await open_database(database_url)
    try:
        practice = await owned_practice(
            "Flood Clinic",
            owner_email="owner@flood.example",
            owner_password=ADMIN_PASSWORD,
            settings=settings,
        )
        role = await Role.get(is_system=True, name="Nurse (System)")
        provider = await Provider.get(practice_id=practice.id)
        # Hashes of the fast profile verify under the standard one (argon2 reads its
        # parameters from the hash); nobody signs in as these staff anyway.
        password_hash = await hash_secret("Flood-Bench-Staff-2026", settings)
        now = datetime.now(UTC)
        staff = [
            StaffMember(
                practice_id=practice.id,
                role_id=role.id,
                primary_provider_id=provider.id,
                first_name=f"First{i:03d}",
                last_name=f"Last{i:03d}",
                username=f"staff{i:03d}",
                username_key=f"staff{i:03d}",
                email=f"staff{i:03d}@flood.example",
                password_hash=password_hash,
                pin_hash=password_hash,
                status=StaffStatus.ACTIVE,
                activated_at=now,
                search_text=f"first{i:03d} last{i:03d}\nstaff{i:03d}\nstaff{i:03d}@flood.example",
            )
            for i in range(STAFF)
        ]
        await StaffMember.bulk_create(staff)
    finally:
        await close_database()


def sign_in(url: str) -> str:
    variables = {"input": {"username": "owner", "password": ADMIN_PASSWORD, "session": "BEARER"}}
    response = httpx.post(url, json={"query": LOGIN, "variables": variables}, timeout=30)
    token = response.json()["data"]["login"]["token"]
    assert token, response.text
    return str(token)


async def flood(url: str, seconds: float, clients: int, *, polite: bool) -> dict[str, Any]:
    """`clients` loops, each sending a sign-in with a wrong password as soon as the last
    was answered, for `seconds`; `polite` ones wait Retry-After (with jitter) when
    refused, as HTTP clients should."""
    outcomes: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:

        async def client(number: int) -> None:
            body = {
                "query": LOGIN,
                "variables": {"input": {"username": f"flood{number}", "password": "Wrong-0000-x"}},
            }
            while time.monotonic() < deadline:
                try:
                    response = await http.post(url, json=body)
                except httpx.TransportError as lost:
                    outcomes[f"connection error ({type(lost).__name__})"] += 1
                    continue
                codes = {
                    str((error.get("extensions") or {}).get("code"))
                    for error in response.json().get("errors") or []
                }
                outcomes[f"{response.status_code} {'+'.join(sorted(codes)) or 'answered'}"] += 1
                if polite and response.status_code == 429:
                    # As HTTP clients back off: Retry-After, with jitter so that a hundred
                    # refused at once do not all come back in the same millisecond.
                    wait = float(response.headers.get("retry-after", "1"))
                    await asyncio.sleep(wait * random.uniform(1, 2))

        await asyncio.gather(*(client(n) for n in range(clients)))
    return {"seconds": seconds, "outcomes": dict(outcomes)}


def measure(url: str, token: str, seconds: int) -> LoadResult:
    return run_wrk(
        url, page_body(), token=token, connections=CONNECTIONS, threads=1, duration_s=seconds
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--seconds", type=int, default=20)
    # The flood process:
    parser.add_argument("--flood", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--impolite", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.flood:
        result = flood(args.flood, args.seconds, FLOOD_CLIENTS, polite=not args.impolite)
        print(json.dumps(asyncio.run(result)))
        return 0

    asyncio.run(make_database(args.database_url))
    base = f"http://127.0.0.1:{PORT}"
    env = {
        "DATABASE_URL": args.database_url,
        "PORT": str(PORT),
        "APP_ENV": "development",
        "MIGRATE_ON_START": "false",
        "RUN_OUTBOX_SENDER": "false",
    }
    cmd = [sys.executable, "-m", "backend.cli", "serve"]
    with serve(cmd, base + "/healthz", env):
        url = base + "/graphql"
        token = sign_in(url)
        quiet = measure(url, token, args.seconds)
        polite = during_flood(url, token, args.seconds, polite=True)
        impolite = during_flood(url, token, args.seconds, polite=False)
    report("staff page alone", quiet)
    met = True
    for name, (loud, outcomes) in (
        ("honouring Retry-After (the target)", polite),
        ("ignoring Retry-After (reported, no target)", impolite),
    ):
        ratio = loud.p99_ms / quiet.p99_ms
        timeouts = sum(n for outcome, n in outcomes.items() if "TIMEOUT" in outcome)
        print(f"\nflood of {FLOOD_CLIENTS} clients {name}:")
        report("  staff page during it", loud)
        print(f"  p99 ratio {ratio:.2f}; TIMEOUT {timeouts}")
        for outcome, count in sorted(outcomes.items(), key=lambda item: -item[1]):
            print(f"  {count:7d}  {outcome}")
        if "target" in name and "no target" not in name:
            met = ratio <= 2 and timeouts == 0
    print(
        f"\ntarget (p99 at most 2x, 0 TIMEOUT while clients honour Retry-After): "
        f"{'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


def during_flood(
    url: str, token: str, seconds: int, *, polite: bool
) -> tuple[LoadResult, dict[str, int]]:
    command = [sys.executable, "-m", "bench.scenarios.login_flood", "--flood", url]
    command += ["--seconds", str(seconds + 4)] + ([] if polite else ["--impolite"])
    flooding = subprocess.Popen(command, stdout=subprocess.PIPE)
    time.sleep(2)  # the flood at full strength before measuring
    loud = measure(url, token, seconds)
    out, _ = flooding.communicate(timeout=seconds + 60)
    outcomes: dict[str, int] = orjson.loads(out)["outcomes"]
    return loud, outcomes


def report(name: str, result: LoadResult) -> None:
    print(f"{name}: p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, {result.rps:.0f} req/s")


if __name__ == "__main__":
    raise SystemExit(main())
