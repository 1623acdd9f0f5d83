"""A PostgreSQL cluster that a test owns: `initdb` into a temporary folder, its own port
and socket folder, started and stopped at will (the shared server is never touched).

initdb and postgres refuse to run as root, and CI runs as root: then every command runs
as the `postgres` user through `runuser`, in a folder that user owns."""

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
SERVICE_USER = "postgres"
DATABASE = "staff_outage"
# Bounds each pg_ctl call; starting a fresh cluster takes well under a second here.
_COMMAND_TIMEOUT_SECONDS = 60


def unavailable_reason() -> str | None:
    """Why a throwaway cluster cannot be made here; None when it can."""
    missing = [name for name in ("initdb", "pg_ctl") if not (PG_BIN / name).is_file()]
    if missing:
        return f"PostgreSQL server binaries ({', '.join(missing)}) not found in {PG_BIN}"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root, but runuser (to run PostgreSQL as a user) is missing"
        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            return f"running as root, but there is no {SERVICE_USER!r} user to run PostgreSQL"
    return None


@dataclass(frozen=True)
class PostgresCluster:
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://{SERVICE_USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        # -k: the Unix socket goes into our folder, not /var/run/postgresql.
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._pg_ctl("start", "-w", "-l", str(self.log), "-o", options)

    def stop(self) -> None:
        """Fast shutdown: open sessions are cut off, as in a restart under load."""
        self._pg_ctl("stop", "-w", "-m", "fast")

    def is_running(self) -> bool:
        status = _run_as_owner(
            [str(PG_BIN / "pg_ctl"), "status", "-D", str(self.data)], check=False
        )
        return status.returncode == 0

    def _pg_ctl(self, *arguments: str) -> None:
        _run_as_owner([str(PG_BIN / "pg_ctl"), "-D", str(self.data), *arguments])


@contextmanager
def throwaway_cluster(port: int) -> Iterator[PostgresCluster]:
    """A running cluster with trust authentication and the database DATABASE; stopped
    and removed on exit, whatever happened."""
    # Not pytest's tmp_path: its parent is private to root, the server user could not
    # enter it.
    folder = Path(tempfile.mkdtemp(prefix="staff-outage-pg-"))
    cluster = PostgresCluster(folder=folder, port=port)
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, user=SERVICE_USER, group=SERVICE_USER)
        _run_as_owner(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(cluster.data),
                "-U",
                SERVICE_USER,
                "--auth=trust",
                "--no-sync",
                "--encoding=UTF8",
            ]
        )
        cluster.start()
        _run_as_owner(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                SERVICE_USER,
                DATABASE,
            ]
        )
        yield cluster
    finally:
        try:
            if cluster.data.exists() and cluster.is_running():
                _run_as_owner(
                    [
                        str(PG_BIN / "pg_ctl"),
                        "-D",
                        str(cluster.data),
                        "stop",
                        "-w",
                        "-m",
                        "immediate",
                    ],
                    check=False,
                )
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _run_as_owner(command: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        command = ["runuser", "-u", SERVICE_USER, "--", *command]
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=_COMMAND_TIMEOUT_SECONDS,
        check=False,
        # The server user may not be allowed into the test's working directory.
        cwd="/",
    )
    if check and completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({completed.returncode}):\n"
            f"{completed.stdout}{completed.stderr}"
        )
    return completed
