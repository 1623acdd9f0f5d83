"""B1 reference (a): the staff page as a bare Starlette route, hand-written SQL through an
asyncpg pool and orjson. It ignores the query text and answers exactly the JSON document
our GraphQL endpoint returns for bench/queries/staff_page.graphql.

Per request it does what our app does, minus GraphQL and the ORM:

1. authenticates the bearer token like backend/services/sessions.py: one SELECT of the
   session (by the SHA-256 of the token) with its staff member and role; the same expiry,
   idle, status, two-factor-enrolment and Manage Accounts checks; and the same
   `last_seen_at` UPDATE when the session was last touched a minute or more ago (so at
   most once a minute, as in our app);
2. one SELECT for the page: staff with role and primary provider joined and the offices
   aggregated (name, then id) in a LATERAL subquery, keyset-ordered by last name, first
   name, id, one row more than the page to know whether another page follows;
3. one SELECT for the three tab counts.

All three run on one pooled connection, which asyncpg resets when it returns to the pool
(one more round trip). The pool has Tortoise's default size (1 to 5 connections) and the
same `plan_cache_mode` as backend/db.py sets.

Run: python -m bench.reference_app --database-url postgres://... --port 8126
"""

import argparse
import base64
import contextlib
import hashlib
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# Tortoise's asyncpg pool defaults (backend/db.py does not change them): same pool here.
POOL_MIN_SIZE = 1
POOL_MAX_SIZE = 5
# backend/services/sessions.py writes last_seen_at at most this often.
TOUCH_EVERY = timedelta(seconds=60)

SESSION_SQL = """
SELECT s.id, s.last_seen_at, s.expires_at, s.two_factor_enrollment_required,
       m.status, m.practice_id, r.permissions ? 'MANAGE_ACCOUNTS' AS can_manage_accounts
FROM session s
JOIN staff_member m ON m.id = s.staff_id
JOIN role r ON r.id = m.role_id
WHERE s.token_hash = $1 AND s.revoked_at IS NULL
"""

TOUCH_SQL = "UPDATE session SET last_seen_at = $2 WHERE id = $1"

_PAGE_COLUMNS = """
SELECT m.id, m.first_name, m.last_name, m.username, m.email, m.status, m.two_factor_enabled,
       r.id AS role_id, r.name AS role_name,
       p.id AS provider_id, p.first_name AS provider_first_name,
       p.last_name AS provider_last_name,
       o.office_ids, o.office_names
FROM staff_member m
JOIN role r ON r.id = m.role_id
JOIN provider p ON p.id = m.primary_provider_id
LEFT JOIN LATERAL (
    SELECT array_agg(o.id ORDER BY o.name, o.id) AS office_ids,
           array_agg(o.name ORDER BY o.name, o.id) AS office_names
    FROM staff_member_office so
    JOIN office o ON o.id = so.office_id
    WHERE so.staff_member_id = m.id
) o ON true
WHERE m.practice_id = $1 AND m.status = $2
"""
_PAGE_ORDER = "ORDER BY m.last_name, m.first_name, m.id LIMIT $3"
FIRST_PAGE_SQL = f"{_PAGE_COLUMNS}{_PAGE_ORDER}"
_AFTER_CURSOR = "AND (m.last_name, m.first_name, m.id) > ($4, $5, $6)\n"
NEXT_PAGE_SQL = f"{_PAGE_COLUMNS}{_AFTER_CURSOR}{_PAGE_ORDER}"

COUNTS_SQL = "SELECT status, count(*) FROM staff_member WHERE practice_id = $1 GROUP BY status"


class StaffRow(Protocol):
    """One page row by column name: an asyncpg Record, or a dict with the same keys."""

    def __getitem__(self, key: str, /) -> Any: ...


# ---------------------------------------------------------------------------------------
# The document, built by hand (shared with B2, bench/scenarios/in_process.py)


def global_id(type_name: str, object_id: UUID) -> str:
    """As backend/api/ids.py: urlsafe base64 of "Type:uuid" without padding."""
    return base64.urlsafe_b64encode(f"{type_name}:{object_id}".encode()).decode().rstrip("=")


def page_cursor(last_name: str, first_name: str, staff_id: UUID) -> str:
    """As backend/services/staff_directory.py's keyset cursor."""
    raw = orjson.dumps([last_name, first_name, str(staff_id)])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str, UUID]:
    padded = cursor + "=" * (-len(cursor) % 4)
    last_name, first_name, staff_id = orjson.loads(base64.urlsafe_b64decode(padded))
    return str(last_name), str(first_name), UUID(str(staff_id))


