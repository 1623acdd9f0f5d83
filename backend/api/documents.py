"""How a request names its document: by its text (`query`), by a trusted document's id
(`documentId`, GraphQL over HTTP, Appendix A), or by an Automatic Persisted Query's hash
(`extensions.persistedQuery`, Apollo's protocol). Each way resolves to a text that then
runs like any other — the same parsing, limits, audit and metrics labels. Over POST only:
every answer is private to its caller, so a shared cache has nothing to serve.

Trusted are the SPA's documents (backend/data/spa-documents.json) and registered ones
(backend/services/registered_documents.py); persisted queries are not, since anyone may
add one. With TRUSTED_DOCUMENTS_ONLY a person signed in with the session cookie may run
only trusted documents: the browser runs nothing but the SPA, so anything else is someone
driving a stolen or scripted browser session. Bearer sessions and API clients are not
restricted: the mobile app and partners may write their own documents against the
published schema."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from graphql import GraphQLError
from starlette.responses import Response
from strawberry.types import ExecutionResult

from backend import observability
from backend.api.error_codes import ErrorCode, http_status
from backend.config import Settings
from backend.documents.graphql_check import has_string_literal
from backend.documents.ids import PREFIX, document_id, is_document_id, is_sha256_hex
from backend.services import persisted_queries, registered_documents

logger = logging.getLogger(__name__)

# What Apollo clients look for (they match the message, not the code).
PERSISTED_QUERY_NOT_FOUND = "PersistedQueryNotFound"
# The errors that mean a text is not a runnable document: an APQ registration that met
# one is not kept.
_NOT_A_DOCUMENT = {ErrorCode.GRAPHQL_PARSE_FAILED.name, ErrorCode.GRAPHQL_VALIDATION_FAILED.name}


@dataclass(frozen=True)
class NamedDocument:
    """What a request says about its document, as sent."""

    method: str
    query: str | None
    document_id: object
    persisted_query: object


@dataclass(frozen=True)
class Resolved:
    # None when the request has no document at all (strawberry refuses it as before).
    text: str | None
    trusted: bool
    # The hash to keep the text under once it ran (an APQ registration), else None.
    store_as: str | None = None


class Refused(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TrustedDocuments:
    """The SPA's documents (in memory) and the registered ones (in the database)."""

    def __init__(self, spa: Mapping[str, str]) -> None:
        self._spa = spa

    async def find(self, identifier: str) -> str | None:
        return self._spa.get(identifier) or await registered_documents.find(identifier)

    async def has(self, text: str) -> bool:
        return await self.find(document_id(text)) is not None


async def resolve(named: NamedDocument, *, trusted: TrustedDocuments, restricted: bool) -> Resolved:
    """The text to run; `restricted` (TRUSTED_DOCUMENTS_ONLY, a cookie session) refuses
    any but a trusted one."""
    resolved = await _resolve(named, trusted, check_trust=restricted)
    if restricted and resolved.text is not None and not resolved.trusted:
        raise Refused(
            ErrorCode.DOCUMENT_NOT_TRUSTED,
            "This server runs only the app's own documents for a signed-in browser session"
            " (TRUSTED_DOCUMENTS_ONLY); this one is not among them.",
        )
    return resolved


def refusal(refused: Refused, response: Response, request_id: str | None) -> ExecutionResult:
    """The answer to a refused request, logged and counted as other request errors are."""
    logger.info("request error %s: %s (request %s)", refused.code.name, refused.message, request_id)
    observability.count_error_codes([refused.code.name])
    response.status_code = http_status(refused.code)
    error = GraphQLError(refused.message, extensions={"code": refused.code.name})
    return ExecutionResult(data=None, errors=[error])


