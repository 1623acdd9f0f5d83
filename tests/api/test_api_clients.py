"""API clients over HTTP: created by an administrator with its secret shown once and only
its hash stored, used by a partner with `Authorization: Bearer <secret>`, listed with its
creator and last use, rotated with an overlap, revoked, expired; audited with the client as
actor; never a staff member (no seat, no sign-in, nothing only people may do)."""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.applications import Starlette
from tortoise.exceptions import IntegrityError

from backend.config import Settings
from backend.models import ApiClient, ApiClientSecret, AuditEvent, Plan
from tests.api.api_clients import (
    API_CLIENT_CREATE,
    API_CLIENT_REVOKE,
    API_CLIENT_ROTATE,
    API_CLIENTS,
    CURRENT,
    as_api_client,
    create_api_client,
    error_codes,
)
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD, _http, make_practice
from tests.api.documents import CANCEL, STAFF_CREATE, STAFF_LIST, VIEWER
from tests.api.staff_factory import create_staff, staff_input

SECRET_PATTERN = re.compile(r"^sa_live_[A-Za-z0-9_-]{43}$")
ERRORS = "userErrors { field code message }"


def _node_id(payload: dict[str, Any]) -> str:
    identifier: str = payload["apiClient"]["id"]
    return identifier


async def test_created_with_its_secret_shown_once_and_only_its_hash_stored(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    payload = await create_api_client(
        admin, ["STAFF_WRITE", "STAFF_READ"], name="  Workday HR sync ", expiresInDays=30
    )
    secret = payload["secret"]
    assert SECRET_PATTERN.match(secret)
    client = payload["apiClient"]
    assert client["name"] == "Workday HR sync"
    assert client["scopes"] == ["STAFF_READ", "STAFF_WRITE"]
    assert client["status"] == "ACTIVE" and client["createdBy"] == {"username": "owner"}
    assert client["lastUsedAt"] is None and client["revokedAt"] is None
    expires = datetime.fromisoformat(client["expiresAt"])
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)

    digest = hashlib.sha256(secret.encode()).hexdigest()
    stored = await ApiClientSecret.get(secret_hash=digest)
    record = await ApiClient.get(id=stored.client_id)
    assert record.practice_id == practice["practice"].id
    # Nowhere else: not in the client's row, not in the list, not in the audit trail.
    assert secret not in str(await ApiClient.filter(id=record.id).values())
    listed = await admin.data(API_CLIENTS)
    assert secret not in str(listed) and digest not in str(listed)
    (edge,) = listed["apiClients"]["edges"]
    assert edge["node"]["id"] == client["id"] and listed["apiClients"]["totalCount"] == 1
    event = await AuditEvent.get(action="api_client.create")
    assert event.actor_id == practice["owner"].id and event.api_client_id is None
    assert secret not in str(event.details) and digest not in str(event.details)


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"name": "  "}, "name", "REQUIRED"),
        ({"name": "x" * 101}, "name", "TOO_LONG"),
        ({"scopes": []}, "scopes", "REQUIRED"),
        ({"expiresInDays": 0}, "expiresInDays", "INVALID"),
        ({"expiresInDays": 3651}, "expiresInDays", "INVALID"),
    ],
)
async def test_bad_input_is_a_user_error_and_creates_nothing(
    admin: GraphQLClient, changes: dict[str, Any], field: str, code: str
) -> None:
    values = {"name": "HR sync", "scopes": ["STAFF_READ"], **changes}
    payload = await admin.mutate(API_CLIENT_CREATE, values)
    assert payload["apiClient"] is None and payload["secret"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["input", field], code)]
    assert await ApiClient.all().count() == 0


