"""A plan run: each field's value from its own resolver, completed straight into the
response dict. graphql-core's completion does the same with more bookkeeping per field
(an info object, a path, error handling); here a plain attribute costs one call.

The plan only answers when every field resolves without error: an error, a null in a
non-null position, anything unexpected raises, and the caller (executor.py) runs the
operation on the normal executor instead, which answers it with its errors. Resolvers
that return awaitables (the root fields, loader-backed fields) are started together,
level by level, so DataLoaders batch as they do under graphql-core."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLIncludeDirective, GraphQLSkipDirective
from graphql.execution import Executor
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path

from backend.planner.compile import (
    Conditional,
    Leaf,
    ListOf,
    NonNull,
    PlannedField,
    Selection,
    Shape,
)


class NotPlannable(Exception):
    """The value cannot be completed by the plan (graphql-core would raise an error)."""


class _Pending:
    """A field whose resolver returned an awaitable, to complete once it has resolved."""

    __slots__ = ("field", "into", "path", "value")

    def __init__(
        self, into: dict[str, Any], field: PlannedField, value: Awaitable[Any], path: Path
    ) -> None:
        self.into, self.field, self.value, self.path = into, field, value, path


class ResultBuilder:
    def __init__(self, runner: Executor[Any]) -> None:
        # The executor of the request: its resolve infos, variables and leaf completion.
        self.runner = runner
        self.pending: list[_Pending] = []

    async def run(self, root: Selection, root_value: Any) -> dict[str, Any]:
        try:
            data = self._object(root, root_value, None)
            while self.pending:
                level, self.pending = self.pending, []
                # Every awaitable of the level runs to its end, so nothing is left behind
                # when one of them fails; the first failure then abandons the plan.
                values = await asyncio.gather(
                    *(pending.value for pending in level), return_exceptions=True
                )
                for pending, value in zip(level, values, strict=True):
                    if isinstance(value, BaseException):
                        raise value
                    shape = pending.field.shape
                    assert shape is not None
                    pending.into[pending.field.key] = self._complete(shape, value, pending.path)
        finally:
            _close(self.pending)
        return data

    def _object(self, selection: Selection, source: Any, path: Path | None) -> dict[str, Any]:
        type_name = selection.type.name
        out: dict[str, Any] = {}
        for field in selection.fields:
            if field.conditions and not all(map(self._included, field.conditions)):
                continue
            definition, shape = field.definition, field.shape
            if definition is None or shape is None:  # __typename
                out[field.key] = type_name
                continue
            if field.read is not None and field.leaf is not None:
                # A scalar attribute: no path, no info, and the leaf completed in place.
                value = field.read(source)
                if value is None:
                    if not field.nullable:
                        raise NotPlannable("null in a non-null position")
                    out[field.key] = None
                else:
                    out[field.key] = Executor.complete_leaf_value(field.leaf.type, value)
                continue
            resolve: Callable[..., Any] | None = definition.resolve
            assert resolve is not None  # strawberry gives every field a resolver
            field_path = Path(path, field.key, type_name)
            if field.plain:
                value = resolve(source, None)
            else:
                info = self.runner.build_resolve_info(
                    definition, [field.node], selection.type, field_path
                )
                args = (
                    get_argument_values(definition, field.node, self.runner.variable_values)
                    if definition.args
                    else {}
                )
                value = resolve(source, info, **args)
                if self.runner.is_awaitable(value):
                    out[field.key] = None  # keeps the response's key order
                    self.pending.append(_Pending(out, field, value, field_path))
                    continue
            out[field.key] = self._complete(shape, value, field_path)
        return out

    def _complete(self, shape: Shape, value: Any, path: Path) -> Any:
        if isinstance(shape, NonNull):
            if value is None:
                raise NotPlannable("null in a non-null position")
            return self._complete(shape.inner, value, path)
        if value is None:
            return None
        if isinstance(shape, Leaf):
            # What graphql-core's complete_leaf_value does, errors included.
            return Executor.complete_leaf_value(shape.type, value)
        if isinstance(shape, ListOf):
            if isinstance(value, str | bytes | dict) or not hasattr(value, "__iter__"):
                raise NotPlannable("a list field returned no list")
            item = shape.item
            return [
                self._complete(item, each, Path(path, index, None))
                for index, each in enumerate(value)
            ]
        return self._object(shape, value, path)

    def _included(self, node: Conditional) -> bool:
        """@skip and @include as graphql-core's should_include_node decides them."""
        for directive in node.directives or ():
            definition = (
                GraphQLSkipDirective if directive.name.value == "skip" else GraphQLIncludeDirective
            )
            condition = get_argument_values(definition, directive, self.runner.variable_values)
            if condition["if"] is (definition is GraphQLSkipDirective):
                return False
        return True


def _close(pending: list[_Pending]) -> None:
    # Coroutines never awaited (the plan was abandoned before their level) would warn.
    for each in pending:
        close = getattr(each.value, "close", None)
        if close is not None:
            close()
