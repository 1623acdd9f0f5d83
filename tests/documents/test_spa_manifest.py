"""The SPA's manifest of trusted documents: current with frontend/src, every document the
SPA sends in it, and documents the reader cannot evaluate refused rather than left out."""

import json
import re
from pathlib import Path

import pytest

from backend.documents.ids import document_id
from backend.documents.spa_manifest import (
    MANIFEST_FILE,
    REGENERATE,
    build_manifest,
    load_spa_documents,
)
from backend.documents.spa_source import SourceProblem, read_documents
from backend.spa import FRONTEND_DIR

_NAMED_OPERATION = re.compile(r"\b(?:query|mutation|subscription)\s+([A-Za-z_]\w*)\s*[({]")


def test_the_checked_in_manifest_is_current() -> None:
    current = build_manifest(FRONTEND_DIR)
    assert MANIFEST_FILE.read_text(encoding="utf-8") == current, (
        f"{MANIFEST_FILE.name} is stale: run `{REGENERATE}` and commit it"
    )


def test_every_named_operation_of_the_spa_is_in_it() -> None:
    named = {
        name
        for source in (FRONTEND_DIR / "src").rglob("*.js")
        for name in _NAMED_OPERATION.findall(source.read_text())
    }
    manifest = json.loads(MANIFEST_FILE.read_text())["documents"]
    assert named == {entry["name"] for entry in manifest} - {None}
    # The sign-out of the shell, one of the unnamed ones.
    assert "mutation { logout(input: {}) { ok } }" in load_spa_documents().values()


def test_ids_are_the_hashes_of_the_exact_texts() -> None:
    for identifier, body in load_spa_documents().items():
        assert identifier == document_id(body)
    # The example of GraphQL over HTTP, Appendix A.
    example = "query ($id: ID!) {\n  user(id: $id) {\n    name\n  }\n}"
    assert document_id(example) == (
        "sha256:7dba4bd717b41f10434822356a93c32b1fb4907b983e854300ad839f84cdcd6e"
    )


def test_an_edited_manifest_is_refused(tmp_path: Path) -> None:
    manifest = json.loads(MANIFEST_FILE.read_text())
    manifest["documents"][0]["body"] += " "
    edited = tmp_path / "spa-documents.json"
    edited.write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="make documents"):
        load_spa_documents(edited)


def _spa(tmp_path: Path, source: str) -> Path:
    src = tmp_path / "frontend" / "src"
    src.mkdir(parents=True)
    (src / "page.js").write_text(source)
    return src


def test_constants_are_evaluated_as_javascript_would(tmp_path: Path) -> None:
    src = _spa(
        tmp_path,
        'const FIELDS = "id name";\n'
        "export const ROLES = `query Roles {\n  roles { ${FIELDS} } }`;\n"
        "const label = `${count} roles`;\n",
    )
    [found] = read_documents(src, tmp_path)
    assert (found.path, found.constant) == ("frontend/src/page.js", "ROLES")
    assert found.body == "query Roles {\n  roles { id name } }"


def test_constants_imported_from_another_module_are_followed(tmp_path: Path) -> None:
    src = _spa(
        tmp_path,
        'import { FIELDS, render as draw } from "./fields.js";\n'
        "const LIST = `query List { roles { ${FIELDS} } }`;\n",
    )
    (src / "fields.js").write_text(
        'import { html } from "./html.js";\nexport const FIELDS = `id name`;\n'
        "const HIDDEN = `secret`;\n"
    )
    [found] = read_documents(src, tmp_path)
    assert found.body == "query List { roles { id name } }"
    # Only what the module exports can be imported.
    (src / "page.js").write_text(
        'import { HIDDEN } from "./fields.js";\nconst A = `query { ${HIDDEN} }`;\n'
    )
    with pytest.raises(SourceProblem, match=r"\$\{HIDDEN\} is not an earlier string"):
        read_documents(src, tmp_path)


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        # A document built by a function: its texts are not known without running it.
        (
            "function action(name) {\n  return `mutation { ${name}(input: {}) { ok } }`;\n}\n",
            "page.js:2: a GraphQL document that is not a module-level constant",
        ),
        ('await gql("mutation { logout(input: {}) { ok } }");\n', "page.js:1: a literal"),
        ("const A = `query { ${fields()} }`;\n", "A: ${fields()} is not an earlier string"),
        ("const A = `query { ${LATER} }`;\nconst LATER = `id`;\n", "${LATER} is not an"),
        ('const F = "id" + more;\nconst A = `{ roles { ${F} } }`;\n', "${F} is not an"),
        ('const A = `query { x(s: "\\u0041") }`;\n', "escape sequences are not read"),
    ],
)
def test_what_cannot_be_read_is_refused(tmp_path: Path, source: str, problem: str) -> None:
    with pytest.raises(SourceProblem) as refused:
        read_documents(_spa(tmp_path, source), tmp_path)
    assert problem in str(refused.value)


def test_a_document_that_does_not_fit_the_schema_is_refused(tmp_path: Path) -> None:
    _spa(tmp_path, "const A = `query Nope { noSuchField }`;\n")
    with pytest.raises(SourceProblem, match=r"page\.js A: does not fit the schema"):
        build_manifest(tmp_path / "frontend")