async def test_the_secret_calls_the_api_as_the_client_not_as_a_person(
    app: Starlette, admin: GraphQLClient
) -> None:
    secret = (await create_api_client(admin, ["STAFF_READ"], name="Reader"))["secret"]
    async with as_api_client(app, secret) as partner:
        data = await partner.data(CURRENT)
        assert data["viewer"] is None
        assert data["currentApiClient"] == {
            "apiClient": {
                "name": "Reader",
                "scopes": ["STAFF_READ"],
                "status": "ACTIVE",
                "expiresAt": None,
            },
            "practice": {"name": "Riverside Clinic"},
        }
        staff = await partner.data(STAFF_LIST)
        assert [e["node"]["username"] for e in staff["staffMembers"]["edges"]] == ["owner"]
    # A person has no currentApiClient.
    assert (await admin.data(CURRENT))["currentApiClient"] is None


async def test_last_use_is_listed_and_written_at_most_once_a_minute(
    app: Starlette, admin: GraphQLClient
) -> None:
    secret = (await create_api_client(admin, ["STAFF_READ"]))["secret"]
    async with as_api_client(app, secret) as partner:
        await partner.data(CURRENT)
        first = (await ApiClient.get()).last_used_at
        await partner.data(CURRENT)
        assert (await ApiClient.get()).last_used_at == first
        # A minute later the next use is written.
        earlier = datetime.now(UTC) - timedelta(seconds=61)
        await ApiClient.all().update(last_used_at=earlier)
        await partner.data(CURRENT)
    node = (await admin.data(API_CLIENTS))["apiClients"]["edges"][0]["node"]
    assert first is not None and datetime.fromisoformat(node["lastUsedAt"]) > earlier
    assert node["lastUsedIp"] == "127.0.0.1"


async def test_rotation_keeps_the_old_secret_working_for_the_overlap_only(
    app: Starlette, admin: GraphQLClient, settings: Settings
) -> None:
    created = await create_api_client(admin, ["STAFF_READ"])
    old = created["secret"]
    rotated = await admin.mutate(API_CLIENT_ROTATE, {"id": _node_id(created)})
    assert rotated["userErrors"] == [] and rotated["secret"] != old
    assert SECRET_PATTERN.match(rotated["secret"])
    old_row = await ApiClientSecret.get(secret_hash=hashlib.sha256(old.encode()).hexdigest())
    assert old_row.expires_at is not None
    assert datetime.fromisoformat(rotated["previousSecretExpiresAt"]) == old_row.expires_at
    overlap = old_row.expires_at - datetime.now(UTC)
    assert settings.api_client_rotation_overlap - timedelta(minutes=1) < overlap
    assert overlap <= settings.api_client_rotation_overlap
    for secret in (old, rotated["secret"]):
        async with as_api_client(app, secret) as partner:
            assert (await partner.data(CURRENT))["currentApiClient"] is not None
    # Once the overlap is over, only the new secret works.
    await ApiClientSecret.filter(id=old_row.id).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    async with as_api_client(app, old) as partner:
        body = await partner.execute(STAFF_LIST)
        assert error_codes(body) == ["UNAUTHENTICATED"]
    async with as_api_client(app, rotated["secret"]) as partner:
        assert (await partner.data(CURRENT))["currentApiClient"] is not None
    assert await AuditEvent.filter(action="api_client.rotate").count() == 1


async def test_revocation_stops_every_secret_at_once(app: Starlette, admin: GraphQLClient) -> None:
    created = await create_api_client(admin, ["STAFF_READ"])
    rotated = await admin.mutate(API_CLIENT_ROTATE, {"id": _node_id(created)})
    revoked = await admin.mutate(API_CLIENT_REVOKE, {"id": _node_id(created)})
    assert revoked["userErrors"] == []
    assert revoked["apiClient"]["status"] == "REVOKED" and revoked["apiClient"]["revokedAt"]
    for secret in (created["secret"], rotated["secret"]):
        async with as_api_client(app, secret) as partner:
            body = await partner.execute(STAFF_LIST)
            assert error_codes(body) == ["UNAUTHENTICATED"]
            assert (await partner.data(CURRENT))["currentApiClient"] is None
    again = await admin.mutate(API_CLIENT_REVOKE, {"id": _node_id(created)})
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_TRANSITION"]
    rotate = await admin.mutate(API_CLIENT_ROTATE, {"id": _node_id(created)})
    assert [e["code"] for e in rotate["userErrors"]] == ["INVALID_TRANSITION"]
    assert rotate["secret"] is None
    assert await AuditEvent.filter(action="api_client.revoke").count() == 1


