"""The README's Partner API section, run as written (tests/readme_blocks.py): its shell
blocks, in order, in bash, against a live server, with the administrator's token."""

import re
from pathlib import Path

from tests.readme_blocks import API_CLIENT_SECRET, run_blocks, section_blocks


def partner_blocks() -> list[str]:
    return section_blocks("Partner API")


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
    done = run_blocks(tmp_path, partner_blocks())
    secrets = set(API_CLIENT_SECRET.findall(done.stdout))
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
