"""The trusted-documents commands of the CLI: `documents add` and `documents list` for the
documents client teams register, and `export-documents` (`make documents`), which writes
the SPA's manifest from frontend/src."""

import argparse
import sys
from pathlib import Path

from backend.config import Settings
from backend.db import apply_migrations, close_database, open_database


def add_parsers(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    documents = commands.add_parser(
        "documents", help="register and list trusted GraphQL documents (mobile apps, partners)"
    )
    actions = documents.add_subparsers(dest="action", required=True)
    add = actions.add_parser(
        "add",
        help="register the operations of an Apollo persisted query manifest (immutable:"
        " registered documents are never changed or removed)",
    )
    add.add_argument("manifest", type=Path, help="the manifest file (JSON)")
    actions.add_parser("list", help="list the trusted documents: the SPA's and registered ones")
    export = commands.add_parser(
        "export-documents", help="write the SPA's manifest of documents from frontend/src"
    )
    export.add_argument("--check", action="store_true", help="fail if the file is stale")


async def documents(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "add":
        return await _add(settings, args.manifest)
    return await _list(settings)


async def _add(settings: Settings, path: Path) -> int:
    from backend.documents.apollo_manifest import ManifestProblems, read_manifest
    from backend.services.registered_documents import register

    try:
        new = read_manifest(path)
    except ManifestProblems as refused:
        for problem in refused.problems:
            print(f"error: {problem}", file=sys.stderr)
        print("nothing was registered", file=sys.stderr)
        return 1
    if settings.migrate_on_start:
        await apply_migrations(settings.database_url)
    await open_database(settings.database_url)
    try:
        registration = await register(new)
    finally:
        await close_database()
    for document in registration.added:
        print(f"registered {document.document_id} {_describe(document.manifest_name)}")
    for document in registration.unchanged:
        print(
            f"already registered, unchanged: {document.document_id}"
            f" {_describe(document.manifest_name)}"
        )
    print(
        f"{len(registration.added)} registered, {len(registration.unchanged)} already"
        " registered (registered documents never change)"
    )
    return 0


async def _list(settings: Settings) -> int:
    from backend.documents.spa_manifest import load_spa_documents
    from backend.services.registered_documents import registered

    await open_database(settings.database_url)
    try:
        rows = await registered()
    finally:
        await close_database()
    for row in rows:
        when = row.registered_at.strftime("%Y-%m-%d %H:%M UTC")
        print(f"{row.document_id}  {row.operation_type:<8}  {_describe(row.manifest_name)}  {when}")
    print(
        f"registered documents: {len(rows)}; the app's own: {len(load_spa_documents())}"
        " (backend/data/spa-documents.json)"
    )
    return 0


def _describe(name: str) -> str:
    return name or "(unnamed)"


def export_documents(*, check: bool) -> int:
    from backend.documents.spa_manifest import MANIFEST_FILE, REGENERATE, build_manifest
    from backend.documents.spa_source import SourceProblem
    from backend.spa import FRONTEND_DIR

    try:
        text = build_manifest(FRONTEND_DIR)
    except SourceProblem as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    if check:
        if not MANIFEST_FILE.exists() or MANIFEST_FILE.read_text(encoding="utf-8") != text:
            print(f"{MANIFEST_FILE} is stale: run `{REGENERATE}`", file=sys.stderr)
            return 1
        print(f"{MANIFEST_FILE} is up to date")
        return 0
    MANIFEST_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {MANIFEST_FILE}")
    return 0
