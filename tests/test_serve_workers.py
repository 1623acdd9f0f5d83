"""`serve --workers 2`: two processes share the port and the hashing cores, and /metrics
answers for both whichever of them the scrape reaches (prometheus_client's multiprocess
mode)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from backend.db import apply_migrations
from tests.live_server import ROOT, free_port, wait_until_up

REQUESTS = 40


def _counted(metrics: str) -> float:
    pattern = r'^staff_accounts_graphql_requests_total\{operation="anonymous"\} (\S+)$'
    match = re.search(pattern, metrics, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def test_two_workers_count_their_requests_together(tmp_path: Path) -> None:
    database = f"sqlite://{tmp_path / 'workers.sqlite3'}"
    await apply_migrations(database)
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "test",
        "PASSWORD_HASH_PROFILE": "fast",
        "DATABASE_URL": database,
        "PORT": str(port),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(free_port()),
        "RUN_OUTBOX_SENDER": "false",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server, log, probe="/readyz")
        for _ in range(REQUESTS):
            # A new connection each time, so both workers get some of them.
            httpx.post(f"{base}/graphql", json={"query": "{ __typename }"}, timeout=5)
        scrapes = [_counted(httpx.get(f"{base}/metrics", timeout=5).text) for _ in range(6)]
        # Whichever worker answers the scrape, it counts the requests of both.
        assert scrapes == [REQUESTS] * 6, scrapes
        # The counts came from two processes' files.
        files = [f for f in os.listdir(tmp_path / "metrics") if f.startswith("counter_")]
        assert len(files) >= 2, files
    finally:
        server.terminate()
        server.wait(timeout=20)
