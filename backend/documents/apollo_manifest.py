"""Reading a client team's documents from Apollo's persisted query manifest:
`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "name",
"type", "body"}]}`. Apollo's tools write the id as the bare hex SHA-256 of the body;
`sha256:<hex>` is accepted too. Every problem of the file is reported, each naming its
operation, and none of it is registered unless all of it is sound."""

import json
from pathlib import Path

from backend.documents.graphql_check import DocumentProblem, check_document
from backend.documents.ids import PREFIX, document_id, sha256_hex
from backend.services.registered_documents import NewDocument

FORMAT = "apollo-persisted-query-manifest"


class ManifestProblems(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_manifest(path: Path) -> list[NewDocument]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ManifestProblems([f"{path}: cannot be read ({error.strerror})"]) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ManifestProblems([f"{path}: not a JSON file"]) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ManifestProblems([f'{path}: "format" must be "{FORMAT}"'])
    if manifest.get("version") != 1:
        raise ManifestProblems([f'{path}: "version" must be 1 (the version this reads)'])
    operations = manifest.get("operations")
    if not isinstance(operations, list) or not operations:
        raise ManifestProblems([f'{path}: "operations" must be a list of at least one'])
    documents: list[NewDocument] = []
    problems: list[str] = []
    for position, operation in enumerate(operations, start=1):
        try:
            documents.append(_document(operation))
        except DocumentProblem as problem:
            problems.append(f"operation {position}{_label(operation)}: {problem}")
    if problems:
        raise ManifestProblems(problems)
    return documents


def _document(operation: object) -> NewDocument:
    if not isinstance(operation, dict):
        raise DocumentProblem("must be an object with id, name, type and body")
    body, name, kind, given = (operation.get(key) for key in ("body", "name", "type", "id"))
    if not isinstance(body, str) or not isinstance(given, str):
        raise DocumentProblem('"id" and "body" must be strings')
    if not isinstance(name, str) or kind not in ("query", "mutation", "subscription"):
        raise DocumentProblem('"name" must be a string and "type" query, mutation or subscription')
    if given.removeprefix(PREFIX) != sha256_hex(body):
        raise DocumentProblem(
            f"its id {given} is not the SHA-256 of its body (that is {sha256_hex(body)}):"
            " regenerate the manifest rather than edit it"
        )
    checked = check_document(body)
    if checked.operation_type != kind:
        raise DocumentProblem(f'"type" says {kind} but the body is a {checked.operation_type}')
    return NewDocument(
        document_id=document_id(body),
        body=body,
        operation_type=checked.operation_type,
        operation_name=checked.operation_name,
        manifest_name=name,
    )


def _label(operation: object) -> str:
    name = operation.get("name") if isinstance(operation, dict) else None
    return f" ({name})" if isinstance(name, str) and name else ""