@pytest.mark.parametrize("kind", ["fixed expiry", "unused too long"])
async def test_an_expired_client_is_refused_and_listed_as_expired(
    app: Starlette, admin: GraphQLClient, settings: Settings, kind: str
) -> None:
    created = await create_api_client(admin, ["STAFF_READ"], expiresInDays=1)
    long_ago = datetime.now(UTC) - settings.api_client_idle - timedelta(minutes=1)
    if kind == "fixed expiry":
        await ApiClient.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    else:
        await ApiClient.all().update(expires_at=None, created_at=long_ago, last_used_at=long_ago)
    async with as_api_client(app, created["secret"]) as partner:
        assert error_codes(await partner.execute(STAFF_LIST)) == ["UNAUTHENTICATED"]
    node = (await admin.data(API_CLIENTS))["apiClients"]["edges"][0]["node"]
    assert node["status"] == "EXPIRED"
    rotate = await admin.mutate(API_CLIENT_ROTATE, {"id": _node_id(created)})
    assert [e["code"] for e in rotate["userErrors"]] == ["INVALID_TRANSITION"]


async def test_another_practices_clients_are_out_of_reach(
    app: Starlette, admin: GraphQLClient, settings: Settings
) -> None:
    created = await create_api_client(admin, ["STAFF_READ"])
    await make_practice(settings, "Other Clinic", "otherowner", Plan.INVOICED)
    async with _http(app) as http:
        other = GraphQLClient(http)
        await other.login("otherowner", ADMIN_PASSWORD)
        assert (await other.data(API_CLIENTS))["apiClients"]["edges"] == []
        for document in (API_CLIENT_ROTATE, API_CLIENT_REVOKE):
            payload = await other.mutate(document, {"id": _node_id(created)})
            assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]
        node = await other.data(
            "query($id: ID!) { node(id: $id) { id } }", {"id": _node_id(created)}
        )
        assert node["node"] is None
    async with as_api_client(app, created["secret"]) as partner:
        # The client sees its own practice only.
        staff = await partner.data(STAFF_LIST)
        assert [e["node"]["username"] for e in staff["staffMembers"]["edges"]] == ["owner"]
    assert (await ApiClient.get()).revoked_at is None


async def test_the_list_pages_newest_first(admin: GraphQLClient) -> None:
    for number in range(3):
        await create_api_client(admin, ["STAFF_READ"], name=f"Client {number}")
    first = (await admin.data(API_CLIENTS, {"first": 2}))["apiClients"]
    assert [e["node"]["name"] for e in first["edges"]] == ["Client 2", "Client 1"]
    assert first["pageInfo"]["hasNextPage"] and first["totalCount"] == 3
    rest = await admin.data(API_CLIENTS, {"first": 2, "after": first["pageInfo"]["endCursor"]})
    assert [e["node"]["name"] for e in rest["apiClients"]["edges"]] == ["Client 0"]
    assert not rest["apiClients"]["pageInfo"]["hasNextPage"]


async def test_what_a_client_changes_is_audited_with_the_client_as_actor(
    app: Starlette, admin: GraphQLClient
) -> None:
    created = await create_api_client(admin, ["STAFF_READ", "STAFF_WRITE", "ROLES_READ"])
    async with as_api_client(app, created["secret"]) as partner:
        staff = await create_staff(partner)
        payload = await partner.mutate(CANCEL, {"id": staff["id"]})
        assert payload["userErrors"] == []
    trail = await admin.data(
        """query { auditEvents(filter: {action: "staff.create"}) { edges { node {
             authMethod actor { username } actorApiClient { id name } } } } }"""
    )
    (edge,) = trail["auditEvents"]["edges"]
    assert edge["node"] == {
        "authMethod": "api_client",
        "actor": None,
        "actorApiClient": {"id": _node_id(created), "name": "HR sync"},
    }
    by_client = await admin.data(
        "query($id: ID!) { auditEvents(filter: {actorId: $id}) { edges { node { action } } } }",
        {"id": _node_id(created)},
    )
    actions = [e["node"]["action"] for e in by_client["auditEvents"]["edges"]]
    assert actions == ["staff.cancel_verification", "staff.create"]
    by_owner = await admin.data(
        "query($id: ID!) { auditEvents(filter: {actorId: $id}) { edges { node { action } } } }",
        {"id": (await admin.data(VIEWER))["viewer"]["account"]["id"]},
    )
    assert "staff.create" not in [e["node"]["action"] for e in by_owner["auditEvents"]["edges"]]
    events = await AuditEvent.filter(action__in=["staff.create", "staff.cancel_verification"])
    assert len(events) == 2
    assert all(e.actor_id is None and e.api_client_id is not None for e in events)


