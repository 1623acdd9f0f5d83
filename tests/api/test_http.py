"""What every HTTP response carries, and what only development serves."""

import dataclasses

import httpx

from backend.app import create_app
from backend.config import Settings
from tests.api.client import GraphQLClient


async def test_security_headers_and_request_id(anonymous: GraphQLClient) -> None:
    response = await anonymous.http.get("/")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert len(response.headers["x-request-id"]) == 32


async def test_client_routes_get_the_app_and_missing_assets_a_404(anonymous: GraphQLClient) -> None:
    page = await anonymous.http.get("/activate")
    assert page.status_code == 200 and "<html" in page.text
    assert (await anonymous.http.get("/missing.js")).status_code == 404


async def test_dev_mailbox_and_graphiql_exist_only_in_development(settings: Settings) -> None:
    for environment, expected in (("development", 200), ("test", 404)):
        # The development mailbox replaces SMTP only when no SMTP server is configured.
        configured = dataclasses.replace(settings, environment=environment, smtp_host="")
        app = create_app(configured)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as http,
        ):
            mailbox = await http.get("/dev/mailbox")
            assert mailbox.status_code == expected
            ide = await http.get("/graphql", headers={"accept": "text/html"})
            assert (ide.status_code == 200 and "graphiql" in ide.text.lower()) == (
                environment == "development"
            )
