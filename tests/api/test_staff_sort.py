"""Sorting the staff list by column: every order and direction pages through all rows,
ties and nulls included, with no duplicate or gap; cursors stay in their own order."""

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from backend.models import Provider, StaffMember, StaffStatus
from tests.api.client import GraphQLClient
from tests.api.test_staff_list import add_staff

SORTED_LIST = """
query List($filter: StaffFilter, $first: Int, $after: String, $orderBy: StaffOrderBy) {
  staffMembers(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { username } }
  }
}
"""

# Ties on purpose: two Nurses, equal creation times, several never signed in.
ROWS = [
    ("Camille", "Nurse", "cnurse", StaffStatus.ACTIVE, True),
    ("Anna", "Nurse", "Anurse", StaffStatus.ACTIVE, False),
    ("Brian", "Biller", "bbiller", StaffStatus.ACTIVE, False),
    ("Zoe", "Adams", "zadams", StaffStatus.ACTIVE, False),
    ("Yann", "Young", "yyoung", StaffStatus.ACTIVE, False),
    ("Xena", "Xu", "xxu", StaffStatus.ACTIVE, False),
    ("Walt", "Ward", "wward", StaffStatus.PENDING, False),
]
FIELDS = ["NAME", "USERNAME", "EMAIL", "PRIMARY_PROVIDER", "CREATED", "LAST_SIGN_IN"]


async def _seed(practice: dict[str, Any]) -> None:
    await add_staff(practice, ROWS)
    owner: StaffMember = practice["owner"]
    first = await Provider.get(practice_id=owner.practice_id)
    # Two providers of the same name (ties broken by provider id), and one sorting first.
    twin = await Provider.create(
        practice_id=owner.practice_id, first_name=first.first_name, last_name=first.last_name
    )
    early = await Provider.create(
        practice_id=owner.practice_id, first_name="Ada", last_name="Aaron"
    )
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    plan = {
        "cnurse": (twin, moment, moment),
        "Anurse": (early, moment, None),
        "bbiller": (first, moment, moment),
        "zadams": (twin, moment + timedelta(hours=1), None),
        "yyoung": (first, moment - timedelta(hours=1), moment + timedelta(days=1)),
        "xxu": (early, moment, None),
    }
    for username, (provider, created, signed_in) in plan.items():
        await StaffMember.filter(username=username).update(
            primary_provider_id=provider.id, created_at=created, last_sign_in_at=signed_in
        )


async def _expected(practice: dict[str, Any], field: str, direction: str) -> list[str]:
    rows = await StaffMember.filter(
        practice_id=practice["owner"].practice_id, status=StaffStatus.ACTIVE
    ).select_related("primary_provider")
    desc = direction == "DESC"

    def key(staff: StaffMember) -> tuple[Any, ...]:
        provider = staff.primary_provider
        return {
            "NAME": (staff.last_name, staff.first_name),
            "USERNAME": (staff.username_key,),
            "EMAIL": (staff.email,),
            "PRIMARY_PROVIDER": (provider.last_name, provider.first_name, str(provider.id)),
            "CREATED": (staff.created_at,),
            "LAST_SIGN_IN": (staff.last_sign_in_at,),
        }[field] + (str(staff.id),)

    if field == "LAST_SIGN_IN":
        signed = sorted((s for s in rows if s.last_sign_in_at), key=key, reverse=desc)
        never = sorted((s for s in rows if not s.last_sign_in_at), key=key, reverse=desc)
        ordered = signed + never
    else:
        ordered = sorted(rows, key=key, reverse=desc)
    return [staff.username for staff in ordered]


