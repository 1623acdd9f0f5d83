"""Idempotency-Key on SCIM POST /Users: a retried create replays the first answer (status,
Location, ETag, body) without a second person or email; another body under the key is a
SCIM error naming IDEMPOTENCY_KEY_REUSED; keys belong to one API client."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from backend.mail.dev_mailbox import DevMailbox
from backend.models import IdempotencyKey, OutboxMessage, StaffMember, WebhookEvent
from tests.api.api_clients import create_api_client
from tests.api.client import GraphQLClient
from tests.api.test_scim import ENTRA_USER, OKTA_USER, SCIM, scim

__all__ = ["scim"]  # the fixture, used here under its own name

ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def _keyed(key: str) -> dict[str, str]:
    return {"idempotency-key": key}


@pytest.fixture
async def other_scim(app: Starlette, admin: GraphQLClient) -> AsyncIterator[httpx.AsyncClient]:
    """A second identity provider of the same practice, with its own API client."""
    created = await create_api_client(admin, ["SCIM"], name="Entra")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver/scim/v2",
        headers={"authorization": f"Bearer {created['secret']}"},
    ) as http:
        yield http


async def _people(user: dict[str, object]) -> int:
    return await StaffMember.filter(username_key=str(user["userName"]).lower()).count()


async def test_a_retried_create_replays_the_first_answer(
    scim: httpx.AsyncClient, mailbox: DevMailbox
) -> None:
    first = await scim.post("/Users", json=OKTA_USER, headers=_keyed("okta-create-1"))
    assert first.status_code == 201, first.text
    again = await scim.post("/Users", json=OKTA_USER, headers=_keyed("okta-create-1"))
    assert again.status_code == 201
    assert again.headers["content-type"].startswith(SCIM)
    for header in ("location", "etag"):
        assert again.headers[header] == first.headers[header]
    assert again.json() == first.json()
    assert await _people(OKTA_USER) == 1
    assert await OutboxMessage.filter(recipient="isaac.brock@example.com").count() == 1
    assert await WebhookEvent.filter(type="staff.created").count() == 1
    # Only a keyed hash of the request is kept: never the password it carried.
    [row] = await IdempotencyKey.all()
    assert str(OKTA_USER["password"]) not in f"{row.fingerprint}{row.response}"


async def test_another_body_under_the_key_is_refused_and_changes_nothing(
    scim: httpx.AsyncClient,
) -> None:
    assert (await scim.post("/Users", json=OKTA_USER, headers=_keyed("k-1"))).status_code == 201
    refused = await scim.post("/Users", json=ENTRA_USER, headers=_keyed("k-1"))
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith(SCIM)
    body = refused.json()
    assert body["schemas"] == [ERROR] and body["status"] == "422"
    assert body["detail"].startswith("IDEMPOTENCY_KEY_REUSED")
    assert await _people(ENTRA_USER) == 0


async def test_a_failed_create_leaves_its_key_free(scim: httpx.AsyncClient) -> None:
    broken = {**OKTA_USER, "emails": [{"primary": True, "value": "not an address"}]}
    assert (await scim.post("/Users", json=broken, headers=_keyed("k-2"))).status_code == 400
    assert (await scim.post("/Users", json=OKTA_USER, headers=_keyed("k-2"))).status_code == 201


async def test_keys_belong_to_their_api_client(
    scim: httpx.AsyncClient, other_scim: httpx.AsyncClient
) -> None:
    assert (await scim.post("/Users", json=OKTA_USER, headers=_keyed("shared"))).status_code == 201
    # The other client's key of the same name is its own: its request runs.
    other = await other_scim.post("/Users", json=ENTRA_USER, headers=_keyed("shared"))
    assert other.status_code == 201, other.text
    assert await _people(ENTRA_USER) == 1


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\there"])
async def test_a_malformed_key_is_refused_clearly(scim: httpx.AsyncClient, key: str) -> None:
    refused = await scim.post("/Users", json=OKTA_USER, headers=_keyed(key))
    assert refused.status_code == 400
    body = refused.json()
    assert body["scimType"] == "invalidValue"
    assert body["detail"].startswith("Idempotency-Key:") and "255" in body["detail"]
    assert await _people(OKTA_USER) == 0


async def test_the_longest_key_is_accepted(scim: httpx.AsyncClient) -> None:
    assert (await scim.post("/Users", json=OKTA_USER, headers=_keyed("k" * 255))).status_code == 201


async def test_concurrent_duplicates_run_once(
    scim: httpx.AsyncClient, database_backend: str
) -> None:
    if database_backend != "postgres":
        pytest.skip("SQLite runs one writer at a time: nothing to race")
    answers = await asyncio.gather(
        *(scim.post("/Users", json=ENTRA_USER, headers=_keyed("entra-1")) for _ in range(6))
    )
    # Without the key these would be one 201 and five 409 uniqueness.
    assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert len({a.headers["etag"] for a in answers}) == 1
    person = await StaffMember.get(username_key=str(ENTRA_USER["userName"]).lower())
    assert await OutboxMessage.filter(staff_id=person.id).count() == 1


async def test_one_person_under_different_keys_is_still_made_once(
    scim: httpx.AsyncClient, database_backend: str
) -> None:
    """Keys do not lift the uniqueness rules: concurrent creates of one person with
    different keys give one 201 and 409 uniqueness for the rest, never a 500."""
    if database_backend != "postgres":
        pytest.skip("SQLite runs one writer at a time: nothing to race")
    answers = await asyncio.gather(
        *(scim.post("/Users", json=ENTRA_USER, headers=_keyed(f"k-{n}")) for n in range(4))
    )
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    assert await _people(ENTRA_USER) == 1
    # The refused ones changed nothing, so their keys are free again.
    assert await IdempotencyKey.all().count() == 1
