"""What is wrong with an input value — a request's variable or a literal in the document —
told by its path and its type, never by quoting it: inputs carry passwords, PINs, tokens
and codes, and these messages are shown to clients and logged.

graphql-core's own messages quote the whole offending value ("…, found: {'password': …}"),
so the API never shows them; it walks the value here instead and names the problem."""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    EnumValueNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLScalarType,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    is_input_object_type,
    is_list_type,
    is_non_null_type,
    is_required_input_field,
)
from graphql.pyutils import Undefined
from graphql.utilities.validate_input_value import validate_input_literal, validate_input_value

Path = tuple[str | int, ...]

# An unknown field's name is the client's text: it is named only when it looks like a
# GraphQL name, not like a value that ended up in the wrong place.
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")

_LEAF_DESCRIPTIONS = {
    "String": "a string",
    "ID": "an ID (a string)",
    "Int": "a 32-bit integer",
    "Float": "a number",
    "Boolean": "true or false",
    "DateTime": "a date and time in ISO 8601, such as 2026-03-01T09:30:00Z",
}


@dataclass(frozen=True)
class InputProblem:
    path: Path
    problem: str

    def sentence(self, subject: str) -> str:
        """E.g. "Variable $input is missing the required field password."."""
        return f"{subject}{format_path(self.path)} {self.problem}."


def format_path(path: Path) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def value_problems(value: Any, type_: GraphQLInputType) -> list[InputProblem]:
    """Problems of a value decoded from JSON (a variable); `Undefined` when it was not sent."""
    return list(_problems(value, type_, ()))


def literal_problems(node: ValueNode, type_: GraphQLInputType) -> list[InputProblem]:
    """Problems of a literal of the document. Variables inside it are checked on their own."""
    return list(_problems(node, type_, ()))


def _problems(value: Any, type_: GraphQLInputType, path: Path) -> Iterator[InputProblem]:
    if isinstance(value, VariableNode):
        return
    is_null = value is None or isinstance(value, NullValueNode)
    if is_non_null_type(type_):
        if value is Undefined:
            yield InputProblem(path, f"was not provided ({type_})")
        elif is_null:
            yield InputProblem(path, f"must not be null ({type_})")
        else:
            yield from _problems(value, type_.of_type, path)
        return
    if value is Undefined or is_null:
        return
    if is_list_type(type_):
        item_type = type_.of_type
        for index, item in enumerate(_list_items(value)):
            yield from _problems(item, item_type, (*path, index))
    elif is_input_object_type(type_):
        assert isinstance(type_, GraphQLInputObjectType)
        yield from _object_problems(value, type_, path)
    elif not _leaf_is_valid(value, type_):
        yield InputProblem(path, f"must be {_leaf_description(type_)}")
    elif _holds_nul(value):
        # No text we store or compare may hold it: PostgreSQL refuses it in any text.
        yield InputProblem(path, "must not contain the NUL character (U+0000)")


def _holds_nul(value: Any) -> bool:
    text = value.value if isinstance(value, StringValueNode) else value
    return isinstance(text, str) and "\x00" in text


def _object_problems(
    value: Any, type_: GraphQLInputObjectType, path: Path
) -> Iterator[InputProblem]:
    fields = _object_fields(value)
    if fields is None:
        yield InputProblem(path, f"must be an input object ({type_.name})")
        return
    for name, field in type_.fields.items():
        given = fields.get(name, Undefined)
        if given is Undefined:
            if is_required_input_field(field):
                yield InputProblem(path, f"is missing the required field {name}")
        else:
            yield from _problems(given, field.type, (*path, name))
    for name in fields:
        if name not in type_.fields:
            shown = f" {name}" if _NAME.fullmatch(name) else ""
            yield InputProblem(path, f"has the unknown field{shown}")
    if type_.is_one_of and sum(1 for name in fields if name in type_.fields) != 1:
        yield InputProblem(path, f"must set exactly one field ({type_.name})")


def _list_items(value: Any) -> list[Any]:
    if isinstance(value, ListValueNode):
        return list(value.values)
    if isinstance(value, list | tuple):
        return list(value)
    return [value]  # GraphQL reads a single value as a list of one


def _object_fields(value: Any) -> Mapping[str, Any] | None:
    if isinstance(value, ObjectValueNode):
        return {field.name.value: field.value for field in value.fields}
    if isinstance(value, dict):
        return {str(key): item for key, item in value.items()}
    return None


def _leaf_is_valid(value: Any, type_: GraphQLInputType) -> bool:
    """graphql-core's own check of a scalar or enum value; only whether it failed is used."""
    failed: list[GraphQLError] = []

    def on_error(error: GraphQLError, _path: list[str | int]) -> None:
        failed.append(error)

    if isinstance(value, ValueNode):
        if isinstance(type_, GraphQLEnumType) and not isinstance(value, EnumValueNode):
            return False
        validate_input_literal(value, type_, on_error)
    else:
        validate_input_value(value, type_, on_error)
    return not failed


def _leaf_description(type_: GraphQLInputType) -> str:
    if isinstance(type_, GraphQLEnumType):
        return "one of " + ", ".join(type_.values)
    name = type_.name if isinstance(type_, GraphQLScalarType) else str(type_)
    return _LEAF_DESCRIPTIONS.get(name, f"a valid {name}")
