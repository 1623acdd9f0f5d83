"""`staff-accounts worker` in a real process: SIGTERM while it sends to a slow SMTP server
ends it with exit code 0 within seconds, the message in flight sent, the rest released
for another worker, nothing sent twice. Its log is JSON lines."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from backend.models import OutboxMessage, OutboxStatus, Plan, Practice
from tests.mail.factories import mail_settings, queue_activation
from tests.mail.smtp_servers import PickyServer, running

ROOT = Path(__file__).resolve().parent.parent
QUEUED = 12
STOP_WITHIN_SECONDS = 5.0


class SlowServer(PickyServer):
    """Takes a while over each message, so that SIGTERM finds the worker mid-batch."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.3)
        return await super().handle_DATA(server, session, envelope)


async def test_sigterm_finishes_the_message_in_flight_and_exits_0(db: str) -> None:
    server = SlowServer()
    with running(server) as port:
        settings = mail_settings("127.0.0.1", port)
        practice = await Practice.create(name="Riverside Family Practice", plan=Plan.INVOICED)
        for number in range(QUEUED):
            await queue_activation(
                practice,
                settings=settings,
                recipient=f"person{number}@example.com",
                token=f"tok-{number}",
            )
        env = {
            **os.environ,
            "APP_ENV": "test",
            "DATABASE_URL": db,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
            "MAIL_POLL_SECONDS": "0.1",
            "LOG_FORMAT": "json",
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while len(server.delivered) < 2:
                assert worker.poll() is None, worker.communicate()
                assert time.monotonic() < deadline, "the worker sent nothing"
                await asyncio.sleep(0.05)
            worker.send_signal(signal.SIGTERM)
            stopped_at = time.monotonic()
            _, log = await asyncio.to_thread(worker.communicate, timeout=STOP_WITHIN_SECONDS + 5)
            stop_seconds = time.monotonic() - stopped_at
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        delivered = list(server.delivered)

    assert worker.returncode == 0, log
    assert stop_seconds < STOP_WITHIN_SECONDS
    rows = await OutboxMessage.all()
    assert [row.id for row in rows if row.claimed_until is not None] == []
    sent = sorted(row.recipient for row in rows if row.status is OutboxStatus.SENT)
    assert sorted(delivered) == sent and len(set(delivered)) == len(delivered)
    # It stopped mid-batch: some were left for another worker, none of them claimed.
    assert 2 <= len(sent) < QUEUED
    records = [json.loads(line) for line in log.splitlines()]
    messages = [record["message"] for record in records]
    assert "outbox sender stopped" in messages
    assert not any("@example.com" in line for line in log.splitlines())
