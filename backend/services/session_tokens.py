"""The mobile app's token pairs: a short-lived access token (ACCESS_TOKEN_MINUTES) and a
refresh token that sessionRefresh exchanges for the next pair (backend/services/
session_refresh.py). Every pair belongs to one session, its family: revoking the session
ends all of its tokens at once, and a pair's access token works only while the pair is
the family's current one, so a refresh stops the previous access token too.

A successor pair is not random: it is derived from the refresh token it replaces with a
keyed HMAC (SECRET_KEYS, "refresh" subkey). A retry of the same refresh within the overlap
thus gets the very answer it missed, although only hashes are stored, and two concurrent
refreshes with one token answer the same pair. Nobody without the refresh token and the
key can compute it."""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.config import Settings
from backend.models import Session, SessionToken
from backend.services import keys
from backend.services.secrets import new_token, token_digest


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str


async def issue_first(
    session: Session, *, settings: Settings, now: datetime, using_db: BaseDBAsyncClient | None
) -> TokenPair:
    """The family's first pair (at sign-in): random tokens."""
    access_token, access_hash = new_token()
    refresh_token, refresh_hash = new_token()
    record = await SessionToken.create(
        session_id=session.id,
        generation=0,
        access_hash=access_hash,
        refresh_hash=refresh_hash,
        access_expires_at=_access_end(session, settings, now),
        using_db=using_db,
    )
    return TokenPair(access_token, record.access_expires_at, refresh_token)


async def issue_successor(
    parent: SessionToken,
    refresh_token: str,
    *,
    session: Session,
    settings: Settings,
    now: datetime,
    using_db: BaseDBAsyncClient,
) -> TokenPair:
    """The pair that replaces `parent`, whose refresh token is `refresh_token`."""
    _, key = keys.hmac_keys(settings, "refresh")[0]
    access_token, next_refresh = _derive(key, refresh_token)
    record = await SessionToken.create(
        session_id=session.id,
        generation=parent.generation + 1,
        access_hash=token_digest(access_token),
        refresh_hash=token_digest(next_refresh),
        access_expires_at=_access_end(session, settings, now),
        using_db=using_db,
    )
    return TokenPair(access_token, record.access_expires_at, next_refresh)


def reissue(successor: SessionToken, refresh_token: str, settings: Settings) -> TokenPair | None:
    """The pair already issued for `refresh_token`, computed again; None when no key of
    the set derives it (the key that did was dropped since)."""
    for _, key in keys.hmac_keys(settings, "refresh"):
        access_token, next_refresh = _derive(key, refresh_token)
        if hmac.compare_digest(token_digest(next_refresh), successor.refresh_hash):
            return TokenPair(access_token, successor.access_expires_at, next_refresh)
    return None


def _access_end(session: Session, settings: Settings, now: datetime) -> datetime:
    # Never beyond the family's absolute end; its idle end moves, so it is checked per use.
    return min(now + settings.access_token_valid_for, session.expires_at)


def _derive(key: bytes, refresh_token: str) -> tuple[str, str]:
    return _derived(key, "access", refresh_token), _derived(key, "refresh", refresh_token)


def _derived(key: bytes, use: str, refresh_token: str) -> str:
    digest = hmac.new(key, f"{use}:{refresh_token}".encode(), hashlib.sha256).digest()
    # The shape of secrets.token_urlsafe(32): 43 URL-safe characters.
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
