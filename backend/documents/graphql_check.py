"""Whether a text is a document the API can run: valid GraphQL, exactly one operation
(with any fragments it uses), and valid against the schema. The SPA's documents and
registered ones are checked once, when they are read, rather than failing later for
whoever sends them."""

from dataclasses import dataclass

from graphql import GraphQLError, OperationDefinitionNode, Source, TokenKind, parse, validate
from graphql.language import Lexer
from graphql.validation import specified_rules

from backend.api.schema import LIMIT_RULES, schema


@dataclass(frozen=True)
class CheckedDocument:
    operation_type: str  # "query", "mutation" or "subscription"
    operation_name: str | None


class DocumentProblem(ValueError):
    """Why a text is not a runnable document, in one sentence."""


def check_document(body: str) -> CheckedDocument:
    try:
        document = parse(body)
    except GraphQLError as error:
        raise DocumentProblem(f"not valid GraphQL: {error.message}") from None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        raise DocumentProblem(
            f"a document must hold exactly one operation (this one has {len(operations)})"
        )
    # The depth and alias limits too: a document over them would be refused at every use.
    errors = validate(schema._schema, document, [*specified_rules, *LIMIT_RULES])
    if errors:
        raise DocumentProblem(
            "does not fit the schema: " + "; ".join(error.message for error in errors[:3])
        )
    (operation,) = operations
    return CheckedDocument(
        operation_type=operation.operation.value,
        operation_name=operation.name.value if operation.name else None,
    )



def has_string_literal(body: str) -> bool:
    """Whether the text holds a string value (which could be a password) rather than only
    variables. Unparsable text counts as holding one."""
    lexer = Lexer(Source(body))
    try:
        while (token := lexer.advance()).kind != TokenKind.EOF:
            if token.kind in (TokenKind.STRING, TokenKind.BLOCK_STRING):
                return True
    except GraphQLError:
        return True
    return False
