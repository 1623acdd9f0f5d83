"""Plans compiled once per document text and operation name, in a bounded LRU: the SPA's
and the mobile teams' documents are few, and any other text costs one compile."""

from collections import OrderedDict
from threading import Lock

from graphql import FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode

from backend.planner.compile import Plan, Refusal, compile_operation

MAX_PLANS = 256

# Keyed by the schema too: a plan holds that schema's fields and resolvers.
_plans: OrderedDict[tuple[int, str, str | None], Plan | Refusal] = OrderedDict()
_lock = Lock()  # uvicorn runs one loop per process, but tests and tools may use threads


def plan_for(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> Plan | Refusal:
    """The plan of the operation, or why there is none (a refusal is kept too, so a
    document the planner does not cover is not compiled again on every request)."""
    source = operation.loc.source.body if operation.loc else None
    if source is None:  # a document built without locations: nothing to key it by
        return _compiled(schema, operation, fragments)
    key = (id(schema), source, operation.name.value if operation.name else None)
    with _lock:
        found = _plans.get(key)
        if found is not None:
            _plans.move_to_end(key)
            return found
    compiled = _compiled(schema, operation, fragments)
    with _lock:
        _plans[key] = compiled
        if len(_plans) > MAX_PLANS:
            _plans.popitem(last=False)
    return compiled


def _compiled(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> Plan | Refusal:
    try:
        return compile_operation(schema, operation, fragments)
    except Refusal as refusal:
        return refusal


def clear() -> None:
    with _lock:
        _plans.clear()
