"""What becomes of every error of an operation: each gets a code of the ErrorCode table,
a message that quotes no input value, one log line at the right level, and the HTTP
status of its code.

- A client's mistake (syntax, validation, a bad variable) keeps its message, which names
  the problem and its path, with any input value that still slipped in cut out and
  without graphql-core's "Did you mean …?" (the schema is not to be guessed from it); it
  is logged at INFO without a traceback.
- Overload is TOO_MANY_REQUESTS (HTTP 429 and Retry-After); a database outage met by a
  resolver is SERVICE_UNAVAILABLE (HTTP 503 and Retry-After), logged as one WARNING line.
- Anything else is a bug: logged once at ERROR with its traceback and the request id,
  shown to the client only as a sentence quoting that id."""

import logging
import re
import traceback
from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, StringValueNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from backend import observability
from backend.api.context import Context
from backend.api.error_codes import ErrorCode, http_status
from backend.db_errors import (
    OUTAGE_MESSAGE,
    OUTAGE_RETRY_AFTER_SECONDS,
    is_database_unavailable,
    unavailability_cause,
)
from backend.services.errors import Overloaded

logger = logging.getLogger(__name__)

# Input values shorter than this are not cut out of messages: they would mangle words
# ("a", "id") and carry no secret (the shortest, a PIN, has four characters).
_MIN_REDACTED_LENGTH = 4
_REDACTED = "…"
# A string literal of a document, for when it could not be parsed.
_STRING_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SUGGESTION = re.compile(r"\s*Did you mean\b.*$", re.DOTALL)
# A token that carries text of the document, as graphql-core's lexer quotes it.
_QUOTED_TOKEN = re.compile(r"""\b(Name|String|BlockString|Int|Float) (['"]).*?\2""")


class ErrorPolicy(SchemaExtension):
    _validation_error_ids: frozenset[int] = frozenset()

    def on_validate(self) -> Iterator[None]:
        yield
        errors = self.execution_context.pre_execution_errors or []
        self._validation_error_ids = frozenset(id(error) for error in errors)

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context = self.execution_context
        inputs = _input_values(context.graphql_document, context.variables)
        result.errors = [self._apply(error, inputs) for error in result.errors]
        observability.count_error_codes(str((e.extensions or {})["code"]) for e in result.errors)

    def _apply(self, error: GraphQLError, inputs: set[str]) -> GraphQLError:
        context = self.execution_context.context
        request_id = context.meta.request_id if isinstance(context, Context) else None
        original = error.original_error
        if original is not None and is_database_unavailable(original):
            logger.warning(
                "database unavailable in %s (request %s): %s",
                ".".join(str(p) for p in error.path or []) or "operation",
                request_id,
                type(unavailability_cause(original) or original).__name__,
            )
            self._set_status(ErrorCode.SERVICE_UNAVAILABLE, OUTAGE_RETRY_AFTER_SECONDS)
            return _coded(
                error,
                OUTAGE_MESSAGE,
                ErrorCode.SERVICE_UNAVAILABLE,
                retryAfterSeconds=OUTAGE_RETRY_AFTER_SECONDS,
            )
        if isinstance(original, Overloaded):
            self._set_status(ErrorCode.TOO_MANY_REQUESTS, original.retry_after_seconds)
            return _coded(
                error,
                original.message,
                ErrorCode.TOO_MANY_REQUESTS,
                retryAfterSeconds=original.retry_after_seconds,
            )
        code = self._client_error_code(error)
        if code is None:
            return masked(error, request_id, inputs)
        message = _without_inputs(_SUGGESTION.sub("", error.message), inputs)
        if code == ErrorCode.GRAPHQL_PARSE_FAILED.name:
            message = _without_quoted_token(message)
        logger.info("request error %s: %s (request %s)", code, message, request_id)
        kept = {key: value for key, value in (error.extensions or {}).items() if key != "code"}
        return _coded(error, message, code, **kept)

    def _client_error_code(self, error: GraphQLError) -> str | None:
        """The error's code when it is the client's doing (or ours, already coded); None
        for a bug."""
        extensions = error.extensions or {}
        if extensions.get("code"):
            return str(extensions["code"])
        if self.execution_context.graphql_document is None:
            return ErrorCode.GRAPHQL_PARSE_FAILED.name
        if id(error) in self._validation_error_ids:
            return ErrorCode.GRAPHQL_VALIDATION_FAILED.name
        if error.path is None and (
            error.original_error is None or isinstance(error.original_error, GraphQLError)
        ):
            # Raised by graphql-core before any field ran: the request's variables, should
            # CheckVariables have let one through.
            return ErrorCode.BAD_USER_INPUT.name
        return None

    def _set_status(self, code: ErrorCode, retry_after_seconds: int | None) -> None:
        context = self.execution_context.context
        if not isinstance(context, Context):
            return
        context.response.status_code = http_status(code)
        if retry_after_seconds is not None:
            context.response.headers["retry-after"] = str(retry_after_seconds)


