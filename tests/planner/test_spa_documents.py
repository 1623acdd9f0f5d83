"""Every SPA document the planner accepts, through both paths, for every kind of caller and
every filter and order: the same bytes (data and errors, paths and extensions). A request
that succeeds must have been answered by the plan; one with errors by the normal path."""

from collections.abc import Iterator
from typing import Any

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from backend.api.schema import schema
from backend.documents.spa_manifest import load_spa_documents
from backend.planner.compile import Plan
from backend.planner.plans import plan_for
from tests.planner.cases import (
    CALLERS,
    COUNT_FILTERS,
    LIST_FILTERS,
    ORDERS,
    PAGE_SIZES,
    role_filters,
)
from tests.planner.conftest import World, assert_same, both_paths, data_of


def planned_documents() -> list[tuple[str, str]]:
    found = []
    for body in load_spa_documents().values():
        parsed = parse(body)
        fragments = {
            node.name.value: node
            for node in parsed.definitions
            if isinstance(node, FragmentDefinitionNode)
        }
        for node in parsed.definitions:
            if isinstance(node, OperationDefinitionNode) and isinstance(
                plan_for(schema._schema, node, fragments), Plan
            ):
                found.append((node.name.value if node.name else "", body))
    return found


PLANNED = planned_documents()


def test_the_staff_page_documents_are_planned() -> None:
    assert {name for name, _ in PLANNED} >= {"StaffPage", "StaffCounts", "StaffDrawerMember"}


def variable_sets(body: str, world: World) -> Iterator[dict[str, Any]]:
    if "$orderBy" in body:  # the list
        for filter in [*LIST_FILTERS, *role_filters(world.role_ids)]:
            yield {"filter": filter}
        for order in ORDERS:
            yield {"orderBy": order, "first": 3}
            yield {"orderBy": order, "filter": {"updatedSince": "2000-01-01T00:00:00Z"}}
        for size in PAGE_SIZES:
            yield {"first": size}
        yield {"after": "not-a-cursor"}
    elif "StaffCountsFilter" in body:
        for filter in [*COUNT_FILTERS, *role_filters(world.role_ids)]:
            yield {"filter": filter}
        yield {"filter": {"status": "ACTIVE"}}  # not a field of StaffCountsFilter
    elif "$id" in body:
        for staff_id in [*world.staff_ids, *world.role_ids[:1], "bogus", ""]:
            yield {"id": staff_id}
    else:
        yield {}


async def check(world: World, body: str, variables: dict[str, Any]) -> Any:
    """Both paths for every caller; the manager's answer, for a follow-up request."""
    answer = None
    for caller in CALLERS:
        pair = await both_paths(world, caller, body, variables)
        assert_same(pair)
        response = data_of(pair)
        assert pair.plan_used == ("errors" not in response), (caller, variables, response)
        if caller == "manager":
            answer = response
    return answer


@pytest.mark.parametrize("name", [name for name, _ in PLANNED])
async def test_both_paths_answer_alike(world: World, name: str) -> None:
    body = dict(PLANNED)[name]
    planned_answers = 0
    for variables in variable_sets(body, world):
        answer = await check(world, body, variables)
        page = (answer.get("data") or {}).get("staffMembers")
        if page and page["pageInfo"]["hasNextPage"]:
            # The next page, from the cursor of the first.
            after = {**variables, "after": page["pageInfo"]["endCursor"]}
            await check(world, body, after)
        planned_answers += "errors" not in answer
    assert planned_answers > 5
