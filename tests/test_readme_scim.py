"""The README's SCIM provisioning section, run as written: its shell blocks, in order, in
bash, against a live server (`serve --demo` on a real socket), with the walk-through's
administrator token: a client with the scim scope, the defaults, a person provisioned,
activated with password and PIN, deactivated Entra-style, then deleted."""

from pathlib import Path

from tests.readme_blocks import run_blocks, section_blocks


def scim_blocks() -> list[str]:
    return section_blocks("SCIM provisioning")


def test_the_scim_blocks_run_against_a_live_server(tmp_path: Path) -> None:
    done = run_blocks(tmp_path, scim_blocks(), edit={"/tmp/rlee.json": str(tmp_path / "rlee.json")})
    assert done.returncode == 0, done.stderr + done.stdout
    output = done.stdout
    assert '"scimDefaults":{"role":{"name":"Nurse (System)"}},"userErrors":[]' in output
    assert '"status":"PENDING"' in output and '"externalId":"00u1a2b3"' in output
    assert '"account":{"username":"rlee","status":"ACTIVE"},"userErrors":[]' in output
    assert '"userName":"rlee","active":false' in output
    assert "204\n" in output and '"status":"404"' in output
    assert '{"node":{"username":"rlee","status":"INACTIVE"}}' in output
    assert "sa_live_" not in output  # the secret stays in $SCIM_SECRET
