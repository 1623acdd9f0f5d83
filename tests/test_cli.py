"""The real `staff-accounts` command in a child process: the owner's PIN kept off the
command line, and rotate-keys reporting what still needs an older key."""

import argparse
import asyncio
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from backend.cli import PIN_ARGUMENT_WARNING, _owner_secrets, _parser
from backend.config import Settings
from backend.services import keys
from backend.services.pin_hash import verify_pin
from backend.services.secrets import verify_secret
from tests import secret_watch

COMMAND = Path(sys.executable).parent / "staff-accounts"
OWNER_PASSWORD = "Quartz-Meadow-8261"
OWNER_PIN, ARGUMENT_PIN = "0736", "0629"
secret_watch.remember(OWNER_PASSWORD)
secret_watch.remember_pin(OWNER_PIN, ARGUMENT_PIN)
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
PRACTICE = [
    "create-practice",
    "--name=Harbor Clinic",
    "--provider-first-name=Hannah",
    "--provider-last-name=Provider",
    "--owner-first-name=Olivia",
    "--owner-last-name=Owner",
    "--owner-username=owner",
    "--owner-email=owner@example.com",
]


def run(
    database: Path, *args: str, stdin: str = "", secret_keys: str = OLD
) -> subprocess.CompletedProcess[str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"SECRET_KEYS", "TWO_FACTOR_KEY", "DATABASE_URL"}
    }
    env.update(
        APP_ENV="test",
        PASSWORD_HASH_PROFILE="fast",
        MIGRATE_ON_START="true",
        DATABASE_URL=f"sqlite://{database}",
        SECRET_KEYS=secret_keys,
    )
    return subprocess.run(
        [str(COMMAND), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=database.parent,
        timeout=60,
        check=False,
    )


def owner_hashes(database: Path) -> tuple[str, str]:
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT password_hash, pin_hash FROM staff_member WHERE username_key = 'owner'"
        ).fetchone()
    return row[0], row[1]


def settings(*secret_keys: str) -> Settings:
    return Settings(environment="test", password_hash_profile="fast", secret_keys=secret_keys)


def test_create_practice_reads_password_and_pin_from_stdin(tmp_path: Path) -> None:
    database = tmp_path / "staff.sqlite3"
    done = run(
        database,
        *PRACTICE,
        "--owner-password-stdin",
        "--owner-pin-stdin",
        stdin=f"{OWNER_PASSWORD}\n{OWNER_PIN}\n",
    )

    assert done.returncode == 0, done.stderr
    assert "created practice 'Harbor Clinic' with owner 'owner'" in done.stdout
    assert "warning" not in done.stderr
    output = done.stdout + done.stderr
    assert OWNER_PIN not in output and OWNER_PASSWORD not in output
    password_hash, pin_hash = owner_hashes(database)
    assert asyncio.run(verify_secret(password_hash, OWNER_PASSWORD, settings(OLD)))
    assert pin_hash.startswith("pin-hmac-sha256$") and OWNER_PIN not in pin_hash
    assert asyncio.run(verify_pin(pin_hash, OWNER_PIN, settings(OLD))).matched


def test_a_pin_on_the_command_line_still_works_with_a_warning(tmp_path: Path) -> None:
    database = tmp_path / "staff.sqlite3"
    done = run(
        database,
        *PRACTICE,
        "--owner-password-stdin",
        f"--owner-pin={ARGUMENT_PIN}",
        stdin=f"{OWNER_PASSWORD}\n",
    )

    assert done.returncode == 0, done.stderr
    assert PIN_ARGUMENT_WARNING in done.stderr
    assert "ps, shell history" in done.stderr and ARGUMENT_PIN not in done.stderr
    _, pin_hash = owner_hashes(database)
    assert asyncio.run(verify_pin(pin_hash, ARGUMENT_PIN, settings(OLD))).matched


def test_a_missing_pin_line_is_refused_like_any_bad_input(tmp_path: Path) -> None:
    done = run(
        tmp_path / "staff.sqlite3",
        *PRACTICE,
        "--owner-password-stdin",
        "--owner-pin-stdin",
        stdin=f"{OWNER_PASSWORD}\n",  # no second line
    )

    assert done.returncode == 1
    assert "error: appUnlockPin: Enter a 4-digit PIN." in done.stderr


def test_pin_from_stdin_and_as_argument_cannot_be_combined() -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args([*PRACTICE, "--owner-pin-stdin", f"--owner-pin={ARGUMENT_PIN}"])


