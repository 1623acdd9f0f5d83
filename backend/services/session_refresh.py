"""sessionRefresh: exchanging a refresh token for the next token pair, with OAuth 2.1
refresh-token rotation. A refresh token works once. Presenting one that was already
exchanged means that two parties hold the family's tokens (one of them stole them), so
the whole family (the session) is revoked: both must sign in again, and the thief is out.

One exception, for network retries: the immediately previous refresh token, within
RETRY_OVERLAP of its exchange, while its successor is still unused. It answers the same
pair again (session_tokens derives it), so a retry of a lost answer, or a concurrent
twin of the same refresh, gets exactly what the first one got.

The exchange is one conditional UPDATE (rotated_at IS NULL): of concurrent refreshes with
one token exactly one rotates; on PostgreSQL the others wait for its commit and then fall
under the overlap rule, and SQLite runs write transactions one at a time."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.models import Session, SessionToken, StaffStatus
from backend.services import audit, session_deadlines
from backend.services.errors import DomainError, ErrorCode
from backend.services.secrets import token_digest
from backend.services.session_tokens import TokenPair, issue_successor, reissue
from backend.services.viewer import RequestMeta

RETRY_OVERLAP = timedelta(seconds=30)
_MAX_TOKEN_LENGTH = 100  # ours are 43 characters; longer is not one, and not looked up

INVALID_MESSAGE = "This refresh token is not valid or its session has ended. Sign in again."
REUSED_MESSAGE = (
    "This refresh token was already used, so the session has been ended for safety. Sign in again."
)


@dataclass(frozen=True)
class Refreshed:
    tokens: TokenPair
    session: Session


async def refresh(*, refresh_token: str, settings: Settings, meta: RequestMeta) -> Refreshed:
    """The next pair of a live family. Raises REFRESH_TOKEN_INVALID (unknown token, or
    the family has ended) or REFRESH_TOKEN_REUSED (the family is now revoked)."""
    now = datetime.now(UTC)
    pair = await _find(refresh_token)
    if pair is None or not _family_live(pair.session, settings, now):
        raise _invalid()
    tokens = await _rotate(pair, refresh_token, settings, now)
    if tokens is None:
        tokens = await _retry(pair, refresh_token, settings, now)
    if tokens is None:
        await _end_family(pair, meta, now)
        raise DomainError.single(ErrorCode.REFRESH_TOKEN_REUSED, REUSED_MESSAGE, ["refreshToken"])
    # Refreshing is activity: the family's idle timer starts again.
    await Session.filter(id=pair.session_id).update(last_seen_at=now)
    pair.session.last_seen_at = now
    return Refreshed(tokens=tokens, session=pair.session)


def _invalid() -> DomainError:
    return DomainError.single(ErrorCode.REFRESH_TOKEN_INVALID, INVALID_MESSAGE, ["refreshToken"])


async def _find(refresh_token: str) -> SessionToken | None:
    if not refresh_token or len(refresh_token) > _MAX_TOKEN_LENGTH:
        return None
    return (
        await SessionToken.filter(refresh_hash=token_digest(refresh_token))
        .select_related("session__staff")
        .first()
    )


def _family_live(session: Session, settings: Settings, now: datetime) -> bool:
    return (
        session_deadlines.is_live(session, settings, now)
        and session.staff.status == StaffStatus.ACTIVE
    )


async def _rotate(
    pair: SessionToken, refresh_token: str, settings: Settings, now: datetime
) -> TokenPair | None:
    """The successor, if this request is the one that exchanges the pair."""
    if pair.rotated_at is not None:
        return None
    async with in_transaction() as db:
        won = await (
            SessionToken.filter(id=pair.id, rotated_at=None).using_db(db).update(rotated_at=now)
        )
        if won != 1:
            return None
        return await issue_successor(
            pair, refresh_token, session=pair.session, settings=settings, now=now, using_db=db
        )


async def _retry(
    pair: SessionToken, refresh_token: str, settings: Settings, now: datetime
) -> TokenPair | None:
    """The same answer again, when the overlap rule allows it; None for a reuse."""
    # Read again: a concurrent twin may have exchanged the pair since it was read.
    rotated_at = (await SessionToken.get(id=pair.id)).rotated_at
    if rotated_at is None or now - rotated_at > RETRY_OVERLAP:
        return None
    successor = await SessionToken.get_or_none(
        session_id=pair.session_id, generation=pair.generation + 1
    )
    if successor is None or successor.rotated_at is not None:
        return None  # not the immediately previous token any more
    tokens = reissue(successor, refresh_token, settings)
    if tokens is None:
        # The key that derived the successor left SECRET_KEYS within these seconds: the
        # retry cannot be answered, but it is no reuse, so the family is not ended.
        raise _invalid()
    return tokens


async def _end_family(pair: SessionToken, meta: RequestMeta, now: datetime) -> None:
    ended = await Session.filter(id=pair.session_id, revoked_at=None).update(revoked_at=now)
    if ended != 1:  # a concurrent reuse already ended it and recorded why
        return
    staff = pair.session.staff
    # Who presented the token is unknown (the person or a thief): no actor.
    await audit.record(
        action="auth.refresh_reuse",
        outcome="FAILURE",
        practice_id=staff.practice_id,
        actor_id=None,
        target_id=staff.id,
        meta=meta,
        details={"sessionId": str(pair.session_id), "generation": pair.generation},
    )
