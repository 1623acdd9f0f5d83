"""A request's session is looked up in one statement, for a session's own token and for an
access token alike (the rules — revocation, idle and absolute ends, access-token expiry and
rotation, inactive people — are tested in test_auth.py and test_refresh_tokens.py)."""

import logging
import re
from typing import Any

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.services.sessions import _LOOKUPS, resolve_session
from backend.services.viewer import AuthMethod, RequestMeta
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD
from tests.api.test_refresh_tokens import MOBILE_LOGIN


@pytest.mark.parametrize("token_kind", ["session", "access"])
async def test_the_lookup_is_one_statement(
    anonymous: GraphQLClient,
    practice: dict[str, Any],
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    token_kind: str,
) -> None:
    payload = await anonymous.mutate(
        MOBILE_LOGIN,
        {"username": practice["owner_username"], "password": ADMIN_PASSWORD, "session": "BEARER"},
    )
    token = payload["token"] if token_kind == "session" else payload["accessToken"]
    meta = RequestMeta(ip="127.0.0.1", auth_method=AuthMethod.BEARER_SESSION)
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        caplog.clear()
        viewer = await resolve_session(token, settings=settings, meta=meta)
        # The outbox sender polls in the background; its statements are not the lookup's.
        statements = [
            record.getMessage()
            for record in caplog.records
            if record.name == "tortoise.db_client" and "session" in record.getMessage()
        ]
    assert viewer is not None and viewer.staff_id == practice["owner"].id
    # The sign-in has just stamped last_seen_at, so nothing is written either.
    assert len(statements) == 1 and "FROM session s" in statements[0]


async def test_the_lookup_reads_the_token_indexes_not_every_session(
    db: str, database_backend: str
) -> None:
    """Sessions are kept for weeks: the lookup must find its row by a token index. An OR
    across the session's own token and an outer-joined access token read every session."""
    client = connections.get("default")
    statement, uses = _LOOKUPS[client.capabilities.dialect]
    if database_backend == "postgres":
        # The tables are nearly empty: forbid the sequential scan so that the plan shows
        # whether an index can serve the statement at all.
        async with in_transaction() as transaction:
            await transaction.execute_script("SET LOCAL enable_seqscan = off")
            _, rows = await transaction.execute_query(f"EXPLAIN {statement}", ["x" * 64] * uses)
        plan = "\n".join(row[0] for row in rows)
        # Each table that holds a token is entered by that token's index.
        assert re.search(r"Index Cond: .*\btoken_hash\b", plan), plan
        assert re.search(r"Index Cond: .*\baccess_hash\b", plan), plan
    else:
        _, rows = await client.execute_query(f"EXPLAIN QUERY PLAN {statement}", ["x"] * uses)
        plan = "\n".join(str(tuple(row)) for row in rows)
        assert not re.search(r"SCAN (s|t)\b(?! USING)", plan), plan
