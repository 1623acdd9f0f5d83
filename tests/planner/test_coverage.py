"""What the planner plans and refuses, that it is used for the SPA's staff page, and that
GRAPHQL_PLANNER=false leaves everything to the normal executor."""

from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from strawberry.permission import BasePermission
from strawberry.types import Info

from backend.api.schema import schema
from backend.config import load_settings
from backend.documents.spa_manifest import load_spa_documents
from backend.planner import executor
from backend.planner.compile import Plan, Refusal
from backend.planner.plans import plan_for
from tests.planner.conftest import World, both_paths, data_of


def planned(text: str) -> Plan | Refusal:
    document = parse(text)
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    [operation] = [
        node for node in document.definitions if isinstance(node, OperationDefinitionNode)
    ]
    return plan_for(schema._schema, operation, fragments)


@pytest.mark.parametrize(
    "text",
    [
        "{ staffMembers { edges { node { id firstName role { name permissions } } } } }",
        '{ staffCounts { active } s: staffMember(id: "x") { __typename offices { name } } }',
        "query($on: Boolean!) { staffCounts { active @include(if: $on) pending @skip(if: $on) } }",
        '{ staffMember(id: "x") { ...F } }'
        " fragment F on StaffMember { id ... on StaffMember { email } }",
    ],
)
def test_selections_over_the_staff_types_are_planned(text: str) -> None:
    assert isinstance(planned(text), Plan)


@pytest.mark.parametrize(
    "text",
    [
        "mutation { logout { userErrors { code } } }",
        "{ __schema { queryType { name } } }",
        '{ staffCounts { active } __type(name: "Role") { name } }',
        "{ viewer { account { id } } }",
        '{ staffMember(id: "x") { auditEvents { action } } }',
        "{ staffCounts { active @deprecated } }",
        "{ staffCounts { ... on Node { id } } }",
        "{ staffCounts { active ... { active } } }",
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    assert isinstance(planned(text), Refusal)


def _spa_staff_page() -> str:
    [text] = [body for body in load_spa_documents().values() if "query StaffPage(" in body]
    return text


async def test_the_spa_staff_page_is_answered_by_the_plan(world: World) -> None:
    pair = await both_paths(world, "manager", _spa_staff_page(), {"first": 25})
    assert pair.plan_used and pair.planned == pair.normal
    assert len(data_of(pair)["data"]["staffMembers"]["edges"]) > 5


async def test_graphql_planner_false_runs_the_normal_executor(world: World) -> None:
    assert load_settings({}).graphql_planner
    off = load_settings({"GRAPHQL_PLANNER": "false"})
    assert not off.graphql_planner
    object.__setattr__(world.settings, "graphql_planner", off.graphql_planner)
    try:
        executor.counts.reset()
        body = await world.callers["manager"].data(_spa_staff_page(), {"first": 25})
    finally:
        object.__setattr__(world.settings, "graphql_planner", True)
    assert body["staffMembers"]["edges"]
    assert (executor.counts.planned, executor.counts.refused, executor.counts.fell_back) == (
        0,
        0,
        0,
    )


class _Deny(BasePermission):
    message = "managers only"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return False


@strawberry.type(name="StaffMember")
class _Guarded:
    name: str
    secret: str = strawberry.field(permission_classes=[_Deny])


@strawberry.type
class _GuardedQuery:
    @strawberry.field
    async def staff_member(self) -> _Guarded | None:
        return _Guarded(name="n", secret="TOPSECRET")


async def test_a_field_with_permission_classes_keeps_its_check_on_the_planned_path() -> None:
    """strawberry marks such a field as reading an attribute; the plan must still run its
    permission check (here it refuses, so the normal executor answers with the error)."""
    guarded = strawberry.Schema(
        query=_GuardedQuery, execution_context_class=executor.PlannedExecutionContext
    )
    context = SimpleNamespace(settings=SimpleNamespace(graphql_planner=True))
    fell_back = executor.counts.fell_back
    result = await guarded.execute("{ staffMember { name secret } }", context_value=context)
    assert executor.counts.fell_back == fell_back + 1  # planned, the check ran, refused
    assert result.data == {"staffMember": None}
    assert [error.message for error in result.errors or []] == ["managers only"]
