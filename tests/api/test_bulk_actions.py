"""Bulk lifecycle actions (issue 16): one result per id by the single mutation's rule,
one email and one webhook event per resent person, Idempotency-Key replays, and the
"link expired" filter with "Resend all expired"."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from backend.api.ids import parse_id, to_global_id
from backend.config import Settings
from backend.mail.dev_mailbox import DevMailbox
from backend.models import (
    ActivationToken,
    AuditEvent,
    OutboxMessage,
    Plan,
    StaffMember,
    WebhookEvent,
)
from backend.services import bulk_lifecycle
from backend.services.activation_links import ACTIVATION_EMAIL
from tests.api.client import GraphQLClient
from tests.api.conftest import make_practice
from tests.api.documents import USER_ERRORS
from tests.api.staff_factory import create_staff

RESULTS = f"results {{ id staffMember {{ id status }} {USER_ERRORS} }} {USER_ERRORS}"


def bulk(name: str) -> str:
    return f"mutation Bulk($input: StaffBulkInput!) {{ {name}(input: $input) {{ {RESULTS} }} }}"


BULK_RESEND = bulk("staffBulkResendActivation")
BULK_CANCEL = bulk("staffBulkCancelVerification")
BULK_DEACTIVATE = bulk("staffBulkDeactivate")
RESEND_EXPIRED = f"""
mutation Expired($input: StaffResendExpiredActivationsInput!) {{
  staffResendExpiredActivations(input: $input) {{ {RESULTS} hasMore endCursor }}
}}
"""
FILTERED = """
query Filtered($filter: StaffFilter, $counts: StaffCountsFilter) {
  staffMembers(filter: $filter, first: 100) { edges { node { username } } }
  staffCounts(filter: $counts) { active pending inactive }
}
"""


async def _people(admin: GraphQLClient, count: int, prefix: str = "person") -> list[dict[str, Any]]:
    return [
        await create_staff(
            admin, username=f"{prefix}{n}", email=f"{prefix}{n}@example.com", lastName=f"N{n}"
        )
        for n in range(count)
    ]


async def _expire(*staff: dict[str, Any]) -> None:
    ids = [parse_id(person["id"], "StaffMember") for person in staff]
    await ActivationToken.filter(staff_id__in=ids, used_at=None, revoked_at=None).update(
        expires_at=datetime.now(UTC) - timedelta(hours=1)
    )


async def _emails(staff_id: str) -> int:
    return await OutboxMessage.filter(
        staff_id=parse_id(staff_id, "StaffMember"), kind=ACTIVATION_EMAIL
    ).count()


async def _events(staff_id: str, type: str) -> int:
    return await WebhookEvent.filter(
        resource_id=parse_id(staff_id, "StaffMember"), type=type
    ).count()


def _codes(result: dict[str, Any]) -> list[str]:
    return [error["code"] for error in result["userErrors"]]


async def test_resend_answers_each_id_in_order_by_the_single_rule(
    admin: GraphQLClient, settings: Settings, practice: dict[str, Any], mailbox: DevMailbox
) -> None:
    pending = await _people(admin, 2)
    cancelled = await create_staff(admin, username="gone", email="gone@example.com")
    await mailbox.wait_for(3)  # the first emails are out: none is superseded below
    assert (await admin.mutate(BULK_CANCEL, {"ids": [cancelled["id"]]}))["userErrors"] == []
    other = await make_practice(settings, "Lakeside Clinic", "lakeowner", Plan.INVOICED)
    foreign = to_global_id("StaffMember", other["owner"].id)
    ids = [pending[1]["id"], "not-an-id", cancelled["id"], foreign, pending[0]["id"]]

    payload = await admin.mutate(BULK_RESEND, {"ids": ids})

    assert payload["userErrors"] == []
    results = payload["results"]
    assert [r["id"] for r in results] == ids
    assert [_codes(r) for r in results] == [
        [],
        ["NOT_FOUND"],
        ["INVALID_TRANSITION"],
        ["NOT_FOUND"],
        [],
    ]
    assert results[2]["userErrors"][0]["field"] == ["input", "ids", "2"]
    assert results[0]["staffMember"]["id"] == pending[1]["id"]
    assert results[1]["staffMember"] is None
    for person in pending:  # the first email and the resend, one event for the resend
        assert await _emails(person["id"]) == 2
        assert await _events(person["id"], "staff.activation_resent") == 1
    assert await _emails(cancelled["id"]) == 1
    assert await AuditEvent.filter(action="staff.resend_activation", outcome="SUCCESS").count() == 2
    # In the mailbox: exactly one more email for each resent person, none for the others.
    await mailbox.wait_for(5)
    await asyncio.sleep(0.3)
    received = [r for message in mailbox.messages() for r in message.recipients]
    resent = ["person0@example.com", "person1@example.com"]
    assert sorted(received) == sorted([*resent, "gone@example.com", *resent])


async def test_cancel_and_deactivate_act_per_person(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    pending = await create_staff(admin, username="pend", email="pend@example.com")
    owner = to_global_id("StaffMember", practice["owner"].id)
    cancelled = await admin.mutate(BULK_CANCEL, {"ids": [pending["id"], owner]})
    assert [_codes(r) for r in cancelled["results"]] == [[], ["INVALID_TRANSITION"]]
    assert cancelled["results"][0]["staffMember"]["status"] == "INACTIVE"
    assert await _events(pending["id"], "staff.verification_cancelled") == 1

    # The owner cannot deactivate themselves; the already inactive person is refused.
    deactivated = await admin.mutate(BULK_DEACTIVATE, {"ids": [owner, pending["id"]]})
    assert [_codes(r) for r in deactivated["results"]] == [
        ["CANNOT_DEACTIVATE_SELF"],
        ["INVALID_TRANSITION"],
    ]
    assert await _events(pending["id"], "staff.deactivated") == 0


@pytest.mark.parametrize(
    "ids, message",
    [
        ([], "at least one"),
        (["x"] * 2, "more than once"),
        ([f"id{n}" for n in range(101)], "at most 100"),
    ],
)
async def test_a_bad_batch_is_refused_whole_and_changes_nothing(
    admin: GraphQLClient, ids: list[str], message: str
) -> None:
    person = await create_staff(admin)
    given = [person["id"], *ids] if ids else ids
    if len(given) > 101:
        given = given[:101]
    payload = await admin.mutate(BULK_RESEND, {"ids": given})
    assert payload["results"] == []
    [error] = payload["userErrors"]
    assert error["code"] == "INVALID" and error["field"] == ["input", "ids"]
    assert message in error["message"]
    assert await _emails(person["id"]) == 1


async def test_a_retry_under_the_same_key_replays_without_a_second_email(
    admin: GraphQLClient, mailbox: DevMailbox
) -> None:
    people = await _people(admin, 2)
    # A refused id in the middle: its own transaction rolls back, the batch goes on.
    ids = [people[0]["id"], "unknown", people[1]["id"]]
    answers = [await _keyed(admin, BULK_RESEND, {"ids": ids}, "bulk-1") for _ in range(2)]
    assert answers[0] == answers[1]
    assert [_codes(r) for r in answers[0]["results"]] == [[], ["NOT_FOUND"], []]
    for person in people:
        assert await _emails(person["id"]) == 2
        assert await _events(person["id"], "staff.activation_resent") == 1
    # The resend supersedes a first email not yet sent, so 2 to 4 arrive; never more.
    await mailbox.wait_for(2)
    await asyncio.sleep(0.5)  # the mail worker would have sent a second resend by now
    assert len(mailbox.messages()) <= 4


async def test_concurrent_identical_bulk_calls_send_once(
    admin: GraphQLClient, database_backend: str
) -> None:
    if database_backend != "postgres":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    people = await _people(admin, 3)
    ids = [person["id"] for person in people]
    bodies = await asyncio.gather(
        *(_keyed_body(admin, BULK_RESEND, {"ids": ids}, "raced-bulk") for _ in range(4))
    )
    done = [b for b in bodies if "errors" not in b]
    assert done, bodies
    for body in bodies:
        if "errors" in body:  # told to retry: the first had not committed yet
            assert body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_IN_USE"
    for person in people:
        assert await _emails(person["id"]) == 2
        assert await _events(person["id"], "staff.activation_resent") == 1


async def test_each_resend_is_atomic_under_concurrent_bulk_calls(
    admin: GraphQLClient, settings: Settings, database_backend: str
) -> None:
    """Without a key, concurrent batches are separate requests: each resend is applied
    whole (link, email, audit, event together) and the hourly limit holds across them."""
    if database_backend != "postgres":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    [person] = await _people(admin, 1)
    calls = settings.resend_limit_per_hour + 3
    payloads = await asyncio.gather(
        *(admin.mutate(BULK_RESEND, {"ids": [person["id"]]}) for _ in range(calls))
    )
    succeeded = [p for p in payloads if _codes(p["results"][0]) == []]
    refused = [p for p in payloads if _codes(p["results"][0]) == ["RATE_LIMITED"]]
    assert len(succeeded) == settings.resend_limit_per_hour
    assert len(refused) == calls - settings.resend_limit_per_hour
    assert await _emails(person["id"]) == 1 + len(succeeded)
    assert await _events(person["id"], "staff.activation_resent") == len(succeeded)
    outstanding = await ActivationToken.filter(
        staff_id=parse_id(person["id"], "StaffMember"), used_at=None, revoked_at=None
    ).count()
    assert outstanding == 1


async def test_link_expired_filter_and_counts(admin: GraphQLClient) -> None:
    people = await _people(admin, 3)
    await _expire(people[0], people[2])
    expired = await admin.data(
        FILTERED, {"filter": {"linkExpired": True}, "counts": {"linkExpired": True}}
    )
    assert [e["node"]["username"] for e in expired["staffMembers"]["edges"]] == [
        "person0",
        "person2",
    ]
    assert expired["staffCounts"] == {"active": 0, "pending": 2, "inactive": 0}
    working = await admin.data(
        FILTERED, {"filter": {"linkExpired": False}, "counts": {"linkExpired": False}}
    )
    assert [e["node"]["username"] for e in working["staffMembers"]["edges"]] == ["person1"]
    assert working["staffCounts"] == {"active": 0, "pending": 1, "inactive": 0}


async def test_resend_all_expired_walks_in_batches(admin: GraphQLClient) -> None:
    people = await _people(admin, 3)
    await _expire(people[0], people[2])
    first = await admin.mutate(RESEND_EXPIRED, {})
    assert first["userErrors"] == [] and first["hasMore"] is False
    resent = {r["id"] for r in first["results"]}
    assert resent == {people[0]["id"], people[2]["id"]}
    assert all(_codes(r) == [] for r in first["results"])
    for person in (people[0], people[2]):
        assert await _emails(person["id"]) == 2
        assert await _events(person["id"], "staff.activation_resent") == 1
    assert await _emails(people[1]["id"]) == 1
    # Nobody is expired any more; going on after the last one finds nobody either.
    again = await admin.mutate(RESEND_EXPIRED, {"after": first["endCursor"]})
    assert again["results"] == [] and again["endCursor"] is None
    assert (await admin.mutate(RESEND_EXPIRED, {}))["results"] == []
    bad = await admin.mutate(RESEND_EXPIRED, {"after": "nonsense"})
    assert [e["code"] for e in bad["userErrors"]] == ["INVALID"]


async def test_resend_all_expired_stops_at_100_and_says_more_remain(
    admin: GraphQLClient, database_backend: str
) -> None:
    # 101 expired people are many staffCreates; lower the batch for this test instead.
    original = bulk_lifecycle.MAX_BATCH
    people = await _people(admin, 3)
    await _expire(*people)
    bulk_lifecycle.MAX_BATCH = 2
    try:
        first = await admin.mutate(RESEND_EXPIRED, {})
        assert len(first["results"]) == 2 and first["hasMore"] is True
        second = await admin.mutate(RESEND_EXPIRED, {"after": first["endCursor"]})
        assert len(second["results"]) == 1 and second["hasMore"] is False
    finally:
        bulk_lifecycle.MAX_BATCH = original
    ids = {r["id"] for r in first["results"] + second["results"]}
    assert ids == {person["id"] for person in people}
    assert await StaffMember.filter(status="PENDING").count() == 3


async def test_resend_all_expired_replays_under_its_key(admin: GraphQLClient) -> None:
    people = await _people(admin, 2)
    await _expire(*people)
    first = await _keyed(admin, RESEND_EXPIRED, {}, "expired-1")
    again = await _keyed(admin, RESEND_EXPIRED, {}, "expired-1")
    assert again == first and len(first["results"]) == 2
    for person in people:
        assert await _emails(person["id"]) == 2


async def _keyed_body(
    client: GraphQLClient, document: str, input: dict[str, Any], key: str
) -> dict[str, Any]:
    response = await client.http.post(
        "/graphql",
        json={"query": document, "variables": {"input": input}},
        headers={"authorization": f"Bearer {client.token}", "idempotency-key": key},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _keyed(
    client: GraphQLClient, document: str, input: dict[str, Any], key: str
) -> dict[str, Any]:
    body = await _keyed_body(client, document, input, key)
    assert "errors" not in body, body
    payload: dict[str, Any] = next(iter(body["data"].values()))
    return payload


@pytest.fixture(autouse=True)
def _app(app: Starlette) -> None:
    """Every test here runs against a live app."""
