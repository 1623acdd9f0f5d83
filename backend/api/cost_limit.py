"""A cost limit on the list items an operation may request (GRAPHQL_MAX_COST)."""

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import SchemaExtension

from backend.api.context import Context
from backend.config import Settings


def _argument_default(argument: GraphQLArgument) -> Any:
    if isinstance(argument.default_value, int):
        return argument.default_value
    default = getattr(argument, "default", None)  # graphql-core 3.3: value or literal
    if default is None:
        return None
    literal = getattr(default, "literal", None)
    if isinstance(literal, IntValueNode):
        return int(literal.value)
    return getattr(default, "value", None)


def operation_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> int:
    """Sum over fields with a `first` argument of `first`, times the `first` of the
    connections they are nested in. Unknown fields count nothing (validation reports
    them)."""
    variable_defaults: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        default = definition.default_value
        if isinstance(default, IntValueNode):
            variable_defaults[definition.variable.name.value] = int(default.value)

    def first_of(node: FieldNode, field: GraphQLField) -> int:
        value = _argument_default(field.args["first"])
        for given in node.arguments or ():
            if given.name.value != "first":
                continue
            if isinstance(given.value, IntValueNode):
                value = int(given.value.value)
            elif isinstance(given.value, VariableNode):
                name = given.value.name.value
                if variables.get(name) is not None:
                    value = variables[name]
                elif name in variable_defaults:
                    value = variable_defaults[name]
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0

    def walk(
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        multiplier: int,
        seen: frozenset[str],
    ) -> int:
        if selection_set is None or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                field = parent.fields.get(selection.name.value)
                if field is None:
                    continue
                inner = multiplier
                if "first" in field.args:
                    inner = multiplier * first_of(selection, field)
                    total += inner
                total += walk(selection.selection_set, get_named_type(field.type), inner, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = schema.get_type(condition.name.value) if condition else parent
                total += walk(selection.selection_set, target, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = schema.get_type(fragment.type_condition.name.value)
                total += walk(fragment.selection_set, target, multiplier, seen | {name})
        return total

    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    return walk(operation.selection_set, root, 1, frozenset())


class CostLimit(SchemaExtension):
    """Refuses, before execution, an operation whose cost exceeds GRAPHQL_MAX_COST.

    Runs in `on_validate` before validation proper (variables are known here, not in a
    validation rule); list it after `ValidationCache` so cached validation errors win."""

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None and not ctx.pre_execution_errors:
            context = ctx.context
            settings = context.settings if isinstance(context, Context) else Settings()
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            variables = ctx.variables or {}
            costs = [
                operation_cost(ctx.schema._schema, d, fragments, variables)
                for d in document.definitions
                if isinstance(d, OperationDefinitionNode)
                and (ctx.operation_name is None or (d.name and d.name.value == ctx.operation_name))
            ]
            cost = max(costs, default=0)
            if cost > settings.graphql_max_cost:
                ctx.pre_execution_errors = [
                    GraphQLError(
                        f"This operation asks for up to {cost} list items; the limit is "
                        f"{settings.graphql_max_cost}. Ask for smaller pages.",
                        # Capped: a huge `first` (from a variable) must still encode as JSON.
                        extensions={"code": "COST_LIMIT", "cost": min(cost, 2**53)},
                    )
                ]
        yield
