"""The 503 answer for a database that cannot be reached, from the real app pointed at a
PostgreSQL port where nothing listens; and what the middleware leaves alone."""

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from backend.app import create_app
from backend.config import Settings
from backend.http.outage import DatabaseOutageMiddleware
from tests.live_server import free_port

# Shaped like a real token, so the session lookup does reach the database.
TOKEN = "t" * 43


@pytest.fixture
async def app_without_database() -> AsyncIterator[Starlette]:
    settings = Settings(
        environment="test",
        database_url=f"postgres://postgres@127.0.0.1:{free_port()}/nowhere",
        public_base_url="http://testserver",
        migrate_on_start=False,
        run_outbox_sender=False,
        password_hash_profile="fast",
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def _post(app: Starlette, query: str, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        return await http.post("/graphql", json={"query": query}, headers=headers)


async def test_a_session_lookup_without_database_is_a_json_503(
    app_without_database: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="backend.http.outage"):
        response = await _post(
            app_without_database,
            "{ viewer { account { username } } }",
            {"authorization": f"Bearer {TOKEN}", "x-request-id": "outage-check-0001"},
        )
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    assert response.headers["retry-after"] == "2"
    assert response.headers["cache-control"] == "no-store"
    # Still inside the request-context middleware: the id and security headers are there.
    assert response.headers["x-request-id"] == "outage-check-0001"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.json() == {
        "errors": [
            {
                "message": "The service is briefly unavailable. Try again in a few seconds.",
                "extensions": {"code": "SERVICE_UNAVAILABLE", "retryAfterSeconds": 2},
            }
        ]
    }
    [record] = [r for r in caplog.records if r.name == "backend.http.outage"]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    line = record.getMessage()
    assert "outage-check-0001" in line and "ConnectionRefusedError" in line
    assert TOKEN not in line and "viewer" not in line


async def test_a_resolver_without_database_is_a_503_too(
    app_without_database: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    # Anonymous: no session lookup, so it is the login resolver that meets the outage.
    login = 'mutation { login(input: {username: "owner", password: "Outage-Pass-1"}) { token } }'
    with caplog.at_level(logging.INFO):
        response = await _post(app_without_database, login, {})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE", "retryAfterSeconds": 2}
    assert error["path"] == ["login"]
    assert [r.levelname for r in caplog.records if r.name == "backend.api.error_policy"] == [
        "WARNING"
    ]
    assert "Outage-Pass-1" not in caplog.text


async def test_what_needs_no_database_still_works(app_without_database: Starlette) -> None:
    response = await _post(app_without_database, "{ __typename }", {})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


def _raising_app(error: BaseException, *, start_first: bool = False) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if start_first:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        raise error

    return app


async def _call(middleware: DatabaseOutageMiddleware) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": []}
    await middleware(scope, receive, send)
    return sent


async def test_other_errors_propagate_unchanged() -> None:
    error = RuntimeError("a bug")
    with pytest.raises(RuntimeError) as raised:
        await _call(DatabaseOutageMiddleware(_raising_app(error)))
    assert raised.value is error


async def test_an_outage_after_the_response_started_propagates() -> None:
    error = ConnectionResetError(104, "Connection reset by peer")
    with pytest.raises(ConnectionResetError):
        await _call(DatabaseOutageMiddleware(_raising_app(error, start_first=True)))


async def test_the_body_is_the_documented_one() -> None:
    sent = await _call(DatabaseOutageMiddleware(_raising_app(ConnectionRefusedError(111, "x"))))
    start, body = sent
    assert start["status"] == 503
    headers = dict(start["headers"])
    assert int(headers[b"content-length"]) == len(body["body"])
    assert orjson.loads(body["body"])["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
