"""Unexpected failures are masked with a request id; expected ones keep their codes."""

import logging

import pytest
from tortoise import connections

from tests.api.client import GraphQLClient
from tests.api.documents import STAFF_LIST


async def test_an_internal_failure_is_masked_and_logged_with_the_request_id(
    admin: GraphQLClient, database_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    if database_backend != "sqlite":
        pytest.skip("breaks its database on purpose: only on the per-test SQLite file")
    await connections.get("default").execute_script("DROP TABLE outbox_message")
    response = await admin.http.post(
        "/graphql",
        json={"query": STAFF_LIST},
        headers={"authorization": f"Bearer {admin.token}", "x-request-id": "req-12345678"},
    )
    [error] = response.json()["errors"]
    assert error["message"] == "Unexpected error. Quote reference req-12345678 when reporting it."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-12345678"}
    assert "outbox_message" not in response.text
    assert response.headers["x-request-id"] == "req-12345678"
    # The outbox sender, polling the same broken database, may log its own failure.
    logged = [
        r for r in caplog.records if r.levelno == logging.ERROR and r.name != "backend.mail.sender"
    ]
    # One ERROR record, with the traceback: strawberry's own logging of it is off.
    assert [r.name for r in logged] == ["backend.api.error_policy"]
    message = logged[0].getMessage()
    assert "req-12345678" in message and "Traceback (most recent call last)" in message


async def test_unknown_fields_get_a_clear_validation_error(admin: GraphQLClient) -> None:
    body = await admin.execute("{ staffMembers { totalCount nope } }")
    assert "Cannot query field 'nope'" in body["errors"][0]["message"]
