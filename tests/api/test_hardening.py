"""GraphQL over HTTP hardening: CSRF, body size, timeout, suggestions, introspection,
security headers and the list-size cost limit."""

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, build_schema, parse
from starlette.applications import Starlette

from backend.api import view
from backend.api.cost_limit import operation_cost
from backend.app import create_app
from backend.config import Settings, SettingsError, load_settings
from backend.models import Plan
from backend.services import staff_directory
from tests.api.client import LOGIN, GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD, make_practice
from tests.api.documents import LOGOUT, STAFF_LIST, VIEWER

SPA_HEADER = {"x-requested-with": "staff-accounts"}
INTROSPECTION = "{ __schema { queryType { name } } }"


def _http(app: Starlette, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", **kwargs
    )


@contextlib.asynccontextmanager
async def running(settings: Settings, **changes: Any) -> AsyncIterator[Starlette]:
    """An app with changed settings (the `app` fixture's are fixed)."""
    app = create_app(dataclasses.replace(settings, **changes))
    async with app.router.lifespan_context(app):
        yield app


@contextlib.asynccontextmanager
async def browser(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in by its session cookie, as the SPA is."""
    async with _http(app, headers=SPA_HEADER) as http:
        variables = {"input": {"username": "owner", "password": ADMIN_PASSWORD}}
        response = await http.post("/graphql", json={"query": LOGIN, "variables": variables})
        assert response.json()["data"]["login"]["userErrors"] == []
        assert http.cookies.get("staff_session")
        http.headers.pop("x-requested-with")
        yield http


def _csrf_refused(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "CSRF"}
    assert "data" not in response.json()


# --- 1. CSRF ---------------------------------------------------------------------------


async def test_cookie_requests_without_the_custom_header_are_refused_unexecuted(
    app: Starlette, practice: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with browser(app) as http:
        resolved: list[str] = []
        original = view.resolve_session  # type: ignore[attr-defined]

        async def spy(token: str, **kwargs: Any) -> Any:
            resolved.append(token)
            return await original(token, **kwargs)

        monkeypatch.setattr(view, "resolve_session", spy)
        _csrf_refused(await http.post("/graphql", json={"query": LOGOUT}))
        assert resolved == []  # refused before the session was even looked up
        # The logout did not run: with the header, the cookie still signs in.
        viewer = await http.post("/graphql", json={"query": VIEWER}, headers=SPA_HEADER)
        assert viewer.json()["data"]["viewer"]["account"]["username"] == "owner"
        assert resolved


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"origin": "http://testserver.evil.example"},
        {"sec-fetch-site": "cross-site"},
        {"origin": "http://testserver", "sec-fetch-site": "cross-site"},
    ],
)
async def test_cross_site_cookie_requests_are_refused(
    app: Starlette, practice: dict[str, Any], headers: dict[str, str]
) -> None:
    async with browser(app) as http:
        _csrf_refused(
            await http.post("/graphql", json={"query": VIEWER}, headers={**SPA_HEADER, **headers})
        )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"origin": "http://testserver"},  # PUBLIC_BASE_URL's origin and the own host
        {"origin": "http://testserver", "sec-fetch-site": "same-origin"},
        {"sec-fetch-site": "same-origin"},
    ],
)
async def test_same_origin_cookie_requests_with_the_header_pass(
    app: Starlette, practice: dict[str, Any], headers: dict[str, str]
) -> None:
    async with browser(app) as http:
        response = await http.post(
            "/graphql", json={"query": VIEWER}, headers={**SPA_HEADER, **headers}
        )
        assert response.status_code == 200
        assert response.json()["data"]["viewer"]["account"]["username"] == "owner"


async def test_origin_of_public_base_url_behind_a_proxy_is_accepted(settings: Settings) -> None:
    async with running(settings, public_base_url="https://staff.example.com") as app:
        await make_practice(settings, "Riverside Clinic", "owner", Plan.INVOICED)
        async with browser(app) as http:
            ok = await http.post(
                "/graphql",
                json={"query": VIEWER},
                headers={**SPA_HEADER, "origin": "https://staff.example.com"},
            )
            assert ok.status_code == 200
            _csrf_refused(
                await http.post(
                    "/graphql",
                    json={"query": VIEWER},
                    headers={**SPA_HEADER, "origin": "https://other.example.com"},
                )
            )


async def test_bearer_and_cookieless_requests_need_no_csrf_header(
    app: Starlette, admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    cross_site = {"origin": "https://evil.example", "sec-fetch-site": "cross-site"}
    # A bearer request is checked by its token, even if a cookie rides along.
    response = await admin.http.post(
        "/graphql",
        json={"query": VIEWER},
        headers={"authorization": f"Bearer {admin.token}", **cross_site},
    )
    admin.http.cookies.set("staff_session", "a-cookie-riding-along")
    assert response.json()["data"]["viewer"]["account"]["username"] == "owner"
    # Without a cookie there is no ambient credential to abuse.
    response = await anonymous.http.post("/graphql", json={"query": VIEWER}, headers=cross_site)
    assert response.status_code == 200 and response.json()["data"]["viewer"] is None


# --- 2. Body size and timeout ----------------------------------------------------------


async def test_oversized_bodies_are_refused_by_content_length(settings: Settings) -> None:
    async with running(settings, max_request_bytes=2000) as app, _http(app) as http:
        big = {"query": "{ __typename }", "variables": {"pad": "x" * 3000}}
        response = await http.post("/graphql", json=big)
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        assert "x-request-id" in response.headers
        small = await http.post("/graphql", json={"query": "{ __typename }"})
        assert small.json() == {"data": {"__typename": "Query"}}


async def test_oversized_streamed_bodies_are_refused_while_reading(settings: Settings) -> None:
    chunks_sent: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "variables": {"pad": "'
        for _ in range(100):
            chunks_sent.append(1)
            yield b"x" * 500
        yield b'"}}'

    async with running(settings, max_request_bytes=2000) as app, _http(app) as http:
        response = await http.post(
            "/graphql", content=body(), headers={"content-type": "application/json"}
        )
        assert "content-length" not in response.request.headers
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_slow_operation_is_cancelled_with_a_timeout_error(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    cancelled = asyncio.Event()

    async def slow_list_staff(**kwargs: Any) -> Any:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    monkeypatch.setattr(staff_directory, "list_staff", slow_list_staff)
    async with running(settings, graphql_timeout_seconds=0.2) as app, _http(app) as http:
        await make_practice(settings, "Riverside Clinic", "owner", Plan.INVOICED)
        client = GraphQLClient(http)
        await client.login("owner", ADMIN_PASSWORD)
        started = asyncio.get_running_loop().time()
        body = await client.execute(STAFF_LIST)
        assert asyncio.get_running_loop().time() - started < 5
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"] == {"code": "TIMEOUT"}
        assert cancelled.is_set()


# --- 3. Suggestions, introspection, GraphiQL, GET --------------------------------------


async def test_validation_errors_carry_no_suggestions(admin: GraphQLClient) -> None:
    cases = [
        ("{ staffMembrs { totalCount } }", "Cannot query field 'staffMembrs'", "staffMembers"),
        ("{ staffMembers(frist: 5) { totalCount } }", "Unknown argument 'frist'", "'first'"),
        ("{ staffMembers { totalCont } }", "Cannot query field 'totalCont'", "totalCount"),
    ]
    for query, expected, suggestion in cases:
        [error] = (await admin.execute(query))["errors"]
        assert expected in error["message"]
        assert "Did you mean" not in error["message"] and suggestion not in error["message"]


async def test_introspection_only_for_bearer_clients_outside_development(
    app: Starlette, admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    refused = await anonymous.execute(INTROSPECTION)
    assert refused["errors"][0]["extensions"] == {"code": "INTROSPECTION_DISABLED"}
    assert "data" not in refused or refused["data"] is None
    typename = await anonymous.execute('{ staff: __type(name: "StaffMember") { name } }')
    assert typename["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    assert (await anonymous.data("{ __typename }")) == {"__typename": "Query"}
    # A signed-in API client may introspect.
    assert (await admin.data(INTROSPECTION))["__schema"]["queryType"]["name"] == "Query"
    # A browser session (cookie) may not.
    async with browser(app) as http:
        response = await http.post("/graphql", json={"query": INTROSPECTION}, headers=SPA_HEADER)
        assert response.json()["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    # An invalid bearer token is an anonymous caller.
    response = await anonymous.http.post(
        "/graphql", json={"query": INTROSPECTION}, headers={"authorization": "Bearer nope"}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"


async def test_introspection_is_open_in_development(settings: Settings) -> None:
    async with running(settings, environment="development") as app, _http(app) as http:
        response = await http.post("/graphql", json={"query": INTROSPECTION})
        assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_no_graphiql_and_no_queries_over_get_outside_development(
    anonymous: GraphQLClient,
) -> None:
    ide = await anonymous.http.get("/graphql", headers={"accept": "text/html"})
    assert "graphiql" not in ide.text.lower()
    response = await anonymous.http.get("/graphql", params={"query": "{ __typename }"})
    assert response.status_code != 200
    assert "Query" not in response.text


# --- 4. Security headers ---------------------------------------------------------------


async def test_graphql_responses_are_not_cached_and_hsts_is_off_over_http(
    anonymous: GraphQLClient,
) -> None:
    response = await anonymous.http.post("/graphql", json={"query": "{ __typename }"})
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in response.headers
    assert "strict-transport-security" not in (await anonymous.http.get("/")).headers


async def test_hsts_when_served_over_https(settings: Settings) -> None:
    async with (
        running(settings, public_base_url="https://staff.example.com", cookie_secure=True) as app,
        _http(app) as http,
    ):
        for path in ("/", "/healthz"):
            response = await http.get(path)
            assert (
                response.headers["strict-transport-security"]
                == "max-age=31536000; includeSubDomains"
            )
            assert response.headers["referrer-policy"] == "no-referrer"
        graphql = await http.post("/graphql", json={"query": "{ __typename }"})
        assert graphql.headers["cache-control"] == "no-store"
        assert "strict-transport-security" in graphql.headers


# --- 5. Cost limit ---------------------------------------------------------------------


def _aliases(count: int, first: str) -> str:
    fields = " ".join(f"a{i}: staffMembers(first: {first}) {{ totalCount }}" for i in range(count))
    return fields


async def test_aliased_lists_over_the_cost_limit_are_refused(admin: GraphQLClient) -> None:
    assert "a9" in await admin.data("{ " + _aliases(10, "100") + " }")  # exactly 1000
    body = await admin.execute("{ " + _aliases(11, "100") + " }")
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "COST_LIMIT"
    assert "1100" in error["message"]


async def test_cost_counts_variables_defaults_and_fragments(admin: GraphQLClient) -> None:
    query = "query($n: Int) { " + _aliases(2, "$n") + " }"
    assert (await admin.execute(query, {"n": 600}))["errors"][0]["extensions"]["code"] == (
        "COST_LIMIT"
    )
    assert "a1" in await admin.data(query, {"n": 10})
    defaulted = "query($n: Int = 600) { " + _aliases(2, "$n") + " }"
    assert (await admin.execute(defaulted))["errors"][0]["extensions"]["code"] == "COST_LIMIT"
    fragment = (
        "query { ...A ...B } fragment A on Query { a: staffMembers(first: 600) { totalCount } }"
        " fragment B on Query { b: staffMembers(first: 600) { totalCount } }"
    )
    assert (await admin.execute(fragment))["errors"][0]["extensions"]["code"] == "COST_LIMIT"


async def test_cost_limit_is_a_setting(settings: Settings) -> None:
    async with running(settings, graphql_max_cost=50) as app, _http(app) as http:
        await make_practice(settings, "Riverside Clinic", "owner", Plan.INVOICED)
        client = GraphQLClient(http)
        await client.login("owner", ADMIN_PASSWORD)
        assert "a0" in await client.data("{ " + _aliases(2, "25") + " }")
        body = await client.execute("{ " + _aliases(3, "25") + " }")
        assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT"


def test_nested_connections_multiply() -> None:
    schema = build_schema(
        """
        type Query { staff(first: Int = 25): Conn }
        type Conn { edges: [Edge] }
        type Edge { node: Staff }
        type Staff { roles(first: Int = 10): [Role] }
        type Role { name: String }
        """
    )

    def cost(source: str, variables: dict[str, Any] | None = None) -> int:
        document = parse(source)
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        return operation_cost(schema, operation, fragments, variables or {})

    assert cost("{ staff(first: 10) { edges { node { roles(first: 5) { name } } } } }") == 60
    assert cost("{ staff { edges { node { roles { name } } } } }") == 25 + 25 * 10
    two = "{ a: staff(first: 2) { edges { node { roles { name } } } } "
    two += "b: staff(first: 1) { edges { node { name: __typename } } } }"
    assert cost(two) == 2 + 20 + 1
    assert cost("query($n: Int) { staff(first: $n) { edges { __typename } } }", {"n": 7}) == 7
    assert (
        cost("{ staff(first: 3) { ... on Conn { edges { node { roles(first: 2) { name } } } } } }")
        == 9
    )


def test_hardening_settings_are_read_from_the_environment() -> None:
    defaults = load_settings({})
    assert (defaults.max_request_bytes, defaults.graphql_timeout_seconds) == (100_000, 10.0)
    assert defaults.graphql_max_cost == 1000
    changed = load_settings(
        {"MAX_REQUEST_BYTES": "5000", "GRAPHQL_TIMEOUT_SECONDS": "2.5", "GRAPHQL_MAX_COST": "50"}
    )
    assert (changed.max_request_bytes, changed.graphql_timeout_seconds) == (5000, 2.5)
    assert changed.graphql_max_cost == 50
    for name in ("MAX_REQUEST_BYTES", "GRAPHQL_TIMEOUT_SECONDS", "GRAPHQL_MAX_COST"):
        with pytest.raises(SettingsError, match=name):
            load_settings({name: "0"})


async def test_an_enormous_cost_is_refused_not_crashed(admin: GraphQLClient) -> None:
    # Found by fuzzing: nested lists at the largest Int multiply past 64 bits, which the
    # JSON encoder could not write; the request must still get a COST_LIMIT answer.
    big = 2_147_483_647
    inner = f"auditEvents(first: {big}) {{ id }}"
    nested = f"staffMembers(first: {big}) {{ edges {{ node {{ {inner} }} }} }}"
    query = "{ " + " ".join(f"a{i}: {nested}" for i in range(8)) + " }"
    body = await admin.execute(query)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "COST_LIMIT"


async def test_the_same_operation_is_validated_once_then_served_from_the_cache(
    admin: GraphQLClient,
) -> None:
    # Validation was a fifth of a staff-page request's CPU when every request missed the
    # cache (limiters built per request made new rule classes, which are part of its key).
    from strawberry.extensions.validation_cache import _get_validate_cache

    cache: Any = _get_validate_cache(256)  # an lru_cache (cache_info)
    query = "query CacheProbe { viewer { account { username } } }"
    await admin.data(query)
    before = cache.cache_info()
    await admin.data(query)
    after = cache.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)