async def keep_persisted_query(
    resolved: Resolved, result: ExecutionResult, settings: Settings
) -> None:
    """Keeps an APQ registration whose text turned out to be a runnable document. Not one
    with string values written into it: they belong in variables, and may be a password
    that must not be stored. The answer is ready by now: a text not kept only means the
    client sends it again."""
    if resolved.store_as is None or resolved.text is None:
        return
    codes = {str((error.extensions or {}).get("code")) for error in result.errors or []}
    if codes & _NOT_A_DOCUMENT:
        return
    if has_string_literal(resolved.text):
        logger.info("persisted query not kept: it holds string values (use variables)")
        return
    if len(resolved.text) > persisted_queries.MAX_STORED_CHARACTERS:
        # The store is bounded by count: without a size bound too, anyone could fill it
        # with padded texts of the largest request (and push real ones out).
        logger.info(
            "persisted query not kept: longer than %d characters",
            persisted_queries.MAX_STORED_CHARACTERS,
        )
        return
    try:
        await persisted_queries.store(resolved.store_as, resolved.text, settings=settings)
    # Whatever the driver raises: see above.
    except Exception as error:
        logger.warning("persisted query not kept: %s", type(error).__name__)


async def _resolve(
    named: NamedDocument, trusted: TrustedDocuments, *, check_trust: bool
) -> Resolved:
    # `check_trust`: whether a text sent as such is trusted (a hash and maybe a read); a
    # document sent by id or hash is looked up anyway.
    if named.document_id is None and named.persisted_query is None:
        if named.query is None:
            return Resolved(text=None, trusted=False)
        return Resolved(text=named.query, trusted=check_trust and await trusted.has(named.query))
    if named.method != "POST":
        raise Refused(
            ErrorCode.METHOD_NOT_ALLOWED,
            "Documents named by documentId or extensions.persistedQuery are accepted over"
            " POST only.",
        )
    if named.document_id is not None:
        return await _by_document_id(named, trusted)
    return await _by_persisted_query(named, trusted)


async def _by_document_id(named: NamedDocument, trusted: TrustedDocuments) -> Resolved:
    if not is_document_id(named.document_id):
        raise Refused(
            ErrorCode.BAD_REQUEST,
            "documentId must be `sha256:` and 64 lower-case hex digits: the SHA-256 of the"
            " document's text.",
        )
    if named.query is not None or named.persisted_query is not None:
        raise Refused(
            ErrorCode.BAD_REQUEST,
            "Send a document by its text (query), its id (documentId) or its persisted query"
            " hash, not by two of them.",
        )
    assert isinstance(named.document_id, str)
    text = await trusted.find(named.document_id)
    if text is None:
        raise Refused(
            ErrorCode.PERSISTED_DOCUMENT_NOT_FOUND,
            "No trusted document has this documentId: only the app's own documents and"
            " registered ones are known by id. Send the query instead.",
        )
    return Resolved(text=text, trusted=True)


async def _by_persisted_query(named: NamedDocument, trusted: TrustedDocuments) -> Resolved:
    extension = named.persisted_query
    if not (
        isinstance(extension, dict)
        and extension.get("version") == 1
        and is_sha256_hex(extension.get("sha256Hash"))
    ):
        raise Refused(
            ErrorCode.BAD_REQUEST,
            "extensions.persistedQuery must be {version: 1, sha256Hash: 64 lower-case hex digits}.",
        )
    sha256 = str(extension["sha256Hash"])
    known = await trusted.find(PREFIX + sha256)
    if named.query is not None:
        if document_id(named.query) != PREFIX + sha256:
            raise Refused(
                ErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
                "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent"
                " with it: nothing was stored or run.",
            )
        return Resolved(
            text=named.query, trusted=known is not None, store_as=None if known else sha256
        )
    if known is not None:
        return Resolved(text=known, trusted=True)
    stored = await persisted_queries.find(sha256)
    if stored is None:
        raise Refused(ErrorCode.PERSISTED_QUERY_NOT_FOUND, PERSISTED_QUERY_NOT_FOUND)
    return Resolved(text=stored, trusted=False)