def _node(row: StaffRow) -> dict[str, Any]:
    office_ids = row["office_ids"] or ()
    office_names = row["office_names"] or ()
    return {
        "id": global_id("StaffMember", row["id"]),
        "firstName": row["first_name"],
        "lastName": row["last_name"],
        "username": row["username"],
        "email": row["email"],
        "status": row["status"],
        "twoFactorEnabled": row["two_factor_enabled"],
        "role": {"id": global_id("Role", row["role_id"]), "name": row["role_name"]},
        "primaryProvider": {
            "id": global_id("Provider", row["provider_id"]),
            "firstName": row["provider_first_name"],
            "lastName": row["provider_last_name"],
        },
        "offices": [
            {"id": global_id("Office", office_id), "name": name}
            for office_id, name in zip(office_ids, office_names, strict=True)
        ],
    }


def reference_page_document(
    rows: Sequence[StaffRow], *, has_next_page: bool, counts: Mapping[str, int]
) -> dict[str, Any]:
    """The response document of staff_page.graphql for the rows of one page; `counts`
    maps a status ("ACTIVE", ...) to its count."""
    end_cursor = None
    if rows:
        last = rows[-1]
        end_cursor = page_cursor(last["last_name"], last["first_name"], last["id"])
    return {
        "data": {
            "staffMembers": {
                "edges": [{"node": _node(row)} for row in rows],
                "pageInfo": {"hasNextPage": has_next_page, "endCursor": end_cursor},
            },
            "staffCounts": {
                "active": counts.get("ACTIVE", 0),
                "pending": counts.get("PENDING", 0),
                "inactive": counts.get("INACTIVE", 0),
            },
        }
    }


# ---------------------------------------------------------------------------------------
# The HTTP side


def _error(message: str, code: str) -> Response:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(orjson.dumps(body), media_type="application/json")


def _bearer_token(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    token = credentials.strip()
    return token if scheme.lower() == "bearer" and token else None


async def _live_session(connection: asyncpg.Connection, token: str, session_idle: timedelta) -> Any:
    """The row of a live session (SESSION_SQL), or None."""
    if len(token) > 100:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    session = await connection.fetchrow(SESSION_SQL, digest)
    now = datetime.now(UTC)
    if (
        session is None
        or session["expires_at"] <= now
        or session["last_seen_at"] + session_idle <= now
        or session["status"] != "ACTIVE"
    ):
        return None
    if now - session["last_seen_at"] >= TOUCH_EVERY:
        await connection.execute(TOUCH_SQL, session["id"], now)
    return session


def create_reference_app(
    database_url: str,
    *,
    session_idle: timedelta = timedelta(minutes=30),
    pool_max_size: int = POOL_MAX_SIZE,
) -> Starlette:
    pool: asyncpg.Pool | None = None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        nonlocal pool
        pool = await asyncpg.create_pool(
            database_url,
            min_size=POOL_MIN_SIZE,
            max_size=pool_max_size,
            # As backend/db.py sets it for our app.
            server_settings={"plan_cache_mode": "force_custom_plan"},
        )
        try:
            yield
        finally:
            await pool.close()

    async def staff_page(request: Request) -> Response:
        assert pool is not None
        token = _bearer_token(request)
        if token is None:
            return _error("Sign in to do this.", "UNAUTHENTICATED")
        variables = orjson.loads(await request.body()).get("variables") or {}
        first = variables.get("first")
        size = DEFAULT_PAGE_SIZE if first is None else max(0, min(int(first), MAX_PAGE_SIZE))
        after = variables.get("after")
        async with pool.acquire() as connection:
            session = await _live_session(connection, token, session_idle)
            if session is None:
                return _error("Sign in to do this.", "UNAUTHENTICATED")
            if session["two_factor_enrollment_required"]:
                return _error(
                    "Enrol in two-factor sign-in first.", "TWO_FACTOR_ENROLLMENT_REQUIRED"
                )
            if not session["can_manage_accounts"]:
                return _error(
                    "Your role does not have the Manage Accounts permission.", "FORBIDDEN"
                )
            practice_id = session["practice_id"]
            if after:
                last_name, first_name, staff_id = decode_cursor(after)
                rows = await connection.fetch(
                    NEXT_PAGE_SQL,
                    practice_id,
                    variables["status"],
                    size + 1,
                    last_name,
                    first_name,
                    staff_id,
                )
            else:
                rows = await connection.fetch(
                    FIRST_PAGE_SQL, practice_id, variables["status"], size + 1
                )
            counts = dict(await connection.fetch(COUNTS_SQL, practice_id))
        # One row more than the page was asked for: it only says that another page follows.
        document = reference_page_document(
            rows[:size], has_next_page=len(rows) > size, counts=counts
        )
        return Response(orjson.dumps(document), media_type="application/json")

    async def health(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    routes = [
        Route("/graphql", staff_page, methods=["POST"]),
        Route("/healthz", health, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="B1 reference: the staff page without GraphQL.")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8126)
    args = parser.parse_args()
    uvicorn.run(
        create_reference_app(args.database_url),
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
