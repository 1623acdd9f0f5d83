"""The servers a scenario measures, each a subprocess: ours (`staff-accounts serve`, one
process or `--workers N`), the bare asyncpg reference (bench/reference_app.py) and
PostGraphile (bench/postgraphile.py); their peak memory; and scenarios that run in a
fresh interpreter of their own (`python -m bench.scenarios.<name> --json`)."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from bench import postgraphile
from bench.wrk_load import LoadError

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
OUR_PORT, REFERENCE_PORT, PEER_PORT, SQLITE_PORT = 8301, 8302, 8303, 8304
# A production MAIL_FROM must not be a .localhost address (backend/config.py checks it).
MAIL_FROM = "Staff Accounts <no-reply@staff.bench.example.org>"


def free_port(preferred: int) -> int:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", preferred)) != 0:
            return preferred
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def free_ports(preferred: int, count: int) -> list[int]:
    """`count` distinct free ports, from `preferred` on when they are free."""
    ports: list[int] = []
    candidate = preferred
    while len(ports) < count:
        port = free_port(candidate)
        if port not in ports:
            ports.append(port)
        candidate = port + 1
    return ports


def our_env(database_url: str, port: int, smtp_port: int) -> dict[str, str]:
    """Production settings, as deployed; only the limits that a benchmark trips on purpose
    are raised (one client address makes every sign-in of B6)."""
    env = {
        "APP_ENV": "production",
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PUBLIC_BASE_URL": "https://staff.bench.localhost",
        "MAIL_FROM": MAIL_FROM,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "TWO_FACTOR_KEY": "YmVuY2gtb25seS1rZXktYmVuY2gtb25seS1rZXktMzI=",
        "LOGIN_IP_LIMIT": "1000000",
        "MIGRATE_ON_START": "false",
    }
    if database_url.startswith("sqlite://"):
        # B8: one process on one machine, which production allows when asked explicitly.
        env["ALLOW_SQLITE_IN_PRODUCTION"] = "true"
    return env


@contextlib.contextmanager
def our_server(
    database_url: str, port: int, smtp_port: int, *, workers: int = 1
) -> Iterator["subprocess.Popen[bytes]"]:
    """`staff-accounts serve` (uvicorn); with `workers` > 1 uvicorn's supervisor and its
    worker processes share the port."""
    cmd = [str(Path(PYTHON).parent / "staff-accounts"), "serve", "--workers", str(workers)]
    env = our_env(database_url, port, smtp_port)
    with serve(cmd, f"http://127.0.0.1:{port}/healthz", env, cwd=ROOT) as process:
        yield process


@contextlib.contextmanager
def reference_server(database_url: str, port: int) -> Iterator["subprocess.Popen[bytes]"]:
    cmd = [PYTHON, "-m", "bench.reference_app", "--database-url", database_url, "--port", str(port)]
    with serve(cmd, f"http://127.0.0.1:{port}/healthz", cwd=ROOT) as process:
        yield process


@contextlib.contextmanager
def postgraphile_servers(
    database_url: str, ports: Sequence[int]
) -> Iterator[list["subprocess.Popen[bytes]"]]:
    """One PostGraphile process per port (its CLI has no cluster mode), each with the same
    pool size as one process of ours (Tortoise's asyncpg pool: at most 5 connections)."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for port in ports:
            processes.append(postgraphile.start(database_url, port, pool_max=5))
        yield processes
    finally:
        for process in processes:
            postgraphile.stop(process)


def run_module_json(module: str, *args: str) -> Any:
    """`python -m module args...` in a fresh interpreter; the JSON document it prints last."""
    done = subprocess.run(
        [PYTHON, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"python -m {module} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (uvicorn's workers, multiprocessing helpers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            # The command name may hold blanks and parentheses: the ppid follows the last ")".
            stat = (entry / "stat").read_text()
            ppid = int(stat.rpartition(")")[2].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children.get(current, []))
    return tree


def peak_rss_by_process(pids: Sequence[int]) -> dict[int, float]:
    """The peak resident memory (VmHWM, MiB) of the processes `pids` and all their
    descendants, by process id."""
    peaks: dict[int, float] = {}
    for pid in pids:
        for member in process_tree(pid):
            with contextlib.suppress(OSError, LoadError):
                peaks[member] = peak_rss_mb(member)
    return peaks


def tree_peak_rss_mb(pids: Sequence[int]) -> float:
    """Sum of the peak resident memory (VmHWM) of the processes `pids` and all their
    descendants, in MiB (pages shared between processes count once per process)."""
    return sum(peak_rss_by_process(pids).values())


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a running process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            kib = int(line.split()[1])
            return kib / 1024
    raise LoadError(f"no VmHWM in /proc/{pid}/status")


@contextlib.contextmanager
def serve(
    cmd: list[str],
    url: str,
    env: Mapping[str, str] | None = None,
    *,
    cwd: str | Path | None = None,
    start_timeout_s: float = 60.0,
    stop_timeout_s: float = 10.0,
) -> Iterator["subprocess.Popen[bytes]"]:
    """Starts a server (`env` is added to this process's environment), waits until a GET
    of `url` (a health URL) answers 2xx, yields the process, then stops it: SIGINT, and
    SIGKILL if it has not exited after `stop_timeout_s`. Its output goes to a temporary
    log file, quoted when it fails to start."""
    with tempfile.TemporaryFile(prefix="bench-server-") as log:
        process = subprocess.Popen(
            cmd,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_up(process, url, log, start_timeout_s)
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=stop_timeout_s)
                except subprocess.TimeoutExpired:
                    # The whole session: uvicorn's workers too, should the supervisor hang.
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def _wait_until_up(
    process: "subprocess.Popen[bytes]", url: str, log: IO[bytes], timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            raise LoadError(f"{process.args!r} exited with {process.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if 200 <= response.status < 300:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise LoadError(f"{url} did not answer within {timeout_s}s:\n{_tail(log)}")
        time.sleep(0.1)


def _tail(log: IO[bytes], size: int = 4000) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode(errors="replace")[-size:]
