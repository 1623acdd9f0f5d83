"""Checks a request's variables before graphql-core coerces them.

A missing or mistyped variable is the client's mistake: it is answered BAD_USER_INPUT with
a message that names the variable's path and the problem ("Variable $input is missing the
required field newPasswordConfirmation."). graphql-core's own coercion errors quote the
whole value, passwords included, so it never gets to report them."""

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    get_operation_ast,
    is_input_type,
)
from graphql.pyutils import Undefined
from graphql.utilities import type_from_ast
from strawberry.extensions import SchemaExtension

from backend.api.input_problems import value_problems

BAD_USER_INPUT = "BAD_USER_INPUT"


def variable_errors(
    schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> list[GraphQLError]:
    errors = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if type_ is None or not is_input_type(type_):
            continue  # validation has reported it
        value = variables.get(name, Undefined)
        if value is Undefined and definition.default_value is not None:
            continue  # the default applies; validation checked it
        for problem in value_problems(value, type_):
            errors.append(
                GraphQLError(
                    problem.sentence(f"Variable ${name}"),
                    definition,
                    extensions={"code": BAD_USER_INPUT},
                )
            )
    return errors


class CheckVariables(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        variables = context.variables if isinstance(context.variables, dict) else {}
        operation = (
            get_operation_ast(document, context.operation_name) if document is not None else None
        )
        if operation is not None and context.result is None:
            errors = variable_errors(context.schema._schema, operation, variables)
            if errors:
                # A result set before execution makes strawberry skip executing.
                context.result = ExecutionResult(data=None, errors=errors)
        yield
