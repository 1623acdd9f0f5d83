"""Unexpected failures are masked with a request id; expected ones keep their codes."""

import logging

import pytest
from graphql import GraphQLError
from tortoise import connections

from backend.api.errors import CodedError, should_mask_error
from tests.api.client import GraphQLClient
from tests.api.documents import STAFF_LIST


def test_only_unexpected_errors_are_masked() -> None:
    assert should_mask_error(GraphQLError("boom", original_error=ValueError("internal detail")))
    assert not should_mask_error(
        GraphQLError("Sign in", original_error=CodedError("x", "FORBIDDEN"))
    )
    assert not should_mask_error(GraphQLError("Cannot query field 'nope' on type 'Query'."))


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
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any("req-12345678" in r.getMessage() for r in logged)


async def test_unknown_fields_get_a_clear_validation_error(admin: GraphQLClient) -> None:
    body = await admin.execute("{ staffMembers { totalCount nope } }")
    assert "Cannot query field 'nope'" in body["errors"][0]["message"]
