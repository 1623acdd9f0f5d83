"""Hypothesis-generated selections over the planned types (any field, alias, @skip and
@include, inline fragments and named fragments, __typename), with every filter, order and
caller: both paths answer with the same bytes. Derandomised and bounded, so a run always
tries the same hundred operations."""

from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    get_named_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from backend.api.schema import schema
from backend.planner.mapping import PLANNED_TYPES
from tests.planner.cases import CALLERS, COUNT_FILTERS, LIST_FILTERS, ORDERS
from tests.planner.conftest import World, assert_same, both_paths, data_of

EXAMPLES = 100
MAX_DEPTH = 4


@dataclass(frozen=True)
class Operation:
    text: str
    variables: dict[str, Any]
    caller: str
    # Index into the world's staff ids for staffMember(id:), chosen before the world exists.
    staff_index: int | None


def _selectable(field: GraphQLField) -> bool:
    named = get_named_type(field.type)
    return is_leaf_type(named) or named.name in PLANNED_TYPES


def _object_type(type_: GraphQLOutputType) -> GraphQLObjectType | None:
    named = get_named_type(type_)
    return named if isinstance(named, GraphQLObjectType) else None


class _Fragments:
    """Named fragments drawn for one operation, written after it."""

    def __init__(self) -> None:
        self.definitions: list[str] = []

    def add(self, type_name: str, selection: str) -> str:
        name = f"F{len(self.definitions)}"
        self.definitions.append(f"fragment {name} on {type_name} {{ {selection} }}")
        return name


@st.composite
def selection_of(
    draw: st.DrawFn, type_: GraphQLObjectType, depth: int, fragments: _Fragments
) -> str:
    names = sorted(name for name, field in type_.fields.items() if _selectable(field))
    if depth >= MAX_DEPTH:
        names = [name for name in names if _object_type(type_.fields[name].type) is None]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=6, unique=True))
    parts = []
    if draw(st.booleans()):
        parts.append("__typename")
    for name in chosen:
        part = draw(st.sampled_from([name, f"a_{name}: {name}"]))
        part += draw(
            st.sampled_from(
                [
                    "",
                    "",
                    "",
                    " @include(if: true)",
                    " @include(if: false)",
                    " @skip(if: true)",
                    " @skip(if: false)",
                ]
            )
        )
        inner_type = _object_type(type_.fields[name].type)
        if inner_type is not None:
            part += " { " + draw(selection_of(inner_type, depth + 1, fragments)) + " }"
        wrap = draw(st.sampled_from(["plain", "plain", "inline", "typed", "named"]))
        if wrap == "inline":
            part = "... { " + part + " }"
        elif wrap == "typed":
            part = f"... on {type_.name} {{ {part} }}"
        elif wrap == "named":
            part = "..." + fragments.add(type_.name, part)
        parts.append(part)
    return " ".join(parts)


def _type(name: str) -> GraphQLObjectType:
    found = schema._schema.get_type(name)
    assert isinstance(found, GraphQLObjectType)
    return found


@st.composite
def operations(draw: st.DrawFn) -> Operation:
    fragments = _Fragments()
    roots = draw(
        st.lists(
            st.sampled_from(["staffMembers", "staffCounts", "staffMember"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    declared, variables, fields = [], {}, []
    staff_index = None
    for root in roots:
        if root == "staffMembers":
            declared += ["$filter: StaffFilter", "$orderBy: StaffOrderBy", "$first: Int"]
            variables["filter"] = draw(st.sampled_from(LIST_FILTERS))
            variables["orderBy"] = draw(st.sampled_from(ORDERS))
            variables["first"] = draw(st.sampled_from([2, 5, 25]))
            arguments = "(filter: $filter, orderBy: $orderBy, first: $first)"
            type_name = "StaffMemberConnection"
        elif root == "staffCounts":
            declared.append("$countsFilter: StaffCountsFilter")
            variables["countsFilter"] = draw(st.sampled_from(COUNT_FILTERS))
            arguments, type_name = "(filter: $countsFilter)", "StaffCounts"
        else:
            declared.append("$id: ID!")
            staff_index = draw(st.integers(min_value=0, max_value=20))
            arguments, type_name = "(id: $id)", "StaffMember"
        selection = draw(selection_of(_type(type_name), 1, fragments))
        fields.append(f"{root}{arguments} {{ {selection} }}")
    text = f"query Generated({', '.join(declared)}) {{ {' '.join(fields)} }}"
    text = "\n".join([text, *fragments.definitions])
    return Operation(text, variables, draw(st.sampled_from(CALLERS)), staff_index)


@settings(
    derandomize=True,
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    # The world is read-only: sharing it between examples is what keeps the test fast.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operation=operations())
async def test_generated_selections_answer_alike(world: World, operation: Operation) -> None:
    variables = dict(operation.variables)
    if operation.staff_index is not None:
        ids = world.staff_ids
        variables["id"] = ids[operation.staff_index % len(ids)]
    pair = await both_paths(world, operation.caller, operation.text, variables)
    assert_same(pair)
    response = data_of(pair)
    assert pair.plan_used == ("errors" not in response), (operation, response)
    # Shown by --hypothesis-show-statistics: how many examples the plan answered.
    event("planned" if pair.plan_used else "normal path (errors)")
