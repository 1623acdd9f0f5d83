"""Sign-in, sessions and access rules."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette

from backend.mail.dev_mailbox import DevMailbox
from backend.models import Session, StaffMember, StaffStatus
from tests import secret_watch
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD
from tests.api.documents import LOGOUT, STAFF_COUNTS, STAFF_LIST, VIEWER
from tests.api.staff_factory import STAFF_PASSWORD, create_staff, staff_input

LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) { token expiresAt account { username } userErrors { field code message } }
}
"""

MANAGER_ONLY = [
    ("query", "staffMembers { totalCount }"),
    ("query", "staffCounts { active }"),
    ("mutation", 'staffResendActivation(input: {id: "x"}) { userErrors { code } }'),
    ("mutation", 'staffCancelVerification(input: {id: "x"}) { userErrors { code } }'),
    ("mutation", 'staffDeactivate(input: {id: "x"}) { userErrors { code } }'),
    ("mutation", 'staffReactivate(input: {id: "x"}) { userErrors { code } }'),
    ("mutation", 'staffUpdate(input: {id: "x"}) { userErrors { code } }'),
    ("mutation", 'roleCreate(input: {name: "x", permissions: []}) { userErrors { code } }'),
    ("mutation", 'roleUpdate(input: {id: "x"}) { userErrors { code } }'),
    ("mutation", 'roleDelete(input: {id: "x"}) { userErrors { code } }'),
]
SIGNED_IN_ONLY = [
    ("query", "roles { id }"),
    ("query", "providers { id }"),
    ("query", "offices { id }"),
    ("query", "careTeamRoles { code }"),
    ("query", 'staffMember(id: "x") { id }'),
    ("query", 'node(id: "x") { id }'),
    ("mutation", "logout(input: {}) { ok }"),
]


@pytest.mark.parametrize(("kind", "selection"), MANAGER_ONLY + SIGNED_IN_ONLY)
async def test_signed_out_callers_get_unauthenticated(
    anonymous: GraphQLClient, kind: str, selection: str
) -> None:
    body = await anonymous.execute(f"{kind} {{ {selection} }}")
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert error["message"] == "Sign in to do this."


@pytest.mark.parametrize(("kind", "selection"), MANAGER_ONLY)
async def test_staff_without_manage_accounts_get_forbidden(
    admin: GraphQLClient, anonymous: GraphQLClient, mailbox: DevMailbox, kind: str, selection: str
) -> None:
    await create_staff(admin)
    await StaffMember.filter(username_key="cnurse").update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    await anonymous.login("cnurse", STAFF_PASSWORD)
    body = await anonymous.execute(f"{kind} {{ {selection} }}")
    [error] = body["errors"]
    assert error["extensions"] == {"code": "FORBIDDEN"}
    assert "Manage Accounts" in error["message"]


