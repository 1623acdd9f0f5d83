"""`staff-accounts documents add` and `list` in a child process, with real manifest files
in Apollo's format: ids checked against bodies, nothing registered unless all is sound,
registered documents immutable."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

COMMAND = Path(sys.executable).parent / "staff-accounts"
ROLES = "query MobileRoles { roles { id name } }"
VIEWER = "query MobileViewer {\n  viewer { account { id fullName } }\n}"


def run(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env.update(APP_ENV="test", MIGRATE_ON_START="true", DATABASE_URL=f"sqlite://{database}")
    return subprocess.run(
        [str(COMMAND), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=database.parent,
        timeout=60,
        check=False,
    )


def operation(name: str, body: str, kind: str = "query", **changes: Any) -> dict[str, Any]:
    # As Apollo's generate-persisted-query-manifest writes it: the bare hex SHA-256.
    return {
        "id": hashlib.sha256(body.encode()).hexdigest(),
        "name": name,
        "type": kind,
        "body": body,
        **changes,
    }


def manifest(folder: Path, *operations: dict[str, Any], name: str = "manifest.json") -> Path:
    path = folder / name
    document = {"format": "apollo-persisted-query-manifest", "version": 1}
    path.write_text(json.dumps({**document, "operations": list(operations)}))
    return path


def registered(database: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT document_id, body, manifest_name FROM registered_document ORDER BY 3"
        ).fetchall()
    return [tuple(row) for row in rows]


def test_documents_are_registered_once_and_never_changed(tmp_path: Path) -> None:
    database = tmp_path / "cli.sqlite3"
    path = manifest(tmp_path, operation("MobileRoles", ROLES), operation("MobileViewer", VIEWER))
    added = run(database, "documents", "add", str(path))
    assert added.returncode == 0, added.stderr
    roles_id = "sha256:" + hashlib.sha256(ROLES.encode()).hexdigest()
    assert f"registered {roles_id} MobileRoles" in added.stdout
    assert "2 registered, 0 already registered" in added.stdout
    before = registered(database)
    assert [row[2] for row in before] == ["MobileRoles", "MobileViewer"]

    # The next app version's manifest: one known document, one new.
    newer = "query MobileRoles { roles { id name isSystem } }"
    path = manifest(tmp_path, operation("MobileRoles", ROLES), operation("MobileRoles", newer))
    again = run(database, "documents", "add", str(path))
    assert again.returncode == 0, again.stderr
    assert f"already registered, unchanged: {roles_id} MobileRoles" in again.stdout
    assert "1 registered, 1 already registered" in again.stdout
    after = registered(database)
    assert set(before) < set(after) and len(after) == 3

    listed = run(database, "documents", "list")
    assert listed.returncode == 0, listed.stderr
    assert roles_id in listed.stdout and "MobileViewer" in listed.stdout
    assert "registered documents: 3; the app's own: " in listed.stdout


def test_a_manifest_with_any_unsound_operation_registers_nothing(tmp_path: Path) -> None:
    database = tmp_path / "cli.sqlite3"
    other_id = hashlib.sha256(VIEWER.encode()).hexdigest()
    path = manifest(
        tmp_path,
        operation("MobileRoles", ROLES),
        operation("Edited", ROLES + " ", id=operation("x", ROLES)["id"]),
        operation("Swapped", ROLES, id="sha256:" + other_id),
        operation("Wrong", "query Wrong { noSuchField }"),
        operation("Typed", ROLES, kind="mutation"),
    )
    refused = run(database, "documents", "add", str(path))
    assert refused.returncode == 1
    lines = refused.stderr.splitlines()
    assert any(
        line.startswith("error: operation 2 (Edited): its id ") and "is not the SHA-256" in line
        for line in lines
    ), refused.stderr
    assert any(line.startswith("error: operation 3 (Swapped): its id sha256:") for line in lines)
    assert any("operation 4 (Wrong): does not fit the schema" in line for line in lines)
    assert any('operation 5 (Typed): "type" says mutation' in line for line in lines)
    assert lines[-1] == "nothing was registered"
    if database.exists():
        assert registered(database) == []


def test_files_that_are_no_manifest_are_refused(tmp_path: Path) -> None:
    database = tmp_path / "cli.sqlite3"
    (tmp_path / "text.json").write_text("not json")
    (tmp_path / "relay.json").write_text(json.dumps({"abc": ROLES}))
    cases = {
        "missing.json": "cannot be read",
        "text.json": "not a JSON file",
        "relay.json": '"format" must be "apollo-persisted-query-manifest"',
    }
    for name, problem in cases.items():
        refused = run(database, "documents", "add", str(tmp_path / name))
        assert refused.returncode == 1
        assert problem in refused.stderr, refused.stderr
