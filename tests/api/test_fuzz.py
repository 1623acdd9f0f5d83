"""Fuzzing: queries and mutations generated from schema.graphql by hypothesis-graphql,
sent as an administrator (bearer) and anonymously. No answer may be a 5xx, carry a stack
trace, a masked unexpected error (a 500-class bug behind the mask) or a secret.

The documents are drawn first (hypothesis runs synchronously), then sent in the async
test. The seed is random; a failure names it, and FUZZ_SEED=<seed> replays the same run.
"""

import os
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema, build_schema
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from backend.models import LoginThrottle
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"
# Per client: this many queries and this many mutations (so 2 x 2 x 75 = 300 in all).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "75"))
SEED = int(os.environ.get("FUZZ_SEED") or random.randrange(2**32))
# The administrator must stay signed in for the whole run: sign-in and sign-out are
# fuzzed anonymously only.
ANONYMOUS_ONLY_MUTATIONS = {"login", "logout"}
STACK_TRACE_MARKS = ("Traceback", 'File "/')
MASKED_ERROR = "Unexpected error."

# Offset-aware and naive times (a naive one found a masked server error once: see
# test_a_naive_date_time_filter_is_not_a_server_error), and arbitrary text.
DATE_TIMES = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda moment: nodes.String(moment.isoformat())),
    st.datetimes().map(lambda moment: nodes.String(moment.isoformat())),
    st.datetimes().map(lambda moment: nodes.String(moment.isoformat() + "Z")),
    st.text(max_size=30).map(nodes.String),
)
NAIVE_FILTER = """
{ auditEvents(filter: {from: "2024-04-10T11:45:47"}) { totalCount } }
"""


@pytest.fixture(autouse=True)
def _sqlite_only(database_backend: str) -> None:
    # Runs before the database fixtures, so the PostgreSQL variant creates nothing.
    if database_backend != "sqlite":
        pytest.skip(
            "fuzzing runs on SQLite only, to keep CI fast: it exercises the GraphQL layer"
            " (parsing, validation, limits, resolvers' input handling), which does not"
            " depend on the database backend"
        )


def _schema() -> GraphQLSchema:
    return build_schema(SCHEMA_PATH.read_text())


def _draw(strategy: st.SearchStrategy[Any], count: int) -> list[str]:
    """`count` documents drawn from `strategy` (generation only: no shrinking, no replay)."""
    drawn: list[str] = []

    @seed(SEED)
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(document: str) -> None:
        drawn.append(document)

    collect()
    return drawn


def documents(mutation_fields: list[str]) -> list[str]:
    schema = _schema()
    scalars = {"DateTime": DATE_TIMES}
    return _draw(queries(schema, custom_scalars=scalars), EXAMPLES) + _draw(
        mutations(schema, fields=mutation_fields, custom_scalars=scalars), EXAMPLES
    )


def _mutation_fields(schema: GraphQLSchema, anonymous: bool) -> list[str]:
    assert schema.mutation_type is not None
    return [
        name
        for name in schema.mutation_type.fields
        if anonymous or name not in ANONYMOUS_ONLY_MUTATIONS
    ]


def problems(response: httpx.Response, secrets: list[str]) -> Iterator[str]:
    text = response.text
    if response.status_code >= 500:
        yield f"status {response.status_code}"
    for mark in STACK_TRACE_MARKS:
        if mark in text:
            yield f"stack trace ({mark!r})"
    if MASKED_ERROR in text:
        yield "masked unexpected error (a 500-class bug)"
    if "$argon2" in text:
        yield "password hash"
    for secret in secrets:
        if secret in text:
            yield f"secret {secret[:4]}…"


VIEWER = "{ viewer { __typename } }"


async def fuzz(
    client: GraphQLClient, sent: list[str], secrets: list[str], username: str | None = None
) -> tuple[Counter[str], list[str]]:
    """Sends each document; with `username`, the client signs in again whenever an
    operation ended its session (10 wrong PINs in `appUnlock` revoke it, by design), so
    every operation runs signed in."""
    outcomes: Counter[str] = Counter()
    failures = []
    for document in sent:
        headers = {"authorization": f"Bearer {client.token}"} if client.token else {}
        response = await client.http.post("/graphql", json={"query": document}, headers=headers)
        outcomes[_outcome(response)] += 1
        if username is not None and (await client.data(VIEWER))["viewer"] is None:
            outcomes["(session ended; signed in again)"] += 1
            # Fuzzed wrong passwords (passwordChange, twoFactorDisable, …) count as failed
            # sign-ins on purpose, and could delay this sign-in: it is not what is tested.
            await LoginThrottle.all().delete()
            await client.login(username, ADMIN_PASSWORD)
            secrets.append(client.token or "")
        found = list(problems(response, secrets))
        if found:
            failures.append(
                f"{', '.join(found)}\n  document: {document}\n"
                f"  response: HTTP {response.status_code} {response.text[:1000]}"
            )
    return outcomes, failures


def _outcome(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} (not JSON)"
    codes = sorted(
        {
            str((error.get("extensions") or {}).get("code", "-"))
            for error in body.get("errors") or []
            if isinstance(error, dict)
        }
    )
    return f"{response.status_code} {'+'.join(codes) or 'data'}"


def _report(who: str, sent: list[str], outcomes: Counter[str], failures: list[str]) -> None:
    print(f"\nfuzzing as {who}: {len(sent)} operations, seed {SEED}, {len(failures)} failures")
    for outcome, count in outcomes.most_common():
        print(f"  {count:4d}  {outcome}")
    assert not failures, (
        f"{len(failures)} of {len(sent)} fuzzed operations as {who} failed"
        f" (replay with FUZZ_SEED={SEED}):\n\n" + "\n\n".join(failures[:20])
    )


async def test_fuzzed_operations_as_an_administrator(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    sent = documents(_mutation_fields(_schema(), anonymous=False))
    assert admin.token is not None
    outcomes, failures = await fuzz(
        admin, sent, [ADMIN_PASSWORD, admin.token], username=practice["owner_username"]
    )
    _report("an administrator", sent, outcomes, failures)


async def test_fuzzed_operations_anonymously(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    # `admin` gives the database a practice and a live session whose token must not leak.
    sent = documents(_mutation_fields(_schema(), anonymous=True))
    assert admin.token is not None
    outcomes, failures = await fuzz(anonymous, sent, [ADMIN_PASSWORD, admin.token])
    _report("an anonymous caller", sent, outcomes, failures)


async def test_a_naive_date_time_filter_is_not_a_server_error(admin: GraphQLClient) -> None:
    response = await admin.http.post(
        "/graphql",
        json={"query": NAIVE_FILTER},
        headers={"authorization": f"Bearer {admin.token}"},
    )
    assert not list(problems(response, [])), response.text
