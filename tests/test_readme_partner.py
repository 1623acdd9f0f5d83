"""The README's Partner API section, run as written: its shell blocks, in order, in bash,
against a live server (`serve --demo` on a real socket), after the walk-through's sign-in
gave the administrator's token. The command-line block writes to the server's database."""

import os
import re
import subprocess
from pathlib import Path

import httpx

from backend.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME
from tests import secret_watch
from tests.live_server import ROOT, live_server

_SECTION = re.compile(r"^## Partner API\n(.*?)^## ", re.DOTALL | re.MULTILINE)
_SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)


def partner_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = _SECTION.search(readme)
    assert section, "README.md has no Partner API section"
    return _SHELL_BLOCK.findall(section.group(1))


def test_the_section_has_the_blocks_a_partner_needs() -> None:
    script = "\n".join(partner_blocks())
    for needed in (
        "apiClientCreate",
        "api-client create",
        "currentApiClient",
        "staffMembers",
        "staffCreate",
        "curl -si",
        "updatedSince",
    ):
        assert needed in script, needed


def test_the_partner_blocks_run_against_a_live_server(tmp_path: Path) -> None:
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
        script = "set -euo pipefail\n" + "\n".join(partner_blocks())
        env = {
            **os.environ,
            "BASE": base,
            "TOKEN": token,
            # What the server uses: the command-line block writes to its database.
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
    secrets = set(re.findall(r"sa_live_[A-Za-z0-9_-]{43}", done.stdout))
    secret_watch.remember(*secrets)
    assert done.returncode == 0, done.stderr + done.stdout
    output = done.stdout
    assert len(secrets) == 1  # the one apiClientCreate printed; the command's is in $SECRET
    assert '"secret":"sa_live_' in output and '"status":"ACTIVE"' in output
    assert (
        '"currentApiClient":{"apiClient":{"name":"HR sync",'
        '"scopes":["STAFF_READ","STAFF_WRITE","ROLES_READ"],"expiresAt":null},'
        '"practice":{"name":"Demo Family Practice"}}' in output
    )
    headers = {line.split(":")[0].lower() for line in output.splitlines() if ":" in line}
    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= headers
    assert '"username":"ppartner","status":"PENDING"},"userErrors":[]' in output
    # The sync lists everyone, oldest change first: the partner's new person comes last.
    synced = re.findall(r'"username":"([a-z]+)","status":"[A-Z]+","cellPhoneE164"', output)
    assert synced[-1] == "ppartner" and {"admin", "cnurse"} <= set(synced), synced
