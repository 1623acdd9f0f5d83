"""The deployment files promise what the code can do: Docker cannot run here, so check
docker-compose.yml, the Dockerfile, the Makefile, .ci/run and the README against the CLI
parser and the settings loader."""

import argparse
import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from backend import config
from backend.cli import _parser

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("app", "migrate", "worker")


class RecordingEnviron(Mapping[str, str]):
    """An environment that remembers every name read from it."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.read.add(name)
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


TEST_FERNET_KEY = "q5jX1ZsQ0F8c1Vn2sQ9Zq7sXk8bYv3mJp0Wc4Rt6Uy8="


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _services() -> dict[str, Any]:
    services = _compose()["services"]
    assert isinstance(services, dict)
    return services


def _environment(service: Mapping[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the ["NAME=value", ...] form
        env = dict(item.split("=", 1) for item in env)
    assert all(isinstance(value, str) for value in env.values()), (
        f"quote compose values so they reach the app as strings: {env}"
    )
    return dict(env)


def _command(service: Mapping[str, Any]) -> list[str]:
    command = service.get("command")
    if command is None:
        return _dockerfile_cmd()
    return shlex.split(command) if isinstance(command, str) else list(command)


def _dockerfile_lines() -> list[str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _dockerfile_cmd() -> list[str]:
    commands = [line for line in _dockerfile_lines() if line.upper().startswith("CMD ")]
    assert len(commands) == 1, commands
    cmd = json.loads(commands[0][4:])  # exec form, so that signals reach the process
    assert isinstance(cmd, list)
    return [str(part) for part in cmd]


def _dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in _dockerfile_lines():
        if line.upper().startswith("ENV "):
            for pair in shlex.split(line[4:]):
                name, _, value = pair.partition("=")
                env[name] = value
    return env


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    for action in _parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the CLI parser has no subcommands")


def _settings_names_in_source() -> set[str]:
    """Names that backend/config.py reads: string arguments of get(...)/getenv(...) calls
    and of environ[...] lookups."""
    tree = ast.parse(Path(config.__file__).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        argument: ast.expr | None = None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if called in {"get", "getenv"}:
                argument = node.args[0]
        elif isinstance(node, ast.Subscript):
            argument = node.slice
        if (
            isinstance(argument, ast.Constant)
            and isinstance(argument.value, str)
            and re.fullmatch(r"[A-Z][A-Z0-9_]*", argument.value)
        ):
            names.add(argument.value)
    return names


def _settings_names_read() -> set[str]:
    recording = RecordingEnviron({})
    config.load_settings(recording)
    return recording.read


def test_settings_names_are_found_both_ways() -> None:
    from_source = _settings_names_in_source()
    assert {"DATABASE_URL", "APP_ENV", "SMTP_HOST", "PUBLIC_BASE_URL"} <= from_source
    assert _settings_names_read() == from_source


def test_compose_has_the_production_services() -> None:
    services = _services()
    assert set(services) >= {"app", "migrate", "worker", "db", "mailpit"}
    assert str(services["db"]["image"]).startswith("postgres:16")
    assert str(services["mailpit"]["image"]).startswith("axllent/mailpit")
    assert "pgdata" in (_compose().get("volumes") or {})
    assert any(str(v).startswith("pgdata:") for v in services["db"]["volumes"])


def test_compose_file_follows_the_compose_specification() -> None:
    # check-jsonschema vendors the Compose Specification's JSON schema (no download).
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_app_migrate_and_worker_share_one_image_built_once() -> None:
    services = _services()
    app = services["app"]
    assert app["build"] == "."
    image = app["image"]
    for name in ("migrate", "worker"):
        assert "build" not in services[name], name
        assert services[name]["image"] == image, name
        # Not pulled from a registry: the app service builds it.
        assert services[name]["pull_policy"] == "never", name


@pytest.mark.parametrize("name", ["db", "mailpit"])
def test_third_party_images_are_pinned_to_exact_versions(name: str) -> None:
    image = str(_services()[name]["image"])
    _, _, tag = image.rpartition(":")
    assert re.fullmatch(r"v?\d+\.\d+(\.\d+)?", tag), image


def test_ports_are_published_on_the_loopback_only() -> None:
    published = {
        name: [str(port) for port in service.get("ports", [])]
        for name, service in _services().items()
    }
    assert published["app"] == ["127.0.0.1:8000:8000"]
    assert published["mailpit"] == ["127.0.0.1:8025:8025"]
    assert all(port.startswith("127.0.0.1:") for ports in published.values() for port in ports)


def test_app_health_check_asks_readyz() -> None:
    test = _services()["app"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    assert "urlopen('http://127.0.0.1:8000/readyz'" in test[3]
    compile(test[3], "healthcheck", "exec")


def test_worker_health_check_is_the_worker_check_command() -> None:
    test = _services()["worker"]["healthcheck"]["test"]
    assert test == ["CMD", "staff-accounts", "worker", "--check"]
    args = _parser().parse_args(test[2:])
    assert args.command == "worker" and args.check


def test_compose_cites_only_files_of_the_repository() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for cited in re.findall(r"\b([A-Za-z0-9_./-]+\.md)\b", text):
        assert (ROOT / cited).is_file(), cited


def test_db_has_a_pg_isready_healthcheck() -> None:
    db = _services()["db"]
    test = db["healthcheck"]["test"]
    command = test if isinstance(test, str) else " ".join(test)
    assert "pg_isready" in command
    user = db["environment"]["POSTGRES_USER"]
    assert f"-U {user}" in command


@pytest.mark.parametrize("name", ["app", "worker"])
def test_app_and_worker_wait_for_db_and_migrations(name: str) -> None:
    depends_on = _services()[name]["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_migrate_waits_for_db_and_runs_once() -> None:
    migrate = _services()["migrate"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert str(migrate.get("restart", "no")) == "no"


@pytest.mark.parametrize(
    ("name", "subcommand"), [("app", "serve"), ("migrate", "migrate"), ("worker", "worker")]
)
def test_services_run_real_cli_commands(name: str, subcommand: str) -> None:
    command = _command(_services()[name])
    assert command[0] == "staff-accounts"
    assert command[1] == subcommand
    assert command[1] in _subcommands()
    args = _parser().parse_args(command[1:])  # exits (SystemExit) on unknown options
    assert args.command == subcommand


def test_every_staff_accounts_command_in_compose_exists() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"staff-accounts[\"']?,?\s*[\"']?([a-z][a-z-]*)", text))
    assert used >= {"serve", "migrate", "worker"}
    assert used <= set(_subcommands()), used - set(_subcommands())


def test_app_environment_is_the_production_shape() -> None:
    env = _environment(_services()["app"])
    assert env["DATABASE_URL"].startswith(("postgres://", "postgresql://"))
    assert "@db:5432/" in env["DATABASE_URL"]
    assert env["APP_ENV"] == "production"
    assert env["SMTP_HOST"] == "mailpit"
    assert env["SMTP_PORT"] == "1025"
    assert env["PUBLIC_BASE_URL"] == "${PUBLIC_BASE_URL:-http://localhost:8000}"
    assert env["RUN_OUTBOX_SENDER"] == "false"
    assert env["MIGRATE_ON_START"] == "false"
    db_env = _services()["db"]["environment"]
    user, password, database = (
        db_env["POSTGRES_USER"],
        db_env["POSTGRES_PASSWORD"],
        db_env["POSTGRES_DB"],
    )
    assert env["DATABASE_URL"] == f"postgres://{user}:{password}@db:5432/{database}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_sets_only_settings_the_app_reads(name: str) -> None:
    env = {**_dockerfile_env(), **_environment(_services()[name])}
    # Values compose takes from the operator's shell: ${NAME:-default} as its default,
    # ${NAME:?error} (the keys) as a valid stand-in.
    env = {key: _unset_shell_value(value) for key, value in env.items()}
    recording = RecordingEnviron(env)
    settings = config.load_settings(recording)  # also runs the production checks
    app_names = {n for n in env if not n.startswith(("PYTHON", "PIP_"))}
    assert app_names, env
    assert app_names <= recording.read, f"not read by load_settings: {app_names - recording.read}"
    assert app_names <= _settings_names_in_source()
    assert settings.environment == "production"
    assert settings.smtp_host == "mailpit" and settings.smtp_port == 1025
    assert settings.run_outbox_sender is False
    assert settings.migrate_on_start is False
    assert settings.host == "0.0.0.0"
    # The demo on http://localhost: links go there, and the cookie is one a browser
    # sends back over plain http.
    assert settings.public_base_url == "http://localhost:8000"
    assert not settings.cookie_secure
    assert settings.forwarded_allow_ips == ""


def _unset_shell_value(value: str) -> str:
    default = re.fullmatch(r"\$\{[A-Z_]+:-(.*)\}", value)
    if default:
        return default.group(1)
    return TEST_FERNET_KEY if value.startswith("${") else value


def test_dockerfile_builds_a_non_root_image_that_serves() -> None:
    lines = _dockerfile_lines()
    assert lines[0] == "FROM python:3.12-slim"
    assert any(re.match(r"RUN pip install (--\S+ )*\.( |$)", line) for line in lines), lines
    users = [line.split()[1] for line in lines if line.upper().startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    env = _dockerfile_env()
    assert env["HOST"] == "0.0.0.0"
    cmd = _dockerfile_cmd()
    assert cmd == ["staff-accounts", "serve"]
    assert _parser().parse_args(cmd[1:]).command == "serve"


def test_dockerfile_installs_the_frontend_with_the_package() -> None:
    # `pip install .` builds the wheel, which carries frontend/ as backend/frontend
    # (tests/test_wheel.py): the image needs the folder to build, not on PYTHONPATH.
    lines = _dockerfile_lines()
    assert any(re.match(r"COPY frontend \.?/?frontend", line) for line in lines), lines
    assert any(re.match(r"COPY backend \.?/?backend", line) for line in lines), lines
    assert "PYTHONPATH" not in _dockerfile_env()


def test_ci_script_runs_the_readme_test_command() -> None:
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK), "chmod +x .ci/run"
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n") or text.startswith("#!/bin/bash\n")
    assert "set -euo pipefail" in text
    assert re.search(r"^\s*(time )?make test\s*$", text, re.MULTILINE)
    assert re.search(r"^export REQUIRE_POSTGRES=1$", text, re.MULTILINE)
    assert "pg_isready -q -h" in text
    assert "pg_ctlcluster --skip-systemctl-redirect" in text
    assert "export-schema --check" in text


def test_ci_script_is_valid_bash() -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    result = subprocess.run(
        [bash, "-n", str(ROOT / ".ci" / "run")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def _makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", text, re.MULTILINE))


def test_makefile_has_the_promised_targets() -> None:
    assert _makefile_targets() >= {"run", "test", "lint", "schema", "clean"}


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("run", ".venv/bin/staff-accounts serve --demo"),
        ("test", ".venv/bin/pytest"),
        ("lint", ".venv/bin/staff-accounts export-schema --check"),
        ("schema", ".venv/bin/staff-accounts export-schema"),
        ("clean", "rm -rf .venv var"),
    ],
)
def test_makefile_targets_run_the_promised_commands(target: str, expected: str) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    # -B: pretend everything is out of date, so the set-up steps are listed too.
    result = subprocess.run(
        [make, "-n", "-B", "-C", str(ROOT), target],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert expected in [line.strip() for line in result.stdout.splitlines()]
    if target != "clean":
        assert "-m pip install" in result.stdout and "-e '.[dev]'" in result.stdout


def test_make_test_lints_before_it_tests() -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    result = subprocess.run(
        [make, "-n", "-B", "-C", str(ROOT), "test"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    order = [
        ".venv/bin/ruff check .",
        ".venv/bin/mypy backend bench tests",
        ".venv/bin/staff-accounts export-schema --check",
        ".venv/bin/pytest",
    ]
    assert all(command in lines for command in order), lines
    assert [lines.index(command) for command in order] == sorted(
        lines.index(command) for command in order
    )


def test_readme_quick_start_and_configuration() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^make run$", readme, re.MULTILINE)
    assert re.search(r"^make test$", readme, re.MULTILINE)
    configuration = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", configuration, re.MULTILINE))
    assert documented == _settings_names_in_source()
    for name in _subcommands():
        assert f"`{name}" in readme or f"staff-accounts {name}" in readme, name
