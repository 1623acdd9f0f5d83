"""Documents client teams register (`staff-accounts documents add`), trusted beside the
SPA's own. They are immutable: an id is the SHA-256 of its text, so a changed text is
another document, and none is updated or deleted here — an app version still in people's
hands may send it for years. Registering what is already there changes nothing."""

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.documents.ids import document_id
from backend.models import RegisteredDocument


@dataclass(frozen=True)
class NewDocument:
    document_id: str
    body: str
    operation_type: str
    operation_name: str | None
    manifest_name: str = ""


@dataclass(frozen=True)
class Registration:
    added: list[NewDocument]
    # Registered before (by an earlier run, or listed twice): left as they were.
    unchanged: list[NewDocument]


class NotItsId(ValueError):
    """A document whose id is not the SHA-256 of its text."""


async def register(documents: Sequence[NewDocument]) -> Registration:
    """Adds the documents not registered yet, all in one transaction."""
    for document in documents:
        if document_id(document.body) != document.document_id:
            raise NotItsId(f"{document.document_id} is not the id of its text")
    try:
        return await _register_new(documents)
    except IntegrityError:
        # Another process registered one of them meanwhile: this run now finds it.
        return await _register_new(documents)


async def _register_new(documents: Sequence[NewDocument]) -> Registration:
    added: list[NewDocument] = []
    unchanged: list[NewDocument] = []
    async with in_transaction() as db:
        rows = (
            await RegisteredDocument.filter(
                document_id__in=[document.document_id for document in documents]
            )
            .using_db(db)
            .values_list("document_id", flat=True)
        )
        known = {str(row) for row in rows}
        for document in documents:
            if document.document_id in known:
                unchanged.append(document)
                continue
            known.add(document.document_id)
            added.append(document)
        await RegisteredDocument.bulk_create(
            [
                RegisteredDocument(
                    document_id=document.document_id,
                    body=document.body,
                    operation_type=document.operation_type,
                    operation_name=document.operation_name,
                    manifest_name=document.manifest_name,
                )
                for document in added
            ],
            using_db=db,
        )
    return Registration(added=added, unchanged=unchanged)


async def find(document_id: str) -> str | None:
    """The text of a registered document, or None."""
    found = await RegisteredDocument.filter(document_id=document_id).values_list(
        "body", flat=True
    )
    return str(found[0]) if found else None


async def registered() -> list[RegisteredDocument]:
    return await RegisteredDocument.all().order_by("registered_at", "document_id")
