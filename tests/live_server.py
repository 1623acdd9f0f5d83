"""Runs the real app (`staff-accounts serve --demo`) in a child process on a free port."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests import secret_watch

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(
    base: str,
    process: "subprocess.Popen[bytes]",
    log: Path,
    *,
    probe: str = "/healthz",
    timeout: float = 60,
) -> None:
    """Polls `base + probe` until it answers 200; fails with the server's log if the
    process exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{base}{probe}", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{base} did not answer:\n{log.read_text()}"
        time.sleep(0.2)


@contextmanager
def live_server(folder: Path, *, demo: bool = True, **environment: str) -> Iterator[str]:
    """Yield the base URL of a running server whose log (and SQLite data, unless
    DATABASE_URL says otherwise) lives in `folder`; `demo` adds the demo practice."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{folder / 'serve.sqlite3'}",
        "PORT": str(port),
        "MAIL_POLL_SECONDS": "0.1",
        **environment,
    }
    env.pop("APP_ENV", None)
    log_path = folder / "server.log"
    secret_watch.watch_log_file(log_path)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", *(["--demo"] if demo else [])],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, process, log_path)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)
