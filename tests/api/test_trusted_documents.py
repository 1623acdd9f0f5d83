"""Documents named instead of sent: by a trusted document's id (`documentId`), by an
Automatic Persisted Query's hash, and the allow-list of TRUSTED_DOCUMENTS_ONLY — over the
real app (ASGI) on SQLite and PostgreSQL."""

import contextlib
import dataclasses
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from backend.app import create_app
from backend.config import Settings
from backend.documents.spa_manifest import MANIFEST_FILE
from backend.models import PersistedQuery
from backend.services.registered_documents import NewDocument, register
from tests.api.api_clients import as_api_client, create_api_client
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD

SPA_HEADER = {"x-requested-with": "staff-accounts"}
# The SPA's own "query StaffRoles { roles { id name } }", as the manifest holds it.
STAFF_ROLES = next(
    entry
    for entry in json.loads(MANIFEST_FILE.read_text())["documents"]
    if entry["name"] == "StaffRoles"
)
OWN_QUERY = "query MyRoles { roles { name } }"
LOGIN = "mutation($input: LoginInput!) { login(input: $input) { userErrors { code } } }"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(hash_: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": hash_}}


async def post(http: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> httpx.Response:
    return await http.post("/graphql", json=body, headers=headers)


def only_error(response: httpx.Response) -> tuple[int, str, str]:
    [error] = response.json()["errors"]
    return response.status_code, error["extensions"]["code"], error["message"]


def bearer(client: GraphQLClient) -> dict[str, str]:
    return {"authorization": f"Bearer {client.token}"}


@contextlib.asynccontextmanager
async def running(settings: Settings, **changes: Any) -> AsyncIterator[Starlette]:
    app = create_app(dataclasses.replace(settings, **changes))
    async with app.router.lifespan_context(app):
        yield app


@contextlib.asynccontextmanager
async def browser(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """Signed in by the session cookie, as the SPA is (with the SPA's header)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=SPA_HEADER
    ) as http:
        variables = {"input": {"username": "owner", "password": ADMIN_PASSWORD}}
        response = await post(http, {"query": LOGIN, "variables": variables})
        assert response.json()["data"]["login"]["userErrors"] == [], response.text
        assert http.cookies.get("staff_session")
        yield http


async def test_a_spa_document_runs_by_its_id(admin: GraphQLClient) -> None:
    response = await post(admin.http, {"documentId": STAFF_ROLES["id"]}, **bearer(admin))
    assert response.status_code == 200, response.text
    names = {role["name"] for role in response.json()["data"]["roles"]}
    assert "Nurse (System)" in names


async def test_a_registered_document_runs_by_its_id(admin: GraphQLClient) -> None:
    body = "query MobileRoles { roles { id } }"
    await register([NewDocument("sha256:" + sha256(body), body, "query", "MobileRoles")])
    response = await post(admin.http, {"documentId": "sha256:" + sha256(body)}, **bearer(admin))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["roles"]


async def test_an_unknown_or_malformed_document_id_is_refused(anonymous: GraphQLClient) -> None:
    unknown = await post(anonymous.http, {"documentId": "sha256:" + sha256(OWN_QUERY)})
    assert only_error(unknown)[:2] == (400, "PERSISTED_DOCUMENT_NOT_FOUND")
    for malformed in ("md5:abc", "sha256:" + "A" * 64, 42, sha256(OWN_QUERY)):
        response = await post(anonymous.http, {"documentId": malformed})
        status, code, message = only_error(response)
        assert (status, code) == (400, "BAD_REQUEST"), response.text
        assert "sha256:" in message
    both = await post(anonymous.http, {"documentId": STAFF_ROLES["id"], "query": OWN_QUERY})
    assert only_error(both)[:2] == (400, "BAD_REQUEST")


async def test_automatic_persisted_queries_round_trip(
    admin: GraphQLClient, settings: Settings
) -> None:
    hash_ = sha256(OWN_QUERY)
    first = await post(admin.http, {"extensions": apq(hash_)}, **bearer(admin))
    # What Apollo clients look for: the message, and the code, with status 200.
    assert only_error(first) == (200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
    assert await PersistedQuery.all().count() == 0

    sent = await post(admin.http, {"query": OWN_QUERY, "extensions": apq(hash_)}, **bearer(admin))
    assert sent.status_code == 200 and "errors" not in sent.json(), sent.text
    assert [row.body for row in await PersistedQuery.filter(sha256=hash_)] == [OWN_QUERY]

    again = await post(admin.http, {"extensions": apq(hash_)}, **bearer(admin))
    assert again.json() == sent.json()
    # Another app instance on the same database knows it too: the store is the database.
    async with running(settings) as other:
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            there = await post(http, {"extensions": apq(hash_)}, **bearer(admin))
    assert there.json() == sent.json()


async def test_a_spa_document_needs_no_registration_by_hash(anonymous: GraphQLClient) -> None:
    response = await post(anonymous.http, {"extensions": apq(STAFF_ROLES["id"][7:])})
    assert only_error(response)[1] == "UNAUTHENTICATED"  # it ran: roles need a sign-in
    assert await PersistedQuery.all().count() == 0


async def test_a_hash_that_is_not_the_querys_is_refused(anonymous: GraphQLClient) -> None:
    wrong = await post(
        anonymous.http, {"query": OWN_QUERY, "extensions": apq(sha256(OWN_QUERY + " "))}
    )
    status, code, message = only_error(wrong)
    assert (status, code) == (400, "PERSISTED_QUERY_HASH_MISMATCH")
    assert "not the SHA-256" in message
    for malformed in ({"version": 2, "sha256Hash": sha256(OWN_QUERY)}, {"version": 1}, "x"):
        response = await post(
            anonymous.http, {"query": OWN_QUERY, "extensions": {"persistedQuery": malformed}}
        )
        assert only_error(response)[:2] == (400, "BAD_REQUEST"), response.text
    assert await PersistedQuery.all().count() == 0


async def test_a_text_that_is_no_runnable_document_is_not_kept(anonymous: GraphQLClient) -> None:
    for text in ("{ noSuchField }", "{ roles { "):
        response = await post(anonymous.http, {"query": text, "extensions": apq(sha256(text))})
        assert response.status_code == 200
        assert only_error(response)[1] in {"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"}
    assert await PersistedQuery.all().count() == 0


async def test_a_text_with_string_values_runs_but_is_not_kept(anonymous: GraphQLClient) -> None:
    # Values belong in variables: a literal could be a password, which must not be stored.
    text = 'mutation { login(input: {username: "owner", password: "Not-Kept-1234"}) { token } }'
    response = await post(anonymous.http, {"query": text, "extensions": apq(sha256(text))})
    assert response.json()["data"]["login"] == {"token": None}, response.text
    assert await PersistedQuery.all().count() == 0


async def test_the_store_keeps_the_most_recently_used(settings: Settings) -> None:
    texts = [f"query Q{n} {{ __typename }}" for n in range(3)]
    async with running(settings, persisted_queries_max=2) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            for text in texts:
                response = await post(http, {"query": text, "extensions": apq(sha256(text))})
                assert "errors" not in response.json(), response.text
            oldest = await post(http, {"extensions": apq(sha256(texts[0]))})
            newest = await post(http, {"extensions": apq(sha256(texts[2]))})
        kept = {row.sha256 for row in await PersistedQuery.all()}
    assert only_error(oldest)[1] == "PERSISTED_QUERY_NOT_FOUND"
    assert newest.json() == {"data": {"__typename": "Query"}}
    assert kept == {sha256(texts[1]), sha256(texts[2])}


async def test_named_documents_are_refused_over_get(anonymous: GraphQLClient) -> None:
    extensions = json.dumps(apq(sha256(OWN_QUERY)))
    for params in ({"extensions": extensions}, {"documentId": STAFF_ROLES["id"]}):
        response = await anonymous.http.get(
            "/graphql", params=params, headers={"accept": "application/json"}
        )
        status, code, message = only_error(response)
        assert (status, code) == (405, "METHOD_NOT_ALLOWED"), response.text
        assert "POST only" in message


async def test_every_way_is_counted_under_the_operations_name(app: Starlette) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        await post(http, {"query": STAFF_ROLES["body"]})
        await post(http, {"documentId": STAFF_ROLES["id"]})
        await post(http, {"extensions": apq(STAFF_ROLES["id"][7:])})
        await post(http, {"documentId": "sha256:" + sha256(OWN_QUERY)})
        metrics = (await http.get("/metrics")).text
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
    }
    requests = "staff_accounts_graphql_requests_total"
    assert samples[(requests, (("operation", "StaffRoles"),))] >= 3
    errors = "staff_accounts_graphql_errors_total"
    assert samples[(errors, (("code", "PERSISTED_DOCUMENT_NOT_FOUND"),))] >= 1


async def test_the_allow_list_binds_cookie_sessions_only(
    admin: GraphQLClient, settings: Settings
) -> None:
    registered = "query PartnerRoles { roles { name } }"
    await register([NewDocument("sha256:" + sha256(registered), registered, "query", None)])
    async with running(settings, trusted_documents_only=True) as app, browser(app) as http:
        spa_text = await post(http, {"query": STAFF_ROLES["body"]})
        assert "errors" not in spa_text.json(), spa_text.text
        by_id = await post(http, {"documentId": STAFF_ROLES["id"]})
        assert by_id.json() == spa_text.json()
        assert "errors" not in (await post(http, {"query": registered})).json()

        arbitrary = await post(http, {"query": OWN_QUERY})
        status, code, message = only_error(arbitrary)
        assert (status, code) == (403, "DOCUMENT_NOT_TRUSTED")
        assert "TRUSTED_DOCUMENTS_ONLY" in message
        assert arbitrary.json()["data"] is None
        # Nor is the cookie's token sent as a bearer token: a cookie session's token is
        # refused from an Authorization header.
        cookie_token = http.cookies["staff_session"]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as thief:
            stolen = await post(thief, {"query": OWN_QUERY}, authorization=f"Bearer {cookie_token}")
        assert only_error(stolen)[1] == "UNAUTHENTICATED"
        # A persisted query is no way around it: anyone may persist one.
        await post(admin.http, {"query": OWN_QUERY, "extensions": apq(sha256(OWN_QUERY))})
        assert await PersistedQuery.all().count() == 1
        by_hash = await post(http, {"extensions": apq(sha256(OWN_QUERY))})
        assert only_error(by_hash)[:2] == (403, "DOCUMENT_NOT_TRUSTED")

        # Bearer sessions (the mobile app) and API clients write their own documents.
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as mobile:
            own = await post(mobile, {"query": OWN_QUERY}, **bearer(admin))
        secret = (await create_api_client(admin, ["ROLES_READ"]))["secret"]
        async with as_api_client(app, secret) as partner:
            partners = await partner.execute(OWN_QUERY)
        # Signed out, only sign-in, activation and resets are open: not restricted either.
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as nobody:
            signed_out = await post(nobody, {"query": OWN_QUERY})
    assert "errors" not in own.json(), own.text
    assert "errors" not in partners, partners
    assert only_error(signed_out)[1] == "UNAUTHENTICATED"


async def test_the_allow_list_is_off_by_default(app: Starlette, practice: object) -> None:
    async with browser(app) as http:
        response = await post(http, {"query": OWN_QUERY})
    assert "errors" not in response.json(), response.text


async def test_a_padded_text_is_run_but_not_kept(anonymous: GraphQLClient) -> None:
    """The store is bounded by count; a size bound keeps padded texts from filling it."""
    padded = "{ __typename }" + " " * 20_000
    response = await post(anonymous.http, {"query": padded, "extensions": apq(sha256(padded))})
    assert response.json() == {"data": {"__typename": "Query"}}, response.text
    assert await PersistedQuery.all().count() == 0
