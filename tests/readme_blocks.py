"""Running a README section's shell blocks as written: in order, in bash, against a live
server (`serve --demo` on a real socket), after the walk-through's sign-in gave the
administrator's token ($TOKEN). Command-line blocks write to the server's database."""

import os
import re
import subprocess
from pathlib import Path

import httpx

from backend.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME
from tests import secret_watch
from tests.live_server import ROOT, live_server

_SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)
API_CLIENT_SECRET = re.compile(r"sa_live_[A-Za-z0-9_-]{43}")


def section_blocks(title: str) -> list[str]:
    """The ```sh blocks of the README's `## title` section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(rf"^## {re.escape(title)}\n(.*?)^## ", readme, re.DOTALL | re.MULTILINE)
    assert section, f"README.md has no {title} section"
    return _SHELL_BLOCK.findall(section.group(1))


def run_blocks(
    tmp_path: Path, blocks: list[str], edit: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The blocks as one bash script (`set -euo pipefail`), with `edit`'s replacements,
    against a fresh live server; API client secrets it prints are remembered as secrets."""
    with live_server(tmp_path) as base:
        login = httpx.post(
            f"{base}/graphql",
            json={
                "query": "mutation($i: LoginInput!) { login(input: $i) { token } }",
                "variables": {
                    "i": {"username": DEMO_ADMIN_USERNAME, "password": DEMO_ADMIN_PASSWORD}
                },
            },
            timeout=10,
        ).json()
        script = "set -euo pipefail\n" + "\n".join(blocks)
        for old, new in (edit or {}).items():
            script = script.replace(old, new)
        env = {
            **os.environ,
            "BASE": base,
            "TOKEN": login["data"]["login"]["token"],
            # What the server uses: the command-line blocks write to its database.
            "DATABASE_URL": f"sqlite://{tmp_path / 'serve.sqlite3'}",
        }
        env.pop("APP_ENV", None)
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    secret_watch.remember(*set(API_CLIENT_SECRET.findall(done.stdout)))
    return done
