"""SCIM under concurrent requests (on PostgreSQL they run in parallel): creates,
reactivations (`active: true`) and a POST that brings a deleted person back all count
seats, and a refusal is a SCIM 403 that changes nothing; If-Match is a compare-and-set."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backend.config import Settings
from backend.models import Plan, StaffMember, StaffStatus
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD, make_practice
from tests.api.test_scim import PATCH_OP, _scim_json, scim_client

SEATS = 3  # Plan.ASCLEPIUS; the owner holds one
SEAT_LIMIT = "plan allows 3 pending or active staff accounts"


def _user(name: str) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "name": {"givenName": name.capitalize(), "familyName": "Seat"},
        "emails": [{"value": f"{name}@example.com", "type": "work", "primary": True}],
        "active": True,
    }


def _active(value: bool) -> dict[str, Any]:
    return {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Replace", "path": "active", "value": value}],
    }


async def _seats_used() -> int:
    return await StaffMember.filter(status__in=[StaffStatus.PENDING, StaffStatus.ACTIVE]).count()


@pytest.fixture
async def small_scim(
    app: Starlette, anonymous: GraphQLClient, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """A SCIM client of a practice with three seats, one of them its owner's."""
    await make_practice(settings, "Small Practice", "smallowner", Plan.ASCLEPIUS)
    await anonymous.login("smallowner", ADMIN_PASSWORD)
    async with scim_client(app, anonymous) as http:
        yield http


async def test_concurrent_creates_take_the_free_seats_and_no_more(
    small_scim: httpx.AsyncClient,
) -> None:
    answers = await asyncio.gather(
        *(small_scim.post("/Users", json=_user(f"seat{i}")) for i in range(4))
    )
    assert sorted(a.status_code for a in answers) == [201, 201, 403, 403], [a.text for a in answers]
    for refused in (a for a in answers if a.status_code == 403):
        error = _scim_json(refused, 403)
        assert SEAT_LIMIT in error["detail"] and error["status"] == "403"
    assert await _seats_used() == SEATS
    assert await StaffMember.filter(username_key__startswith="seat").count() == 2


async def test_reactivating_and_bringing_back_need_a_free_seat(
    small_scim: httpx.AsyncClient,
) -> None:
    first = _scim_json(await small_scim.post("/Users", json=_user("first")), 201)
    second = _scim_json(await small_scim.post("/Users", json=_user("second")), 201)
    # Entra's deactivation frees a seat, which a new person takes.
    patched = await small_scim.patch(f"/Users/{first['id']}", json=_active(False))
    assert _scim_json(patched, 200)["active"] is False
    _scim_json(await small_scim.post("/Users", json=_user("third")), 201)
    assert await _seats_used() == SEATS

    # No seat for a reactivation: refused, and the person stays inactive and readable.
    refused = await small_scim.patch(f"/Users/{first['id']}", json=_active(True))
    assert SEAT_LIMIT in _scim_json(refused, 403)["detail"]
    assert _scim_json(await small_scim.get(f"/Users/{first['id']}"), 200)["active"] is False

    # DELETE, then POST of the same userName: back only while a seat is free.
    assert (await small_scim.delete(f"/Users/{first['id']}")).status_code == 204
    again = await small_scim.post("/Users", json=_user("first"))
    assert SEAT_LIMIT in _scim_json(again, 403)["detail"]
    _scim_json(await small_scim.get(f"/Users/{first['id']}"), 404)
    assert (await small_scim.delete(f"/Users/{second['id']}")).status_code == 204
    back = _scim_json(await small_scim.post("/Users", json=_user("first")), 201)
    assert back["id"] == first["id"] and back["active"] is True
    assert await _seats_used() == SEATS


async def test_concurrent_puts_with_one_version_apply_once(small_scim: httpx.AsyncClient) -> None:
    """If-Match is a compare-and-set: of two PUTs naming the same version, one applies and
    the other answers 412, never both (a lost update)."""
    created = _scim_json(await small_scim.post("/Users", json=_user("etag")), 201)
    version = created["meta"]["version"]
    edits = []
    for given in ("Ann", "Bea"):
        body = _user("etag")
        body["name"]["givenName"] = given
        edits.append(body)
    answers = await asyncio.gather(
        *(
            small_scim.put(f"/Users/{created['id']}", json=body, headers={"if-match": version})
            for body in edits
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    [applied] = [a.json() for a in answers if a.status_code == 200]
    read = _scim_json(await small_scim.get(f"/Users/{created['id']}"), 200)
    assert read["name"]["givenName"] == applied["name"]["givenName"]
