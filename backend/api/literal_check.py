"""Literals of the document checked without quoting them: graphql-core's
ValuesOfCorrectTypeRule reports "…, found: { username: "x", password: "…" }", which puts
the whole input object, secrets included, into the answer and the log."""

from collections.abc import Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    GraphQLError,
    GraphQLInputType,
    ValidationRule,
    ValuesOfCorrectTypeRule,
    VariableDefinitionNode,
    is_input_type,
)
from graphql.language import SKIP, VisitorAction
from graphql.utilities import type_from_ast
from strawberry.extensions import SchemaExtension

from backend.api.input_problems import literal_problems


class ValueFreeLiteralsRule(ValidationRule):
    """A document is valid only if each literal fits the type at its position (as
    ValuesOfCorrectTypeRule checks); the errors name the argument and path, not the value."""

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> VisitorAction:
        type_ = self.context.get_input_type()  # the argument's type (TypeInfo runs first)
        self._check(node.value, type_, f"Argument {node.name.value}")
        return SKIP

    def enter_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> VisitorAction:
        if node.default_value is not None:
            type_ = type_from_ast(self.context.schema, node.type)
            subject = f"The default value of ${node.variable.name.value}"
            if type_ is not None and is_input_type(type_):
                self._check(node.default_value, type_, subject)
        return SKIP

    def _check(self, value: Any, type_: GraphQLInputType | None, subject: str) -> None:
        if type_ is None:
            return  # an unknown argument or type: other rules report it
        for problem in literal_problems(value, type_):
            self.report_error(GraphQLError(problem.sentence(subject), value))


def value_free_rules(rules: tuple[type[Any], ...]) -> tuple[type[Any], ...]:
    return tuple(
        ValueFreeLiteralsRule if rule is ValuesOfCorrectTypeRule else rule for rule in rules
    )


class ValueFreeLiterals(SchemaExtension):
    """Swaps graphql-core's ValuesOfCorrectTypeRule for ValueFreeLiteralsRule. The rules
    are part of the validation cache's key: the swap gives the same tuple every time."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = value_free_rules(context.validation_rules)
        yield
