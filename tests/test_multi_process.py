"""The production shape on one machine: two `serve` processes and one `worker` on
PostgreSQL, mail to a real SMTP server (aiosmtpd). A staff member is created through one
process and activates through the other; the worker delivers the email once; both
processes are ready, export metrics and log JSON lines carrying the request ids."""

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.mail.dev_mailbox import DevMailbox
from tests import databases, secret_watch
from tests.api.conftest import ADMIN_PASSWORD
from tests.live_server import ROOT, free_port, wait_until_up
from tests.pins import OWNER_PIN, STAFF_PIN

NEW_PASSWORD = "Juniper-Harbor-6640"
GIVEN_PASSWORD = "Granite-Willow-5512"
CREATE = """mutation($i: StaffCreateInput!) { staffCreate(input: $i) {
  staffMember { id status } userErrors { code message } } }"""
ACTIVATE = """mutation($i: AccountActivateInput!) { accountActivate(input: $i) {
  account { status } userErrors { code message } } }"""


@pytest.fixture
def postgres_database() -> Iterator[str]:
    databases.require_postgres()
    url = databases.create_postgres_database()
    yield url
    databases.drop_postgres_database(url)


def _environment(database_url: str, mailbox: DevMailbox, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "APP_ENV": "test",
        "PASSWORD_HASH_PROFILE": "fast",
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "SMTP_HOST": mailbox.host,
        "SMTP_PORT": str(mailbox.port),
        "RUN_OUTBOX_SENDER": "false",
        "MIGRATE_ON_START": "false",
        "MAIL_POLL_SECONDS": "0.1",
        "LOG_FORMAT": "json",
    }


@contextmanager
def _process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    secret_watch.watch_log_file(log)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=20)


def _call(http: httpx.Client, query: str, variables: dict[str, Any], **headers: str) -> Any:
    response = http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _json_lines(log: Path) -> list[dict[str, Any]]:
    lines = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_two_app_processes_and_a_worker(postgres_database: str, tmp_path: Path) -> None:
    mailbox = DevMailbox()
    mailbox.start()
    try:
        ports = [free_port(), free_port()]
        env_a, env_b = (_environment(postgres_database, mailbox, port) for port in ports)
        created = subprocess.run(
            [
                sys.executable, "-m", "backend.cli", "create-practice", "--name", "Two Rivers",
                "--provider-first-name", "Hannah", "--provider-last-name", "Provider",
                "--owner-first-name", "Olivia", "--owner-last-name", "Owner",
                "--owner-username", "owner", "--owner-email", "owner@example.com",
                "--owner-password-stdin", "--owner-pin-stdin",
            ],
            cwd=ROOT, env=env_a, input=f"{ADMIN_PASSWORD}\n{OWNER_PIN}\n", text=True,
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        logs = [tmp_path / "a.log", tmp_path / "b.log", tmp_path / "worker.log"]
        with ExitStack() as stack:
            a = stack.enter_context(_process(["serve"], env_a, logs[0]))
            b = stack.enter_context(_process(["serve"], env_b, logs[1]))
            stack.enter_context(_process(["worker"], env_a, logs[2]))
            base_a, base_b = (f"http://127.0.0.1:{port}" for port in ports)
            wait_until_up(base_a, a, logs[0], probe="/readyz")
            wait_until_up(base_b, b, logs[1], probe="/readyz")
            assert "graphql_requests_total" in httpx.get(f"{base_b}/metrics").text

            with httpx.Client(base_url=base_a, timeout=15) as http:
                login = _call(
                    http,
                    "mutation($i: LoginInput!) { login(input: $i) { token } }",
                    {"i": {"username": "owner", "password": ADMIN_PASSWORD, "session": "BEARER"}},
                )
                token = login["login"]["token"]
                secret_watch.remember(token)
                http.headers["authorization"] = f"Bearer {token}"
                refs = _call(http, "{ roles { id name } providers { id } }", {})
                nurse = next(r["id"] for r in refs["roles"] if r["name"] == "Nurse (System)")
                staff = _call(
                    http,
                    CREATE,
                    {
                        "i": {
                            "firstName": "Nora", "lastName": "Newcomer",
                            "primaryProviderId": refs["providers"][0]["id"], "roleId": nurse,
                            "username": "nnewcomer", "email": "nora@example.com",
                            "password": GIVEN_PASSWORD, "passwordConfirmation": GIVEN_PASSWORD,
                            "appUnlockPin": STAFF_PIN,
                        }
                    },
                    **{"x-request-id": "multi-process-create-1"},
                )["staffCreate"]  # fmt: skip
                assert staff["userErrors"] == [] and staff["staffMember"]["status"] == "PENDING"

            # Only the worker sends mail: the app processes run no outbox sender.
            deadline = time.monotonic() + 20
            while not mailbox.messages() and time.monotonic() < deadline:
                time.sleep(0.1)
            [message] = mailbox.messages()
            match = re.search(r"#token=([A-Za-z0-9_-]+)", message.text)
            assert match, message.text
            secret_watch.remember(match.group(1))

            with httpx.Client(base_url=base_b, timeout=15) as http:
                activated = _call(
                    http,
                    ACTIVATE,
                    {
                        "i": {
                            "token": match.group(1), "username": "nnewcomer",
                            "password": GIVEN_PASSWORD, "newPassword": NEW_PASSWORD,
                            "newPasswordConfirmation": NEW_PASSWORD,
                        }
                    },
                )["accountActivate"]  # fmt: skip
            assert activated == {"account": {"status": "ACTIVE"}, "userErrors": []}
            time.sleep(1)  # a second delivery would have come by now
            assert len(mailbox.messages()) == 1
        a_lines = _json_lines(logs[0])
        assert a_lines, logs[0].read_text()
        # The X-Request-ID sent is kept, and every line of that request carries it.
        create_lines = [
            line for line in a_lines if line.get("request_id") == "multi-process-create-1"
        ]
        assert create_lines and all(line["level"] for line in create_lines)
        assert _json_lines(logs[1]) and _json_lines(logs[2])
    finally:
        mailbox.stop()
