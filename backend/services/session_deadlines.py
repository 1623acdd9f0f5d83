"""When a session ends: after its idle timeout (from its last use, sessionRefresh or
appUnlock) or at its absolute end, whichever comes first, unless it is revoked before."""

from datetime import datetime
from typing import Protocol

from backend.config import Settings


class Deadlines(Protocol):
    """What the deadlines are computed from: a Session, or the row the per-request
    lookup reads (backend/services/sessions.py)."""

    @property
    def last_seen_at(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime: ...
    @property
    def revoked_at(self) -> datetime | None: ...


def idle_ends_at(session: Deadlines, settings: Settings) -> datetime:
    return session.last_seen_at + settings.session_idle


def ends_at(session: Deadlines, settings: Settings) -> datetime:
    return min(session.expires_at, idle_ends_at(session, settings))


def is_live(session: Deadlines, settings: Settings, now: datetime) -> bool:
    return session.revoked_at is None and ends_at(session, settings) > now
