"""A client's mistakes in a request — bad variables, bad literals, bad syntax — are answered
with a code and a message that names the problem and where it is, never with the value
sent, and are logged at INFO at most: inputs carry passwords, tokens, PINs and codes."""

import logging
import re
from pathlib import Path
from typing import Any

import pytest

from backend.api.error_codes import ErrorCode, http_status
from tests.api.client import GraphQLClient

SECRET = "Sapphire-Kettle-90417"
TOKEN = "tok-4f9a1c2e7b8d0e6f5a3c"

ACTIVATE = """
mutation Activate($input: AccountActivateInput!) {
  accountActivate(input: $input) { account { id } userErrors { code } }
}
"""
LOGIN = "mutation Login($input: LoginInput!) { login(input: $input) { token } }"
LIST = "query List($first: Int) { staffMembers(first: $first) { totalCount } }"


async def post(client: GraphQLClient, query: str, variables: Any = None) -> dict[str, Any]:
    response = await client.http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    assert SECRET not in response.text and TOKEN not in response.text
    body: dict[str, Any] = response.json()
    return body


def only_error(body: dict[str, Any]) -> tuple[str, str]:
    assert body.get("data") is None
    [error] = body["errors"]
    return error["extensions"]["code"], error["message"]


def assert_quiet_log(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing above INFO was logged, and no log line holds a value that was sent."""
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        assert SECRET not in text and TOKEN not in text, text
        assert record.levelno <= logging.INFO, (record.name, text)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"input": {"token": TOKEN, "username": "x", "password": SECRET, "newPassword": SECRET}},
            "Variable $input is missing the required field newPasswordConfirmation.",
        ),
        (
            {"input": SECRET},
            "Variable $input must be an input object (AccountActivateInput).",
        ),
        (
            {"input": [{"token": TOKEN}]},
            "Variable $input must be an input object (AccountActivateInput).",
        ),
        ({}, "Variable $input was not provided (AccountActivateInput!)."),
        ({"input": None}, "Variable $input must not be null (AccountActivateInput!)."),
    ],
)
async def test_variables_that_do_not_fit_are_bad_user_input_without_values(
    anonymous: GraphQLClient,
    caplog: pytest.LogCaptureFixture,
    variables: dict[str, Any],
    message: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    assert only_error(await post(anonymous, ACTIVATE, variables)) == ("BAD_USER_INPUT", message)
    assert_quiet_log(caplog)


async def test_every_problem_of_the_variables_is_named(
    anonymous: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = await post(
        anonymous,
        LOGIN,
        {"input": {"username": ["a"], "password": 90417, "bogus": SECRET, SECRET: 1}},
    )
    assert {(e["extensions"]["code"], e["message"]) for e in body["errors"]} == {
        ("BAD_USER_INPUT", "Variable $input.username must be a string."),
        ("BAD_USER_INPUT", "Variable $input.password must be a string."),
        ("BAD_USER_INPUT", "Variable $input has the unknown field bogus."),
        # A key that does not look like a field name is not repeated.
        ("BAD_USER_INPUT", "Variable $input has the unknown field."),
    }
    assert_quiet_log(caplog)


async def test_a_number_out_of_range_is_bad_user_input(admin: GraphQLClient) -> None:
    body = await post(admin, LIST, {"first": "ten"})
    assert only_error(body) == ("BAD_USER_INPUT", "Variable $first must be a 32-bit integer.")


@pytest.mark.parametrize(
    ("literal", "message"),
    [
        (
            f'{{username: "x", password: "{SECRET}", bogus: 1}}',
            "Argument input has the unknown field bogus.",
        ),
        ('{username: "x", password: 90417}', "Argument input.password must be a string."),
        (f'{{password: "{SECRET}"}}', "Argument input is missing the required field username."),
        (f'"{SECRET}"', "Argument input must be an input object (LoginInput)."),
    ],
)
async def test_literals_that_do_not_fit_fail_validation_without_values(
    anonymous: GraphQLClient, caplog: pytest.LogCaptureFixture, literal: str, message: str
) -> None:
    caplog.set_level(logging.DEBUG)
    body = await post(anonymous, f"mutation {{ login(input: {literal}) {{ token }} }}")
    assert only_error(body) == ("GRAPHQL_VALIDATION_FAILED", message)
    assert_quiet_log(caplog)


async def test_a_syntax_error_names_the_kind_of_token_not_its_text(
    anonymous: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # graphql-core's message quotes the token it stopped at: here a whole password.
    body = await post(anonymous, f'mutation {{ login(input: {{username: "x" "{SECRET}"}}) }}')
    expected = ("GRAPHQL_PARSE_FAILED", "Syntax Error: Expected Name, found String.")
    assert only_error(body) == expected
    assert_quiet_log(caplog)


async def test_unknown_fields_fail_validation_with_a_code(anonymous: GraphQLClient) -> None:
    body = await post(anonymous, "{ viewer { nope } }")
    assert only_error(body) == (
        "GRAPHQL_VALIDATION_FAILED",
        "Cannot query field 'nope' on type 'Viewer'.",
    )


async def test_no_message_suggests_field_names(anonymous: GraphQLClient) -> None:
    body = await post(anonymous, "{ viewer { acount { id } } }")
    assert "Did you mean" not in only_error(body)[1]


def test_the_readme_prints_the_error_code_table_of_the_schema() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = {
        match.group(1): int(match.group(2))
        for match in re.finditer(r"^\| `([A-Z_]+)` \| (\d{3}) \|", readme, re.MULTILINE)
    }
    assert rows == {code.name: http_status(code) for code in ErrorCode}
