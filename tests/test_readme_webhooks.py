"""The README's webhook walk-through ("Webhooks", "Try it"), run as written: its shell
blocks, in order, in bash, against a live server (`serve --demo` on a real socket) that
delivers itself: an endpoint registered, the example receiver verifying each delivery
with `standardwebhooks`, a create retried under one Idempotency-Key (one person, one
email), a deactivation, then an outage that the retry outlasts, seen in the delivery log."""

import json
import re
import socket
from pathlib import Path

from tests.readme_blocks import run_blocks, section_blocks


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_the_webhook_blocks_run_against_a_live_server(tmp_path: Path) -> None:
    port = str(_free_port())
    edit = {"9009": port, "/tmp/": f"{tmp_path}/"}
    done = run_blocks(tmp_path, section_blocks("Webhooks"), edit=edit)
    assert done.returncode == 0, done.stderr + done.stdout
    lines = done.stdout.splitlines()

    # The retried create answered the same person twice, and one email went out.
    creates = [line for line in lines if '"staffCreate"' in line]
    assert len(creates) == 2 and creates[0] == creates[1], creates
    assert '"username":"wlee","status":"PENDING"' in creates[0]
    assert "1" in lines and "2" not in lines

    # Every event the receiver printed verified, in order per person.
    received = [line for line in lines if line.startswith(("verified", "refused"))]
    assert sorted(received[:3]) == [
        "verified staff.activated wlee sequence 2",
        "verified staff.created wlee sequence 1",
        "verified staff.deactivated wlee sequence 3",
    ]
    assert received[3:] == ["verified staff.reactivated wlee sequence 4"]
    assert not any(line.startswith("refused") for line in received)

    # The delivery log: delivered at the second attempt, after a refused connection.
    log = json.loads(next(line for line in lines if line.startswith('{"event"')))
    assert log["event"]["type"] == "STAFF_REACTIVATED" and log["status"] == "DELIVERED"
    assert [attempt["httpStatus"] for attempt in log["attempts"]] == [None, 204]
    assert log["attempts"][0]["error"]
    assert not re.search(r"whsec_[A-Za-z0-9+/=]{20,}", done.stdout)  # the secret stays in the shell
