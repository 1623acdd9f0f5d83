"""The README's SCIM provisioning section, run as written: its shell blocks, in order, in
bash, against a live server (`serve --demo` on a real socket), with the walk-through's
administrator token: a client with the scim scope, the defaults, a person provisioned,
activated with password and PIN, deactivated Entra-style, then deleted."""

import os
import re
import subprocess
from pathlib import Path

import httpx

from backend.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME
from tests import secret_watch
from tests.live_server import ROOT, live_server

_SECTION = re.compile(r"^## SCIM provisioning\n(.*?)^## ", re.DOTALL | re.MULTILINE)
_SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)


def scim_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = _SECTION.search(readme)
    assert section, "README.md has no SCIM provisioning section"
    return _SHELL_BLOCK.findall(section.group(1))


def test_the_scim_blocks_run_against_a_live_server(tmp_path: Path) -> None:
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
        token = login["data"]["login"]["token"]
        script = "set -euo pipefail\n" + "\n".join(scim_blocks())
        script = script.replace("/tmp/rlee.json", str(tmp_path / "rlee.json"))
        env = {
            **os.environ,
            "BASE": base,
            "TOKEN": token,
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
    secret_watch.remember(*re.findall(r"sa_live_[A-Za-z0-9_-]{43}", done.stdout))
    assert done.returncode == 0, done.stderr + done.stdout
    output = done.stdout
    assert '"scimDefaults":{"role":{"name":"Nurse (System)"}},"userErrors":[]' in output
    assert '"status":"PENDING"' in output and '"externalId":"00u1a2b3"' in output
    assert '"account":{"username":"rlee","status":"ACTIVE"},"userErrors":[]' in output
    assert '"userName":"rlee","active":false' in output
    assert "204\n" in output and '"status":"404"' in output
    assert '{"node":{"username":"rlee","status":"INACTIVE"}}' in output
    assert "sa_live_" not in output  # the secret stays in $SCIM_SECRET
