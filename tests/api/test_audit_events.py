"""The audit trail over GraphQL: practice-scoped, filtered, paginated, free of secrets."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend.api.ids import parse_id
from backend.config import Settings
from backend.models import AuditEvent, Plan, StaffMember, StaffStatus
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD, make_practice
from tests.api.documents import DEACTIVATE, REACTIVATE, STAFF_UPDATE
from tests.api.staff_factory import STAFF_PASSWORD, create_staff
from tests.pins import OWNER_PIN, STAFF_PIN

EVENT = """
id createdAt action outcome targetId ip userAgent requestId summary
details { key value } actor { id username }
"""

AUDIT_EVENTS = f"""
query Audit($filter: AuditEventFilter, $first: Int, $after: String) {{
  auditEvents(filter: $filter, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ cursor node {{ {EVENT} }} }}
  }}
}}
"""

STAFF_HISTORY = f"""
query History($id: ID!, $first: Int) {{
  staffMember(id: $id) {{ id auditEvents(first: $first) {{ {EVENT} }} }}
}}
"""

VIEWER_ID = "query { viewer { account { id } } }"


async def active_staff(client: GraphQLClient, **overrides: Any) -> dict[str, Any]:
    """A staff member added through the API, then marked activated as if they had."""
    staff = await create_staff(client, **overrides)
    await StaffMember.filter(id=parse_id(staff["id"], "StaffMember")).update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    return staff


async def events(client: GraphQLClient, **variables: Any) -> dict[str, Any]:
    data = await client.data(AUDIT_EVENTS, variables)
    connection: dict[str, Any] = data["auditEvents"]
    return connection


def actions(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["action"] for edge in connection["edges"]]


async def owner_id(client: GraphQLClient) -> str:
    data = await client.data(VIEWER_ID)
    viewer_id: str = data["viewer"]["account"]["id"]
    return viewer_id


@pytest.fixture
async def outsider(
    anonymous: GraphQLClient, settings: Settings, practice: dict[str, Any]
) -> GraphQLClient:
    await make_practice(settings, "Lakeside Health", "lakeowner", Plan.INVOICED)
    await anonymous.login("lakeowner", ADMIN_PASSWORD)
    return anonymous


async def test_create_and_deactivate_show_newest_first_with_actor_and_target(
    admin: GraphQLClient,
) -> None:
    staff = await active_staff(admin)
    assert (await admin.mutate(DEACTIVATE, {"id": staff["id"]}))["userErrors"] == []

    page = await events(admin, filter={"targetId": staff["id"]})
    assert actions(page) == ["staff.deactivate", "staff.create"]
    assert page["totalCount"] == 2
    me = await owner_id(admin)
    for edge in page["edges"]:
        node = edge["node"]
        assert node["outcome"] == "SUCCESS"
        assert node["targetId"] == staff["id"]
        assert node["actor"] == {"id": me, "username": "owner"}
        assert node["userAgent"]  # httpx sends one
    all_actions = actions(await events(admin))
    # The practice's bootstrap and the owner's sign-in come before, newest first overall.
    assert all_actions[:2] == ["staff.deactivate", "staff.create"]
    assert all_actions[-1] == "practice.create"
    assert "auth.login" in all_actions

    history = await admin.data(STAFF_HISTORY, {"id": staff["id"]})
    assert [e["action"] for e in history["staffMember"]["auditEvents"]] == [
        "staff.deactivate",
        "staff.create",
    ]
    assert history["staffMember"]["auditEvents"] == [e["node"] for e in page["edges"]]


async def test_update_and_reactivate_details_are_summarised(admin: GraphQLClient) -> None:
    staff = await active_staff(admin)
    payload = await admin.mutate(STAFF_UPDATE, {"id": staff["id"], "cellPhone": "212-222-2222"})
    assert payload["userErrors"] == []
    await admin.mutate(DEACTIVATE, {"id": staff["id"]})
    await admin.mutate(REACTIVATE, {"id": staff["id"]})
    history = await admin.data(STAFF_HISTORY, {"id": staff["id"]})
    by_action = {e["action"]: e for e in history["staffMember"]["auditEvents"]}
    assert by_action["staff.update"]["details"] == [{"key": "fields", "value": "cellPhone"}]
    assert by_action["staff.update"]["summary"] == "fields: cellPhone"
    assert by_action["staff.reactivate"]["summary"] == "status: ACTIVE"
    assert by_action["staff.create"]["summary"] is None


async def test_filters_by_action_target_actor_and_time(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    first = await active_staff(admin)
    second = await create_staff(
        admin, username="dnurse", email="d.nurse@example.com", firstName="Dana"
    )
    await admin.mutate(DEACTIVATE, {"id": first["id"]})
    # A failed sign-in against `owner` has no actor but targets the owner.
    failed = await anonymous.execute(
        "mutation($input: LoginInput!) { login(input: $input) { token } }",
        {"input": {"username": "owner", "password": "not-the-password"}},
    )
    assert failed["data"]["login"]["token"] is None

    created = await events(admin, filter={"action": "staff.create"})
    assert [e["node"]["targetId"] for e in created["edges"]] == [second["id"], first["id"]]
    assert (await events(admin, filter={"targetId": second["id"]}))["totalCount"] == 1

    me = await owner_id(admin)
    by_owner = await events(admin, filter={"actorId": me})
    assert {e["node"]["actor"]["id"] for e in by_owner["edges"]} == {me}
    assert "practice.create" not in actions(by_owner)  # done by the system, no actor
    about_owner = await events(admin, filter={"targetId": me, "action": "auth.login"})
    assert next((e["node"]["outcome"], e["node"]["actor"]) for e in about_owner["edges"]) == (
        "FAILURE",
        None,
    )
    assert {e["node"]["outcome"] for e in about_owner["edges"]} == {"FAILURE", "SUCCESS"}

    # Time window: move the first creation an hour back, then ask around it.
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    await AuditEvent.filter(action="staff.create", target_id=str(_uuid(first["id"]))).update(
        created_at=hour_ago
    )
    window = {
        "from": (hour_ago - timedelta(minutes=1)).isoformat(),
        "to": (hour_ago + timedelta(minutes=1)).isoformat(),
    }
    in_window = await events(admin, filter=window)
    assert [e["node"]["targetId"] for e in in_window["edges"]] == [first["id"]]
    recent = await events(admin, filter={"from": (hour_ago + timedelta(minutes=1)).isoformat()})
    assert [
        e["node"]["targetId"] for e in recent["edges"] if e["node"]["action"] == "staff.create"
    ] == [second["id"]]
    before = await events(admin, filter={"to": (hour_ago + timedelta(minutes=1)).isoformat()})
    assert actions(before) == ["staff.create"]
    assert (await events(admin, filter={"action": "no.such.action"}))["totalCount"] == 0


@pytest.mark.parametrize(
    "bad_id",
    [
        "not-an-id",
        "",
        # A Role-typed ID for a valid UUID: wrong type, so it matches nothing.
        "Um9sZTowMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwOTk",
    ],
)
async def test_malformed_or_wrong_type_ids_match_nothing(admin: GraphQLClient, bad_id: str) -> None:
    await create_staff(admin)
    for key in ("targetId", "actorId"):
        page = await events(admin, filter={key: bad_id})
        if bad_id == "":
            assert page["totalCount"] > 0  # an empty ID is no condition, as in staffMembers
        else:
            assert page["totalCount"] == 0
            assert page["edges"] == []


async def test_pagination_is_keyset_newest_first_and_capped(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    staff = await active_staff(admin)
    for _ in range(3):
        await admin.mutate(DEACTIVATE, {"id": staff["id"]})
        await admin.mutate(REACTIVATE, {"id": staff["id"]})
    everything = await events(admin, first=100)
    total = everything["totalCount"]
    assert total == len(everything["edges"]) >= 9
    stamps = [e["node"]["createdAt"] for e in everything["edges"]]
    assert stamps == sorted(stamps, reverse=True)

    seen: list[str] = []
    after = None
    while True:
        page = await events(admin, first=2, after=after)
        assert page["totalCount"] == total
        assert len(page["edges"]) <= 2
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert seen == [e["node"]["id"] for e in everything["edges"]]
    assert len(set(seen)) == total

    # More than 100 asked for: 100 at most.
    await AuditEvent.bulk_create(
        [
            AuditEvent(action="staff.update", practice_id=practice["practice"].id, details={})
            for _ in range(110)
        ]
    )
    capped = await events(admin, first=500)
    assert len(capped["edges"]) == 100
    assert capped["pageInfo"]["hasNextPage"] is True

    bad = await admin.execute(AUDIT_EVENTS, {"after": "garbage!"})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    negative = await admin.execute(AUDIT_EVENTS, {"first": -1})
    assert negative["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_another_practice_sees_none_of_the_first_practices_events(
    admin: GraphQLClient, outsider: GraphQLClient
) -> None:
    staff = await active_staff(admin)
    await admin.mutate(DEACTIVATE, {"id": staff["id"]})
    ours = {e["node"]["id"] for e in (await events(admin, first=100))["edges"]}
    theirs = await events(outsider, first=100)
    assert ours.isdisjoint(e["node"]["id"] for e in theirs["edges"])
    assert set(actions(theirs)) <= {"practice.create", "auth.login"}
    assert {e["node"]["actor"]["username"] for e in theirs["edges"] if e["node"]["actor"]} == {
        "lakeowner"
    }
    foreign = await events(outsider, filter={"targetId": staff["id"]})
    assert foreign["totalCount"] == 0 and foreign["edges"] == []
    me = await owner_id(admin)
    assert (await events(outsider, filter={"actorId": me}))["totalCount"] == 0
    # Their staffMember(id) is null for our staff, so no history reaches them either.
    assert await outsider.data(STAFF_HISTORY, {"id": staff["id"]}) == {"staffMember": None}


async def test_staff_without_manage_accounts_get_forbidden(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    staff = await create_staff(admin)
    await StaffMember.filter(username_key="cnurse").update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    await anonymous.login("cnurse", STAFF_PASSWORD)
    body = await anonymous.execute(AUDIT_EVENTS)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "FORBIDDEN"}
    assert body["data"] is None
    # Their own record: readable, but not its history.
    own = await anonymous.execute(STAFF_HISTORY, {"id": staff["id"]})
    assert [e["extensions"]["code"] for e in own["errors"]] == ["FORBIDDEN"]
    assert own["data"] == {"staffMember": None}
    anonymous.token = None
    signed_out = await anonymous.execute(AUDIT_EVENTS)
    assert signed_out["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_no_event_field_contains_a_secret_used_in_the_test(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    staff = await active_staff(admin)
    await admin.mutate(STAFF_UPDATE, {"id": staff["id"], "cellPhone": "212-222-2222"})
    await admin.mutate(DEACTIVATE, {"id": staff["id"]})
    await admin.mutate(REACTIVATE, {"id": staff["id"]})
    await anonymous.execute(
        "mutation($input: LoginInput!) { login(input: $input) { token } }",
        {"input": {"username": "owner", "password": "Wrong-Secret-9911"}},
    )
    body = await admin.execute(AUDIT_EVENTS, {"first": 100})
    history = await admin.execute(STAFF_HISTORY, {"id": staff["id"], "first": 100})
    text = repr(body) + repr(history)
    assert admin.token
    for secret in (ADMIN_PASSWORD, STAFF_PASSWORD, "Wrong-Secret-9911", admin.token):
        assert secret not in text
    # PINs are short enough to occur by chance in IDs, so look for them only in the details.
    details = repr([e["node"]["details"] for e in body["data"]["auditEvents"]["edges"]])
    assert STAFF_PIN not in details and OWNER_PIN not in details


def _uuid(global_id: str) -> str:
    parsed = parse_id(global_id, "StaffMember")
    assert parsed is not None
    return str(parsed)


async def test_events_say_how_the_actor_was_authenticated(admin: GraphQLClient, app: Any) -> None:
    staff = await create_staff(admin)
    await StaffMember.filter(username_key="cnurse").update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    await admin.mutate(DEACTIVATE, {"id": staff["id"]})
    event = await AuditEvent.get(action="staff.deactivate")
    assert event.details["authMethod"] == "bearer_session"
    listed = await admin.data(
        '{ auditEvents(filter: {action: "staff.deactivate"}) '
        "{ edges { node { authMethod summary } } } }"
    )
    [edge] = listed["auditEvents"]["edges"]
    assert edge["node"] == {"authMethod": "bearer_session", "summary": None}

    # A browser (cookie session, with the CSRF header) is recorded as such.
    await admin.http.post(
        "/graphql",
        json={
            "query": "mutation($i: LoginInput!) { login(input: $i) { token } }",
            "variables": {"i": {"username": "owner", "password": ADMIN_PASSWORD}},
        },
        headers={"x-requested-with": "staff-accounts"},
    )
    await admin.http.post(
        "/graphql",
        json={"query": REACTIVATE, "variables": {"input": {"id": staff["id"]}}},
        headers={"x-requested-with": "staff-accounts"},
    )
    event = await AuditEvent.get(action="staff.reactivate")
    assert event.details["authMethod"] == "cookie"
