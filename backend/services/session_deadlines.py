"""When a session ends: after its idle timeout (from its last use, sessionRefresh or
appUnlock) or at its absolute end, whichever comes first, unless it is revoked before."""

from datetime import datetime

from backend.config import Settings
from backend.models import Session


def idle_ends_at(session: Session, settings: Settings) -> datetime:
    return session.last_seen_at + settings.session_idle


def ends_at(session: Session, settings: Settings) -> datetime:
    return min(session.expires_at, idle_ends_at(session, settings))


def is_live(session: Session, settings: Settings, now: datetime) -> bool:
    return session.revoked_at is None and ends_at(session, settings) > now
