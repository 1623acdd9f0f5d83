"""The app's own access log: one line per request, with the path but never the query
string (a refused `GET /graphql?query=…` carries the variables, passwords included)."""

import logging

import httpx
import pytest
from starlette.applications import Starlette

SECRET = "Quartz-Lantern-7731"


async def test_a_refused_get_is_logged_without_its_query_string(
    app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    query = f'mutation {{ login(input: {{username: "owner", password: "{SECRET}"}}) {{ token }} }}'
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        with caplog.at_level(logging.INFO, logger="backend.access"):
            response = await http.get("/graphql", params={"query": query})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    [line] = [r.getMessage() for r in caplog.records if r.name == "backend.access"]
    assert " GET /graphql 400 " in line
    # (httpx, the test's client, logs the whole URL it sent: not the server's doing.)
    server_side = "\n".join(r.getMessage() for r in caplog.records if r.name != "httpx")
    assert SECRET not in server_side and "query=" not in server_side