async def test_create_without_manage_accounts_is_forbidden_and_changes_nothing(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await create_staff(admin)
    await StaffMember.filter(username_key="cnurse").update(status=StaffStatus.ACTIVE)
    await anonymous.login("cnurse", STAFF_PASSWORD)
    values = await staff_input(admin, username="other", email="other@example.com")
    body = await anonymous.execute(
        "mutation($input: StaffCreateInput!) { staffCreate(input: $input) { staffMember { id } } }",
        {"input": values},
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert not await StaffMember.exists(username_key="other")


async def test_failed_sign_ins_look_the_same_whatever_the_cause(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await create_staff(admin)  # pending: right password, but not activated
    await create_staff(admin, username="gone", email="gone@example.com")
    await StaffMember.filter(username_key="gone").update(status=StaffStatus.INACTIVE)
    attempts = [
        ("owner", "wrong-password-123"),
        ("nobody", ADMIN_PASSWORD),
        ("cnurse", STAFF_PASSWORD),
        ("gone", STAFF_PASSWORD),
    ]
    answers = [await anonymous.mutate(LOGIN, {"username": u, "password": p}) for u, p in attempts]
    assert all(answer == answers[0] for answer in answers)
    assert answers[0]["token"] is None
    assert [e["code"] for e in answers[0]["userErrors"]] == ["INVALID_CREDENTIALS"]


async def test_a_browser_sign_in_sets_an_httponly_cookie_and_returns_no_token(
    app: Starlette, practice: dict[str, Any]
) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        # What the SPA's gql.js sends: cookie requests need it (CSRF defence).
        headers={"x-requested-with": "staff-accounts"},
    ) as browser:
        response = await browser.post(
            "/graphql",
            json={
                "query": LOGIN,
                "variables": {"input": {"username": "OWNER", "password": ADMIN_PASSWORD}},
            },
        )
        payload = response.json()["data"]["login"]
        assert payload["account"]["username"] == "owner"
        cookie = response.headers["set-cookie"]
        assert "staff_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        # Page script never sees the session: the cookie is HttpOnly and the answer holds
        # no token.
        assert payload["token"] is None
        token = browser.cookies["staff_session"]
        assert token not in str(await Session.all().values_list("token_hash", flat=True))

        # The cookie alone signs the browser in; logout ends that session.
        viewer = await browser.post("/graphql", json={"query": VIEWER})
        assert viewer.json()["data"]["viewer"]["account"]["username"] == "owner"
        await browser.post("/graphql", json={"query": LOGOUT})
        after = await browser.post("/graphql", json={"query": VIEWER})
        assert after.json()["data"]["viewer"] is None

    # The cookie's token, sent as a bearer token, is dead too.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as api:
        client = GraphQLClient(api)
        client.token = token
        assert (await client.data(VIEWER))["viewer"] is None


@pytest.mark.parametrize(
    ("headers", "session", "bearer"),
    [
        ({}, None, True),  # the mobile app: a bearer session by default
        ({"x-requested-with": "staff-accounts"}, None, False),  # the SPA: a cookie session
        ({"x-requested-with": "staff-accounts"}, "BEARER", True),
        ({}, "COOKIE", False),
    ],
)
async def test_the_client_chooses_the_kind_of_session(
    app: Starlette, practice: Any, headers: dict[str, str], session: str | None, bearer: bool
) -> None:
    variables: dict[str, Any] = {"username": "owner", "password": ADMIN_PASSWORD}
    if session:
        variables["session"] = session
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
    ) as http:
        body = {"query": LOGIN, "variables": {"input": variables}}
        response = await http.post("/graphql", json=body)
        token = response.json()["data"]["login"]["token"]
        assert (token is not None) is bearer
        assert ("set-cookie" in response.headers) is not bearer
        secret_watch.remember(token or http.cookies.get("staff_session"))


async def test_sessions_expire_when_idle_and_absolutely(admin: GraphQLClient) -> None:
    assert (await admin.data(VIEWER))["viewer"] is not None
    now = datetime.now(UTC)
    await Session.all().update(last_seen_at=now - timedelta(minutes=31))
    assert (await admin.data(VIEWER))["viewer"] is None

    await Session.all().update(last_seen_at=now, expires_at=now - timedelta(seconds=1))
    assert (await admin.data(VIEWER))["viewer"] is None


async def test_activity_keeps_an_idle_session_alive(admin: GraphQLClient) -> None:
    now = datetime.now(UTC)
    await Session.all().update(last_seen_at=now - timedelta(minutes=29))
    await admin.data(STAFF_COUNTS)
    session = await Session.get()
    assert session.last_seen_at > now - timedelta(seconds=5)
    assert (await admin.data(VIEWER))["viewer"] is not None


async def test_logout_everywhere_ends_every_session(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await anonymous.login("owner", ADMIN_PASSWORD)
    await anonymous.data("mutation { logout(input: {everywhere: true}) { ok } }")
    assert (await admin.data(VIEWER))["viewer"] is None
    assert await Session.filter(revoked_at=None).count() == 0


async def test_viewer_shows_practice_and_permissions(admin: GraphQLClient) -> None:
    viewer = (await admin.data(VIEWER))["viewer"]
    assert viewer["practice"]["name"] == "Riverside Clinic"
    assert viewer["practice"]["seatLimit"] is None
    assert viewer["practice"]["seatsUsed"] == 1
    assert "MANAGE_ACCOUNTS" in viewer["permissions"]


async def test_list_query_is_not_served_over_get(admin: GraphQLClient) -> None:
    response = await admin.http.get("/graphql", params={"query": "{ viewer { account { id } } }"})
    assert response.status_code in (400, 405)
    listed = await admin.data(STAFF_LIST)
    assert listed["staffMembers"]["totalCount"] == 1


async def test_a_password_hash_with_other_parameters_is_stored_again_at_sign_in(
    anonymous: GraphQLClient, practice: Any
) -> None:
    # As hashes made before hashing ran on one lane (p=4) still are.
    older = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=2).hash(ADMIN_PASSWORD)
    await StaffMember.filter(username_key="owner").update(password_hash=older)
    await anonymous.login("owner", ADMIN_PASSWORD)
    stored = (await StaffMember.get(username_key="owner")).password_hash
    assert stored is not None
    assert stored != older and ",p=1$" in stored
    assert PasswordHasher().verify(stored, ADMIN_PASSWORD)