@pytest.mark.parametrize(
    ("flags", "lines", "expected", "prompts"),
    [
        ([], [], ("typed password", "typed pin"), ["Owner password: ", "Owner app unlock"]),
        (["--owner-pin-stdin"], [f"{OWNER_PIN}\n"], ("typed password", OWNER_PIN), ["Owner p"]),
        (
            ["--owner-password-stdin"],
            [f"{OWNER_PASSWORD}\r\n"],
            (OWNER_PASSWORD, "typed pin"),
            ["Owner app"],
        ),
    ],
)
def test_whatever_is_not_on_stdin_is_prompted_for(
    flags: list[str], lines: list[str], expected: tuple[str, str], prompts: list[str]
) -> None:
    args: argparse.Namespace = _parser().parse_args([*PRACTICE, *flags])
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return "typed password" if text == "Owner password: " else "typed pin"

    lines_left = list(lines)
    secrets = _owner_secrets(args, read_line=lambda: lines_left.pop(0), prompt=prompt)

    assert secrets == expected
    assert len(asked) == len(prompts)
    assert all(text.startswith(start) for text, start in zip(asked, prompts, strict=True))


def test_rotate_keys_reports_pins_that_still_need_the_older_key(tmp_path: Path) -> None:
    database = tmp_path / "staff.sqlite3"
    created = run(
        database,
        *PRACTICE,
        "--owner-password-stdin",
        "--owner-pin-stdin",
        stdin=f"{OWNER_PASSWORD}\n{OWNER_PIN}\n",
    )
    assert created.returncode == 0, created.stderr
    new_id, old_id = keys.key_ids(settings(NEW, OLD))

    rotated = run(database, "rotate-keys", secret_keys=f"{NEW},{OLD}")

    assert rotated.returncode == 0, rotated.stderr
    lines = rotated.stdout.splitlines()
    assert (
        f"re-encrypted with the newest key (id {new_id}): 0 TOTP secrets, 0 queued emails,"
        " 0 webhook signing secrets" in lines
    )
    assert any(
        line.strip().startswith(f"1 PIN hashes with older key 2 (id {old_id})") for line in lines
    )
    assert lines[-1].startswith("keep the older keys")
    assert OLD not in rotated.stdout and NEW not in rotated.stdout

    # Once only the new key is left, the owner's PIN has no key: the report says so.
    dropped = run(database, "rotate-keys", secret_keys=NEW)
    assert "1 PIN hashes match no configured key" in dropped.stdout
    assert dropped.stdout.splitlines()[-1] == "one key is configured: nothing to drop"


def _worker_check(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "APP_ENV": "test", "SMTP_HOST": "127.0.0.1"}
    env["DATABASE_URL"] = database_url
    return subprocess.run(
        [str(COMMAND), "worker", "--check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_worker_check_passes_when_the_database_answers(tmp_path: Path) -> None:
    result = _worker_check(f"sqlite://{tmp_path / 'worker.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert "database reachable" in result.stdout


def test_worker_check_fails_in_one_line_when_the_database_is_down() -> None:
    # Port 1 on the loopback: nothing listens, the connection is refused at once.
    result = _worker_check("postgres://staff:staff@127.0.0.1:1/staff")
    assert result.returncode == 1
    assert "worker check failed:" in result.stderr
    assert "Traceback" not in result.stderr


def test_api_client_create_prints_the_secret_once_and_stores_its_hash(tmp_path: Path) -> None:
    database = tmp_path / "staff.sqlite3"
    practice = run(
        database,
        *PRACTICE,
        "--owner-password-stdin",
        "--owner-pin-stdin",
        stdin=f"{OWNER_PASSWORD}\n{OWNER_PIN}\n",
    )
    assert practice.returncode == 0, practice.stderr
    done = run(
        database,
        "api-client",
        "create",
        "--practice=Harbor Clinic",
        "--name=Workday HR sync",
        "--scope=staff:write",
        "--scope=staff:read",
        "--expires-in-days=30",
    )

    assert done.returncode == 0, done.stderr
    secret = done.stdout.strip()
    secret_watch.remember(secret)
    assert re.fullmatch(r"sa_live_[A-Za-z0-9_-]{43}", secret)
    assert "'Workday HR sync' (staff:read, staff:write)" in done.stderr
    assert secret not in done.stderr
    with sqlite3.connect(database) as connection:
        name, scopes, created_by, expires_at = connection.execute(
            "SELECT name, scopes, created_by_id, expires_at FROM api_client"
        ).fetchone()
        (stored,) = connection.execute("SELECT secret_hash FROM api_client_secret").fetchone()
        (audited,) = connection.execute(
            "SELECT details FROM audit_event WHERE action = 'api_client.create'"
        ).fetchone()
    assert (name, created_by) == ("Workday HR sync", None) and expires_at
    assert json.loads(scopes) == ["staff:read", "staff:write"]
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    assert json.loads(audited)["via"] == "cli" and secret not in audited


def test_api_client_create_refuses_an_unknown_practice_or_scope(tmp_path: Path) -> None:
    database = tmp_path / "staff.sqlite3"
    unknown = run(
        database, "api-client", "create", "--practice=Nowhere", "--name=x", "--scope=scim"
    )
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert "error: practice: There is no such practice." in unknown.stderr
    bad_scope = run(
        database, "api-client", "create", "--practice=Nowhere", "--name=x", "--scope=admin"
    )
    assert bad_scope.returncode == 2 and "invalid choice: 'admin'" in bad_scope.stderr
