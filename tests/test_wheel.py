"""The wheel serves: built from the checkout, installed into a fresh virtual environment
outside the repository (its dependencies from the package index), `staff-accounts serve`
answers the SPA, one of its modules and /graphql."""

import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
# pip's own network timeout: an unreachable index fails the install in seconds, not minutes.
PIP_NETWORK = ["--timeout", "15", "--retries", "1", "--disable-pip-version-check"]

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(240)]


def _run(command: list[str], *, what: str, timeout: float, cwd: Path) -> None:
    try:
        result = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} took over {timeout:.0f} s (is the package index reachable?)")
    if result.returncode != 0:
        pytest.fail(
            f"{what} failed (exit {result.returncode}); if the output below is a network"
            f" error, the package index is not reachable:\n{result.stderr[-3000:]}"
        )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy: setuptools writes build/ and *.egg-info/ into the source tree.
    source = tmp_path_factory.mktemp("source")
    shutil.copy(ROOT / "pyproject.toml", source)
    for folder in ("backend", "frontend"):
        shutil.copytree(
            ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    out = tmp_path_factory.mktemp("dist")
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *PIP_NETWORK, "-w", str(out), "."],
        what="building the wheel",
        timeout=120,
        cwd=source,
    )
    (built,) = out.glob("staff_accounts-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a new virtual environment with only the wheel installed."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", str(venv)], what="python -m venv", timeout=60, cwd=venv)
    _run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *PIP_NETWORK, str(wheel)],
        what="installing the wheel and its dependencies",
        timeout=180,
        cwd=venv,
    )
    return venv / "bin"


def test_the_wheel_carries_every_frontend_file(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n.removeprefix("backend/frontend/") for n in archive.namelist()}
    on_disk = {
        str(path.relative_to(ROOT / "frontend"))
        for path in (ROOT / "frontend").rglob("*")
        if path.is_file()
    }
    assert on_disk and on_disk <= shipped, sorted(on_disk - shipped)


@pytest.fixture
def server(installed: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite://{tmp_path / 'wheel.sqlite3'}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        # Started from tmp_path, so that nothing can be imported from the checkout.
        process = subprocess.Popen(
            [str(installed / "staff-accounts"), "serve"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, process, log_path, timeout=30)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)


def test_the_installed_package_serves_its_own_frontend(installed: Path, tmp_path: Path) -> None:
    where = "from backend.spa import FRONTEND_DIR; print(FRONTEND_DIR)"
    result = subprocess.run(
        [str(installed / "python"), "-c", where],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ.get("PATH", "")},
    )
    frontend = Path(result.stdout.strip())
    assert frontend.is_relative_to(installed.parent), frontend
    assert frontend.parts[-2:] == ("backend", "frontend")


def test_the_installed_wheel_serves_the_spa_and_graphql(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as http:
        page = http.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        module = re.search(r'<script type="module" src="([^"]+)"', page.text)
        assert module, page.text
        script = http.get(module.group(1))
        assert script.status_code == 200
        assert "javascript" in script.headers["content-type"]
        assert "import" in script.text

        answer = http.post("/graphql", json={"query": "{ __typename }"})
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.json() == {"data": {"__typename": "Query"}}
