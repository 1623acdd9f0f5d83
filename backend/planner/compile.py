"""An operation compiled into a plan (the fields to answer, with their fragments inlined
and how to complete each value), or a refusal naming what the planner does not cover.

Compiled once per document text and operation name (plans.py); what depends on the
request (variables, @skip/@include) is decided when the plan runs (results.py)."""

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    is_leaf_type,
)
from graphql.type.definition import GraphQLLeafType
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from backend.planner.mapping import PLANNED_ROOT_FIELDS, PLANNED_TYPES

# The only directives the plan evaluates; any other makes the planner refuse.
_CONDITIONS = frozenset({"skip", "include"})

Conditional = FieldNode | InlineFragmentNode | FragmentSpreadNode


class Refusal(Exception):
    """The operation uses something the planner does not cover."""


@dataclass(frozen=True, slots=True)
class Leaf:
    type: GraphQLLeafType


@dataclass(frozen=True, slots=True)
class ListOf:
    item: "Shape"


@dataclass(frozen=True, slots=True)
class NonNull:
    inner: "Shape"


@dataclass(frozen=True, slots=True)
class Selection:
    """The planned fields of one object type, in the order of the response."""

    type: GraphQLObjectType
    fields: tuple["PlannedField", ...]


Shape = Leaf | ListOf | NonNull | Selection


@dataclass(frozen=True, slots=True)
class PlannedField:
    key: str  # the response key (the alias, or the field's name)
    node: FieldNode
    # None for __typename, answered from the parent's type.
    definition: GraphQLField | None
    shape: Shape | None
    # strawberry's attribute read: called with no info object, as strawberry itself does.
    plain: bool
    # Nodes whose @skip/@include decide whether the field is in the response.
    conditions: tuple[Conditional, ...]
    # Shortcuts for the most common field, a scalar attribute (most of a page's fields):
    # the attribute read strawberry would make, and the leaf type whose value it is.
    read: Callable[[Any], Any] | None = None
    leaf: Leaf | None = None
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class Plan:
    root: Selection


def compile_operation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> Plan:
    """The plan of a validated operation; Refusal when anything in it is not covered."""
    if operation.operation != OperationType.QUERY:
        raise Refusal(f"{operation.operation.value} operations are not planned")
    root_type = schema.query_type
    assert root_type is not None
    compiler = _Compiler(schema, fragments)
    return Plan(root=compiler.selection(operation.selection_set, root_type, is_root=True))


class _Compiler:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments

    def selection(
        self, selection_set: SelectionSetNode, type_: GraphQLObjectType, *, is_root: bool = False
    ) -> Selection:
        fields = self._fields(selection_set, type_, (), is_root=is_root, seen_fragments=())
        keys = [field.key for field in fields]
        if len(set(keys)) != len(keys):
            # graphql-core merges fields of one response key; the plan does not.
            raise Refusal(f"a response key is selected twice on {type_.name}")
        return Selection(type=type_, fields=tuple(fields))

    def _fields(
        self,
        selection_set: SelectionSetNode,
        type_: GraphQLObjectType,
        conditions: tuple[Conditional, ...],
        *,
        is_root: bool,
        seen_fragments: tuple[str, ...],
    ) -> list[PlannedField]:
        fields: list[PlannedField] = []
        for node in selection_set.selections:
            assert isinstance(node, Conditional)  # the three kinds of selection
            own = (*conditions, node) if _conditional(node) else conditions
            if isinstance(node, FieldNode):
                fields.append(self._field(node, type_, own, is_root=is_root))
                continue
            if isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else None
                inner = node.selection_set
            else:
                assert isinstance(node, FragmentSpreadNode)
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen_fragments:
                    raise Refusal(f"fragment {name} is unknown or cyclic")
                condition = fragment.type_condition.name.value
                inner = fragment.selection_set
                seen_fragments = (*seen_fragments, name)
            if condition is not None and condition != type_.name:
                # A fragment on an interface or another type would need type resolution.
                raise Refusal(f"a fragment on {condition} inside {type_.name}")
            fields += self._fields(
                inner, type_, own, is_root=is_root, seen_fragments=seen_fragments
            )
        return fields

    def _field(
        self,
        node: FieldNode,
        type_: GraphQLObjectType,
        conditions: tuple[Conditional, ...],
        *,
        is_root: bool,
    ) -> PlannedField:
        name = node.name.value
        key = node.alias.value if node.alias else name
        if name == "__typename":
            return PlannedField(key, node, None, None, plain=True, conditions=conditions)
        if name.startswith("__"):
            raise Refusal("introspection is not planned")
        if is_root and name not in PLANNED_ROOT_FIELDS:
            raise Refusal(f"the root field {name} is not planned")
        definition = type_.fields.get(name)
        if definition is None:
            raise Refusal(f"{type_.name}.{name} is unknown")
        # strawberry marks the resolvers that only read an attribute; a field with
        # extensions (permission classes are one) is not one, whatever the mark says: its
        # checks run in strawberry's resolver, which the plan then calls with an info.
        plain = _is_basic(definition) and getattr(definition.resolve, "_is_default", False) is True
        shape = self._shape(definition.type, node)
        inner = shape.inner if isinstance(shape, NonNull) else shape
        return PlannedField(
            key,
            node,
            definition,
            shape,
            plain=plain,
            conditions=conditions,
            read=_attribute_read(definition) if plain else None,
            leaf=inner if isinstance(inner, Leaf) else None,
            nullable=not isinstance(shape, NonNull),
        )

    def _shape(self, type_: GraphQLOutputType, node: FieldNode) -> Shape:
        if isinstance(type_, GraphQLNonNull):
            return NonNull(self._shape(type_.of_type, node))
        if isinstance(type_, GraphQLList):
            return ListOf(self._shape(type_.of_type, node))
        if is_leaf_type(type_):
            assert isinstance(type_, GraphQLLeafType)
            return Leaf(type_)
        if not isinstance(type_, GraphQLObjectType) or type_.name not in PLANNED_TYPES:
            raise Refusal(f"the type {type_} is not planned")
        assert node.selection_set is not None  # validation requires one
        return self.selection(node.selection_set, type_)


def _is_basic(definition: GraphQLField) -> bool:
    field = definition.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return isinstance(field, StrawberryField) and field.is_basic_field


def _attribute_read(definition: GraphQLField) -> Callable[[Any], Any] | None:
    """What strawberry's resolver of a plain field does (StrawberryField.get_result with
    the default resolver, getattr), without the two calls around it; None when the field
    reads its value some other way."""
    field = definition.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(field, StrawberryField) or not field.is_basic_field:
        return None
    if field.default_resolver is not getattr:
        return None
    return operator.attrgetter(field.python_name)


def _conditional(node: Conditional) -> bool:
    if not node.directives:
        return False
    names = {directive.name.value for directive in node.directives}
    if not names <= _CONDITIONS:
        raise Refusal(f"directives {sorted(names - _CONDITIONS)} are not planned")
    return True
