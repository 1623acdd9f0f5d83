"""Sessions: opaque random tokens, stored hashed, with idle and absolute timeouts. A bearer
session (the mobile app) is also the family of its access and refresh token pairs
(backend/services/session_tokens.py); its own token stays valid as before."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from backend.config import Settings
from backend.models import Role, Session, StaffMember, StaffStatus
from backend.services import session_deadlines, session_tokens
from backend.services.secrets import new_token, token_digest
from backend.services.session_tokens import TokenPair
from backend.services.viewer import AuthMethod, RequestMeta, Viewer

# Marks the token of a session kept in the browser's cookie (see start_session).
COOKIE_TOKEN_PREFIX = "sc_"

# Writing last_seen_at on every request would cost a write per read; a minute of
# imprecision on a 30-minute idle timeout is harmless.
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class IssuedSession:
    token: str
    session: Session
    # The first access and refresh tokens, for a bearer session.
    tokens: TokenPair | None = None


async def start_session(
    staff: StaffMember,
    *,
    settings: Settings,
    meta: RequestMeta,
    using_db: BaseDBAsyncClient | None = None,
    two_factor_enrollment_required: bool = False,
    password_change_required: bool = False,
    bearer: bool = False,
) -> IssuedSession:
    token, digest = new_token()
    if not bearer:
        # A cookie session's token says so, and is refused from an Authorization header:
        # a stolen cookie used as a bearer token would escape the cookie's rules (CSRF,
        # TRUSTED_DOCUMENTS_ONLY). As token prefixes do elsewhere (GitHub's ghp_, …).
        token = COOKIE_TOKEN_PREFIX + token
        digest = token_digest(token)
    now = datetime.now(UTC)
    session = await Session.create(
        staff_id=staff.id,
        token_hash=digest,
        last_seen_at=now,
        expires_at=now + settings.session_absolute,
        ip=meta.ip,
        user_agent=(meta.user_agent or "")[:300] or None,
        two_factor_enrollment_required=two_factor_enrollment_required,
        password_change_required=password_change_required,
        using_db=using_db,
    )
    tokens = None
    if bearer:
        tokens = await session_tokens.issue_first(
            session, settings=settings, now=now, using_db=using_db
        )
    return IssuedSession(token=token, session=session, tokens=tokens)


async def resolve_session(token: str, *, settings: Settings, meta: RequestMeta) -> Viewer | None:
    """The viewer of a live session token or access token, or None (unknown, revoked,
    idle or expired; an access token also when expired or replaced by a refresh)."""
    if not token or len(token) > 100:
        return None
    if token.startswith(COOKIE_TOKEN_PREFIX) and meta.auth_method != AuthMethod.COOKIE:
        return None
    now = datetime.now(UTC)
    session = await _live_candidate(token_digest(token), now)
    if (
        session is None
        or not session_deadlines.is_live(session, settings, now)
        or session.staff_status != StaffStatus.ACTIVE
    ):
        return None
    if now - session.last_seen_at >= _TOUCH_EVERY:
        await Session.filter(id=session.id).update(last_seen_at=now)
    return Viewer(
        staff_id=session.staff_id,
        practice_id=session.practice_id,
        permissions=frozenset(session.permissions),
        session_id=session.id,
        meta=meta,
        two_factor_enrollment_required=session.two_factor_enrollment_required,
        password_change_required=session.password_change_required,
    )


@dataclass(frozen=True, slots=True)
class _SessionRow:
    """What a request needs of its session, its person and their role."""

    id: UUID
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    two_factor_enrollment_required: bool
    password_change_required: bool
    staff_id: UUID
    practice_id: UUID
    staff_status: StaffStatus
    permissions: list[str]


# Every request looks its session up: one fixed statement, rather than the ORM building
# the session's query and then the access token's (and model instances for both). A token
# is a session's own token (a cookie, or a bearer session's first token), matched while
# the session is not revoked; or the access token of the session's current pair (not
# rotated), whose own expiry is checked below. The deadlines, the revocation of a family
# and the person's status are checked by the caller, as for any session. Two branches,
# each entered by its token's unique index: sessions are kept for weeks, and one WHERE
# with an OR across both tokens read every one of them.
_SELECTED = """s.id, s.last_seen_at, s.expires_at, s.revoked_at, s.two_factor_enrollment_required,
       s.password_change_required, m.id, m.practice_id, m.status, r.permissions"""
_LOOKUP = f"""
SELECT {_SELECTED}, TRUE AS own_token, NULL AS access_expires_at
FROM session s
JOIN staff_member m ON m.id = s.staff_id
JOIN role r ON r.id = m.role_id
WHERE s.token_hash = {{digest}} AND s.revoked_at IS NULL
UNION ALL
SELECT {_SELECTED}, FALSE, t.access_expires_at
FROM session_token t
JOIN session s ON s.id = t.session_id
JOIN staff_member m ON m.id = s.staff_id
JOIN role r ON r.id = m.role_id
WHERE t.access_hash = {{digest}} AND t.rotated_at IS NULL
"""
_LOOKUPS = {
    # asyncpg numbers its parameters; SQLite's are positional.
    "postgres": (_LOOKUP.format(digest="$1"), 1),
    "sqlite": (_LOOKUP.format(digest="?"), _LOOKUP.count("{digest}")),
}


async def _live_candidate(digest: str, now: datetime) -> _SessionRow | None:
    connection = connections.get("default")
    statement, uses = _LOOKUPS[connection.capabilities.dialect]
    _, rows = await connection.execute_query(statement, [digest] * uses)
    session_fields, staff_fields = Session._meta.fields_map, StaffMember._meta.fields_map
    as_time = session_fields["expires_at"].to_python_value
    # Rows come as asyncpg Records or sqlite3 Rows: both are read by position.
    for values in sorted(map(tuple, rows), key=lambda values: not values[10]):  # own token first
        if not values[10] and not (values[11] is not None and as_time(values[11]) > now):
            continue  # an access token past its expiry
        return _SessionRow(
            id=session_fields["id"].to_python_value(values[0]),
            last_seen_at=as_time(values[1]),
            expires_at=as_time(values[2]),
            revoked_at=as_time(values[3]),
            two_factor_enrollment_required=bool(values[4]),
            password_change_required=bool(values[5]),
            staff_id=staff_fields["id"].to_python_value(values[6]),
            practice_id=staff_fields["practice_id"].to_python_value(values[7]),
            staff_status=staff_fields["status"].to_python_value(values[8]),
            permissions=Role._meta.fields_map["permissions"].to_python_value(values[9]),
        )
    return None


async def end_session(viewer: Viewer, *, everywhere: bool = False) -> None:
    """End the viewer's session, or every session of the account."""
    sessions = Session.filter(staff_id=viewer.staff_id, revoked_at=None)
    if not everywhere:
        sessions = sessions.filter(id=viewer.session_id)
    await sessions.update(revoked_at=datetime.now(UTC))


