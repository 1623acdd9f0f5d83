"""What an unknown path answers: a JSON 404 under the service's prefixes, the SPA for its
own routes, the SPA's shell with a 404 for other browser paths."""

import re

import pytest

from backend.http.not_found import RESERVED_PREFIXES
from backend.spa import FRONTEND_DIR, SPA_ROUTE_PATTERNS, SPA_ROUTES, is_spa_route
from tests.api.client import GraphQLClient

NOT_FOUND = {"errors": [{"message": "No such endpoint.", "extensions": {"code": "NOT_FOUND"}}]}
BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.mark.parametrize(
    "path",
    [
        "/scim/v1/Users",  # /scim/v2 is SCIM (tests/api/test_scim.py)
        "/metrics/extra",
        "/readyz/now",
        "/graphql/x",
        "/dev/mailbox",
        "/.well-known/openid-configuration",
        "/livez/",
        "/healthz/deep",
        "/scim",
    ],
)
async def test_unknown_paths_under_reserved_prefixes_are_json_404s(
    anonymous: GraphQLClient, path: str
) -> None:
    for method in ("GET", "POST"):
        response = await anonymous.http.request(method, path, headers=BROWSER)
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"] == "application/json"
        assert response.json() == NOT_FOUND


async def test_the_spa_routes_get_the_app(anonymous: GraphQLClient) -> None:
    # A staff member's address opens the Staff page with their drawer.
    for path in [*sorted(SPA_ROUTES), "/staff/U3RhZmZNZW1iZXI6MQ"]:
        page = await anonymous.http.get(path, headers=BROWSER)
        assert page.status_code == 200 and "<app-root>" in page.text, path
    assert (await anonymous.http.get("/staff/a/b", headers=BROWSER)).status_code == 404


async def test_other_browser_paths_get_the_shell_with_a_404(anonymous: GraphQLClient) -> None:
    page = await anonymous.http.get("/no-such-page", headers=BROWSER)
    assert page.status_code == 404 and "<app-root>" in page.text
    # A prefix's letters are not the prefix: /devices could be a page of the app.
    assert (await anonymous.http.get("/devices", headers=BROWSER)).status_code == 404
    api_client = await anonymous.http.get("/no-such-page", headers={"accept": "*/*"})
    assert (api_client.status_code, api_client.json()) == (404, NOT_FOUND)
    asset = await anonymous.http.get("/src/missing.js", headers=BROWSER)
    assert asset.status_code == 404 and "<app-root>" not in asset.text


def test_the_server_knows_the_routes_of_the_spa() -> None:
    source = (FRONTEND_DIR / "src/components/app-root/app-root.js").read_text()
    routes = re.search(r"const ROUTES = \{(.*?)\};", source, re.DOTALL)
    assert routes is not None
    assert set(re.findall(r'"(/[^"]*)":', routes.group(1))) == SPA_ROUTES
    patterns = re.findall(r"^const \w+_ROUTE = /(.*)/;$", source, re.MULTILINE)
    assert [pattern.replace("\\/", "/") for pattern in patterns] == [
        pattern.pattern for pattern in SPA_ROUTE_PATTERNS
    ]


def test_a_person_address_is_one_plain_segment() -> None:
    assert is_spa_route("/staff/3f1c")
    for path in ["/staff/3f1c\n", "/staff/", "/staff/a/b"]:
        assert not is_spa_route(path), path


def test_the_prefixes_are_the_documented_ones() -> None:
    readme = (FRONTEND_DIR.parent / "README.md").read_text()
    for prefix in RESERVED_PREFIXES:
        assert f"`{prefix}`" in readme, prefix
