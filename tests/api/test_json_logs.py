"""LOG_FORMAT=json: one JSON object a line, each with the request's id, practice and
operation; a bug is one ERROR record with its traceback; no email address in any line."""

import dataclasses
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from tortoise import connections

from backend.config import Settings
from backend.logs import configure_format
from tests.api.client import GraphQLClient
from tests.api.documents import STAFF_LIST

NAMED_QUERY = "query StaffCount { staffMembers { totalCount } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # No sender in the background: its own failures would be logged beside the request's.
    return dataclasses.replace(settings, run_outbox_sender=False)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = configure_format("json", stream=stream)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys(), record
    return records


async def test_each_line_names_the_request_practice_and_operation(
    admin: GraphQLClient, practice: dict[str, Any], json_log: io.StringIO
) -> None:
    response = await admin.http.post(
        "/graphql",
        json={"query": NAMED_QUERY},
        headers={"authorization": f"Bearer {admin.token}", "x-request-id": "req-json-0001"},
    )
    assert response.headers["x-request-id"] == "req-json-0001"
    [access] = [r for r in _lines(json_log) if r["request_id"] == "req-json-0001"]
    assert access["logger"] == "backend.access" and access["level"] == "INFO"
    assert access["practice_id"] == str(practice["practice"].id)
    assert access["operation"] == "StaffCount"
    assert "owner@example.com" not in json_log.getvalue()


async def test_an_anonymous_request_gets_an_id_and_no_practice(
    anonymous: GraphQLClient, json_log: io.StringIO
) -> None:
    response = await anonymous.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "bad id!"}
    )
    request_id = response.headers["x-request-id"]
    assert request_id != "bad id!"
    [access] = [r for r in _lines(json_log) if r["logger"] == "backend.access"]
    assert access["request_id"] == request_id
    assert access["practice_id"] is None and access["operation"] is None


def test_uvicorn_and_email_addresses_go_through_the_formatter(json_log: io.StringIO) -> None:
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    logging.getLogger("backend.mail.sender").warning(
        "attempt failed: 550 <%s> unknown", "nora@example.com"
    )
    started, refused = _lines(json_log)
    assert started["logger"] == "uvicorn.error"
    assert started["message"] == "Started server process [42]"
    assert refused["message"] == "attempt failed: 550 <<email>> unknown"


async def test_a_bug_is_one_error_record_with_its_traceback(
    admin: GraphQLClient, database_backend: str, json_log: io.StringIO
) -> None:
    if database_backend != "sqlite":
        pytest.skip("breaks its database on purpose: only on the per-test SQLite file")
    await connections.get("default").execute_script("DROP TABLE outbox_message")
    await admin.http.post(
        "/graphql",
        json={"query": STAFF_LIST},
        headers={"authorization": f"Bearer {admin.token}", "x-request-id": "req-json-0002"},
    )
    records = _lines(json_log)
    errors = [r for r in records if r["level"] == "ERROR"]
    assert len(errors) == 1, [(r["logger"], r["message"][:300]) for r in errors]
    [error] = errors
    assert error["logger"] == "backend.api.error_policy"
    assert error["request_id"] == "req-json-0002"
    assert "Traceback (most recent call last)" in error["message"]
    # Nobody else (strawberry, uvicorn, an exc_info field) writes the traceback again.
    with_traceback = [r for r in records if "Traceback (most recent call last)" in json.dumps(r)]
    assert with_traceback == [error] and "exc_info" not in error