async def test_the_database_allows_one_actor_at_most(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    await create_api_client(admin, ["STAFF_READ"])
    client = await ApiClient.get()
    with pytest.raises(IntegrityError):
        await AuditEvent.create(
            action="staff.update",
            practice_id=practice["practice"].id,
            actor_id=practice["owner"].id,
            api_client_id=client.id,
        )


async def test_a_client_takes_no_seat(
    app: Starlette, anonymous: GraphQLClient, settings: Settings
) -> None:
    await make_practice(settings, "Small Practice", "smallowner", Plan.NON_INVOICED)
    await anonymous.login("smallowner", ADMIN_PASSWORD)
    seats = "query { viewer { practice { seatLimit seatsUsed } } }"
    before = (await anonymous.data(seats))["viewer"]["practice"]
    created = await create_api_client(anonymous, ["STAFF_READ", "STAFF_WRITE", "ROLES_READ"])
    await create_api_client(anonymous, ["STAFF_READ"], name="Second")
    assert (
        (await anonymous.data(seats))["viewer"]["practice"]
        == before
        == {
            "seatLimit": 3,
            "seatsUsed": 1,
        }
    )
    async with as_api_client(app, created["secret"]) as partner:
        await create_staff(partner, username="seat1", email="seat1@example.com")
        await create_staff(partner, username="seat2", email="seat2@example.com")
        # The owner and two staff fill the plan's three seats; the clients hold none.
        payload = await partner.mutate(
            STAFF_CREATE, await staff_input(partner, username="seat3", email="seat3@example.com")
        )
    assert [e["code"] for e in payload["userErrors"]] == ["SEAT_LIMIT_REACHED"]


async def test_a_client_cannot_sign_in_to_the_app(app: Starlette, admin: GraphQLClient) -> None:
    secret = (await create_api_client(admin, ["STAFF_READ"]))["secret"]
    async with _http(app) as http:
        # As the SPA's session cookie, the secret is no session at all.
        http.cookies.set("staff_session", secret)
        browser = GraphQLClient(http)
        assert (await browser.data(VIEWER))["viewer"] is None
        assert error_codes(await browser.execute(STAFF_LIST)) == ["UNAUTHENTICATED"]
        # Nor is it a password of any account.
        login = await browser.mutate(
            f"mutation($input: LoginInput!) {{ login(input: $input) {{ token {ERRORS} }} }}",
            {"username": "owner", "password": secret},
        )
        assert [e["code"] for e in login["userErrors"]] == ["INVALID_CREDENTIALS"]


@pytest.mark.parametrize(
    "secret",
    ["sa_live_" + "A" * 43, "sa_live_short", "sa_live_" + "B" * 500, "sa_live_" + "é" * 43],
)
async def test_an_unknown_or_malformed_secret_is_unauthenticated_and_never_echoed(
    app: Starlette, admin: GraphQLClient, secret: str
) -> None:
    await create_api_client(admin, ["STAFF_READ"])
    async with _http(app) as http:
        response = await http.post(
            "/graphql",
            json={"query": STAFF_LIST},
            headers=[(b"authorization", f"Bearer {secret}".encode())],
        )
    assert response.status_code == 200
    body = response.json()
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert secret not in response.text and "ratelimit-limit" not in response.headers
    assert (await ApiClient.get()).last_used_at is None
