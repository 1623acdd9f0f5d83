"""The README's Trusted documents section, run as written (tests/readme_blocks.py): a SPA
document by its id, the Automatic Persisted Queries round trip and a registered manifest,
against a live server."""

from pathlib import Path

from tests.readme_blocks import run_blocks, section_blocks


def test_the_trusted_document_blocks_run_against_a_live_server(tmp_path: Path) -> None:
    blocks = section_blocks("Trusted documents")
    # The manifest is written beside the test's database, not into the checkout.
    done = run_blocks(tmp_path, blocks, edit={"manifest.json": str(tmp_path / "manifest.json")})
    assert done.returncode == 0, done.stderr + done.stdout
    lines = done.stdout.splitlines()
    assert lines[0].startswith('{"data":{"roles":[{"id":'), lines[0]
    assert lines[1] == (
        '{"data":null,"errors":[{"message":"PersistedQueryNotFound",'
        '"extensions":{"code":"PERSISTED_QUERY_NOT_FOUND"}}]}'
    )
    assert lines[2].startswith('{"data":{"roles":[{"name":') and lines[3] == lines[2]
    registered = "sha256:0e5b6b5a14f4dc106bf312359fb83bd854f2d8b95c8e61d8dbba4cb2fb81fea6"
    assert f"registered {registered} MobileRoles" in lines
    assert f"already registered, unchanged: {registered} MobileRoles" in lines
    assert any(line.startswith(f"{registered}  query     MobileRoles  ") for line in lines)
    assert lines[-1].startswith('{"data":{"roles":[{"id":'), lines[-1]