async def revoke_sessions(
    staff_id: UUID, *, keep: UUID | None = None, using_db: BaseDBAsyncClient | None = None
) -> None:
    """End every live session of a staff member, but `keep` (the caller's own, say)."""
    sessions = Session.filter(staff_id=staff_id, revoked_at=None)
    if keep is not None:
        sessions = sessions.exclude(id=keep)
    await sessions.using_db(using_db).update(revoked_at=datetime.now(UTC))


async def list_own(viewer: Viewer, settings: Settings) -> list[Session]:
    """The viewer's live sessions, newest first: neither revoked, nor past their absolute
    end, nor idle for longer than the idle timeout."""
    now = datetime.now(UTC)
    return await Session.filter(
        staff_id=viewer.staff_id,
        revoked_at=None,
        expires_at__gt=now,
        last_seen_at__gt=now - settings.session_idle,
    ).order_by("-created_at")


async def current(viewer: Viewer) -> Session | None:
    """The viewer's own session (for its deadlines)."""
    if viewer.session_id is None:
        return None
    return await Session.get_or_none(id=viewer.session_id, staff_id=viewer.staff_id)


async def revoke_own(viewer: Viewer, session_id: UUID) -> bool:
    """End one of the viewer's own sessions; False when there is no such live one."""
    ended = await Session.filter(id=session_id, staff_id=viewer.staff_id, revoked_at=None).update(
        revoked_at=datetime.now(UTC)
    )
    return ended == 1