def masked(error: GraphQLError, request_id: str | None, inputs: set[str]) -> GraphQLError:
    """A bug: logged once with its traceback, shown only as a sentence with the request id.
    Exception messages may quote the values they choked on (Tortoise's validation errors
    do), so the traceback is logged as text with the request's input values cut out."""
    original = error.original_error
    trace = "".join(traceback.format_exception(original)) if original else error.message
    logger.error(
        "unexpected error in %s (request %s)\n%s",
        ".".join(str(p) for p in error.path or []) or "operation",
        request_id,
        _without_inputs(trace, inputs).rstrip(),
    )
    return _coded(
        error,
        f"Unexpected error. Quote reference {request_id} when reporting it.",
        ErrorCode.INTERNAL_SERVER_ERROR,
        requestId=request_id,
    )


def mask_uncoded(
    errors: list[GraphQLError] | None, request_id: str | None, query: str | None, variables: object
) -> None:
    """The last line of defence, for errors that never reached ErrorPolicy (strawberry
    answers an exception raised by an extension itself as a bare error with its text)."""
    if not errors or all((error.extensions or {}).get("code") for error in errors):
        return
    inputs = _input_values(None, variables) | set(_STRING_LITERAL.findall(query or ""))
    for index, error in enumerate(errors):
        if not (error.extensions or {}).get("code"):
            errors[index] = masked(error, request_id, inputs)
            observability.count_error_codes([ErrorCode.INTERNAL_SERVER_ERROR.name])


def _coded(
    error: GraphQLError, message: str, code: ErrorCode | str, **extensions: Any
) -> GraphQLError:
    name = code.name if isinstance(code, ErrorCode) else code
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={**extensions, "code": name},
    )


def _input_values(document: DocumentNode | None, variables: object) -> set[str]:
    """Every string literal of the document and every scalar value of the variables, as
    text (not the keys: they are field names, which messages are meant to name)."""
    found: set[str] = set()

    def collect(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            found.add(str(value))

    if document is not None:
        strings = _StringLiterals()
        visit(document, strings)
        found |= strings.found
    collect(variables)
    return {value for value in found if len(value) >= _MIN_REDACTED_LENGTH}


class _StringLiterals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        self.found.add(node.value)


def _without_inputs(message: str, inputs: set[str]) -> str:
    """`message` without any of `inputs`, in whatever case (the code may lower-case an
    input, as it does usernames, before it reaches an error message)."""
    lowered = message.lower()
    present = [value for value in inputs if value.lower() in lowered]
    # Longest first, so a value containing another is cut out whole.
    for value in sorted(present, key=len, reverse=True):
        message = re.sub(re.escape(value), _REDACTED, message, flags=re.IGNORECASE)
    return message


def _without_quoted_token(message: str) -> str:
    """Syntax errors quote the token they stopped at ("Unexpected Name 'Secret'"), which may
    be an unquoted password: keep the kind of token, drop its text."""
    return _QUOTED_TOKEN.sub(r"\1", message)
