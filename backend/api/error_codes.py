"""The codes of top-level GraphQL errors (`errors[].extensions.code`) and the HTTP status
each is answered with: the one table later work extends. The schema publishes it as the
documented enum `ErrorCode`; the README prints the same table (a test keeps them in step).

Failures a mutation expects are not here: they are `userErrors` with a UserErrorCode
(per-account limits such as TOO_MANY_ATTEMPTS and RATE_LIMITED among them)."""

from enum import Enum

import strawberry
from strawberry.types.enum import EnumValueDefinition

# name -> (HTTP status, meaning), filled by _code as the enum is defined.
_TABLE: dict[str, tuple[int, str]] = {}


def _code(name: str, status: int, meaning: str) -> EnumValueDefinition:
    _TABLE[name] = (status, meaning)
    return strawberry.enum_value(name, description=f"HTTP {status}. {meaning}")


# Request errors answer 200 with application/json, as GraphQL over HTTP has it for that
# media type; only the codes of the HTTP layer and of overload and outage change it.
@strawberry.enum(
    description="Values of `extensions.code` on top-level GraphQL errors; each value says "
    "the HTTP status it is answered with. Failures a mutation expects (validation, "
    "duplicates, per-account limits) are userErrors instead."
)
class ErrorCode(Enum):
    GRAPHQL_PARSE_FAILED = _code(
        "GRAPHQL_PARSE_FAILED", 200, "The document is not valid GraphQL syntax."
    )
    GRAPHQL_VALIDATION_FAILED = _code(
        "GRAPHQL_VALIDATION_FAILED",
        200,
        "The document does not fit the schema or its limits (depth, aliases, tokens).",
    )
    BAD_USER_INPUT = _code(
        "BAD_USER_INPUT",
        200,
        "A variable or argument is missing, of the wrong type or not valid (a cursor of "
        "another list order, say); the message names its path and the problem, never the "
        "value.",
    )
    BAD_REQUEST = _code(
        "BAD_REQUEST",
        400,
        "Not a GraphQL request: the body is not JSON, holds no query, or names an operation "
        "the document does not have.",
    )
    NOT_FOUND = _code("NOT_FOUND", 404, "No such endpoint (the path is not one of the API's).")
    METHOD_NOT_ALLOWED = _code(
        "METHOD_NOT_ALLOWED", 405, "The endpoint does not take this HTTP method."
    )
    UNAUTHENTICATED = _code(
        "UNAUTHENTICATED",
        200,
        "Sign in first: there is no live session (or no live API client secret).",
    )
    FORBIDDEN = _code(
        "FORBIDDEN",
        200,
        "Signed in, but the role does not allow it; for an API client, the message names "
        "the missing scope (or says that only people may do it).",
    )
    PASSWORD_CHANGE_REQUIRED = _code(
        "PASSWORD_CHANGE_REQUIRED",
        200,
        "An administrator requires a new password of this account: choose one first "
        "(passwordChange).",
    )
    TWO_FACTOR_ENROLLMENT_REQUIRED = _code(
        "TWO_FACTOR_ENROLLMENT_REQUIRED",
        200,
        "The practice requires two-factor sign-in of this account: enrol first.",
    )
    INTROSPECTION_DISABLED = _code(
        "INTROSPECTION_DISABLED", 200, "Introspection is for development and bearer sessions."
    )
    COST_LIMIT = _code("COST_LIMIT", 200, "The operation asks for too many list items.")
    TIMEOUT = _code("TIMEOUT", 200, "The operation ran too long and was cancelled.")
    CSRF = _code("CSRF", 403, "A cookie-authenticated request that looks cross-site.")
    PAYLOAD_TOO_LARGE = _code("PAYLOAD_TOO_LARGE", 413, "The request body is over the limit.")
    TOO_MANY_REQUESTS = _code(
        "TOO_MANY_REQUESTS",
        429,
        "The server is busy (too many sign-ins at once, say), or an API client used up its "
        "rate limit: wait "
        "`extensions.retryAfterSeconds` (also in Retry-After), then retry.",
    )
    SERVICE_UNAVAILABLE = _code(
        "SERVICE_UNAVAILABLE",
        503,
        "The database is briefly unreachable: retry after `extensions.retryAfterSeconds`.",
    )
    IDEMPOTENCY_KEY_REUSED = _code(
        "IDEMPOTENCY_KEY_REUSED",
        200,
        "The Idempotency-Key was used in the last 24 hours for a different request: use a "
        "new key for a new request. Nothing was changed.",
    )
    IDEMPOTENCY_KEY_IN_USE = _code(
        "IDEMPOTENCY_KEY_IN_USE",
        200,
        "A request with this Idempotency-Key was in progress and did not complete: retry.",
    )
    PERSISTED_QUERY_NOT_FOUND = _code(
        "PERSISTED_QUERY_NOT_FOUND",
        200,
        "Automatic Persisted Queries: the server does not know this sha256Hash (the message "
        "is PersistedQueryNotFound, as Apollo clients expect): send it again with the query.",
    )
    PERSISTED_QUERY_HASH_MISMATCH = _code(
        "PERSISTED_QUERY_HASH_MISMATCH",
        400,
        "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it: "
        "nothing was stored or run.",
    )
    PERSISTED_DOCUMENT_NOT_FOUND = _code(
        "PERSISTED_DOCUMENT_NOT_FOUND",
        400,
        "The documentId names none of the trusted documents (the app's own and registered "
        "ones): send the query instead.",
    )
    DOCUMENT_NOT_TRUSTED = _code(
        "DOCUMENT_NOT_TRUSTED",
        403,
        "With TRUSTED_DOCUMENTS_ONLY, a session cookie may run only trusted documents (the "
        "app's own and registered ones). Nothing was run.",
    )
    INTERNAL_SERVER_ERROR = _code(
        "INTERNAL_SERVER_ERROR",
        200,
        "A bug on our side; the message quotes a reference (the request id) to report.",
    )


def http_status(code: ErrorCode | str) -> int:
    return _TABLE[code if isinstance(code, str) else code.name][0]


def meaning(code: ErrorCode) -> str:
    return _TABLE[code.name][1]