async def _page_through(
    client: GraphQLClient, order_by: dict[str, str] | None, size: int
) -> list[str]:
    seen: list[str] = []
    after = None
    for _ in range(50):
        data = await client.data(
            SORTED_LIST,
            {"filter": {"status": "ACTIVE"}, "first": size, "after": after, "orderBy": order_by},
        )
        connection = data["staffMembers"]
        seen += [edge["node"]["username"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return seen
        after = connection["pageInfo"]["endCursor"]
    pytest.fail("paging never ended")


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("field", FIELDS)
async def test_paging_in_each_order_gives_the_whole_sorted_list(
    admin: GraphQLClient, practice: dict[str, Any], field: str, direction: str
) -> None:
    await _seed(practice)
    expected = await _expected(practice, field, direction)
    assert len(expected) == 7  # with the owner
    order_by = {"field": field, "direction": direction}
    for size in (1, 2, 3, 100):
        assert await _page_through(admin, order_by, size) == expected, (field, direction, size)


async def test_default_order_and_its_cursors_are_unchanged(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    await _seed(practice)
    plain = await _page_through(admin, None, 2)
    assert plain == await _page_through(admin, {"field": "NAME", "direction": "ASC"}, 2)
    assert plain == await _expected(practice, "NAME", "ASC")
    data = await admin.data(SORTED_LIST, {"filter": {"status": "ACTIVE"}, "first": 1})
    # The name order's cursor is still the JSON array [last, first, id].
    cursor = data["staffMembers"]["edges"][0]["cursor"]
    assert isinstance(orjson.loads(base64.urlsafe_b64decode(cursor + "==")), list)


@pytest.mark.parametrize(
    ("made_with", "used_with"),
    [
        (None, {"field": "EMAIL"}),
        ({"field": "EMAIL"}, None),
        ({"field": "EMAIL"}, {"field": "EMAIL", "direction": "DESC"}),
        ({"field": "LAST_SIGN_IN"}, {"field": "CREATED"}),
    ],
)
async def test_a_cursor_of_one_order_is_refused_in_another(
    admin: GraphQLClient,
    practice: dict[str, Any],
    made_with: dict[str, str] | None,
    used_with: dict[str, str] | None,
) -> None:
    await _seed(practice)
    variables = {"filter": {"status": "ACTIVE"}, "first": 1, "orderBy": made_with}
    first = await admin.data(SORTED_LIST, variables)
    cursor = first["staffMembers"]["pageInfo"]["endCursor"]
    answer = await admin.execute(SORTED_LIST, {**variables, "orderBy": used_with, "after": cursor})
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "Ask for the first page again" in error["message"]
    assert answer["data"] is None or answer["data"]["staffMembers"] is None


async def test_order_by_with_updated_since_is_refused(admin: GraphQLClient) -> None:
    answer = await admin.execute(
        SORTED_LIST,
        {"filter": {"updatedSince": "2026-01-01T00:00:00Z"}, "orderBy": {"field": "EMAIL"}},
    )
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "updatedSince" in error["message"]


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


@pytest.mark.parametrize(
    ("order_by", "key"),
    [
        ({"field": "EMAIL"}, [123, "00000000-0000-0000-0000-000000000001"]),
        ({"field": "EMAIL"}, ["a@example.com"]),
        ({"field": "EMAIL"}, ["a@example.com", "not-a-uuid"]),
        ({"field": "CREATED"}, ["2026-01-01T00:00:00", "00000000-0000-0000-0000-000000000001"]),
        (
            {"field": "CREATED"},
            ["0001-01-01T00:00:00+01:00", "00000000-0000-0000-0000-000000000001"],
        ),
        ({"field": "USERNAME"}, [None, "00000000-0000-0000-0000-000000000001"]),
        ({"field": "PRIMARY_PROVIDER"}, ["A", "B", "nope", "00000000-0000-0000-0000-000000000001"]),
        ({"field": "LAST_SIGN_IN"}, "not a list"),
        # PostgreSQL refuses a NUL in text: the cursor is refused before it gets there.
        ({"field": "EMAIL"}, ["a\u0000@example.com", "00000000-0000-0000-0000-000000000001"]),
    ],
)
async def test_a_forged_cursor_is_a_clear_error(
    admin: GraphQLClient, order_by: dict[str, str], key: object
) -> None:
    order = f"{order_by['field']}_ASC"
    answer = await admin.execute(
        SORTED_LIST, {"orderBy": order_by, "after": _cursor({"order": order, "key": key})}
    )
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["message"] == "The `after` cursor is not valid."


async def test_a_forged_name_order_cursor_with_a_nul_is_a_clear_error(
    admin: GraphQLClient,
) -> None:
    cursor = _cursor(["Nurse\u0000", "Camille", "00000000-0000-0000-0000-000000000001"])
    answer = await admin.execute(SORTED_LIST, {"after": cursor})
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
