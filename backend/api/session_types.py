"""A person's own sessions, as Your account lists them, with their deadlines."""

from datetime import datetime

import strawberry

from backend.api.ids import to_global_id
from backend.config import Settings
from backend.models import Session as SessionModel
from backend.services import session_deadlines


@strawberry.type(description="A live session of the signed-in account.")
class AccountSession:
    id: strawberry.ID = strawberry.field(description="Opaque ID, for sessionRevoke.")
    created_at: datetime = strawberry.field(description="When it was signed in.")
    last_seen_at: datetime = strawberry.field(description="When it was last used (to a minute).")
    ip: str | None = strawberry.field(description="The client address at sign-in.")
    user_agent: str | None = strawberry.field(description="The browser or app at sign-in.")
    current: bool = strawberry.field(description="Whether this is the session asking.")
    idle_expires_at: datetime = strawberry.field(
        description="When it ends unless used before: its last use (a request, "
        "sessionRefresh or appUnlock) plus the idle timeout. Accurate to a minute."
    )
    absolute_expires_at: datetime = strawberry.field(
        description="When it ends at the latest, however it is used (sign-in plus the "
        "absolute timeout); no refresh moves it."
    )

    @classmethod
    def from_model(
        cls, session: SessionModel, *, current: bool, settings: Settings
    ) -> "AccountSession":
        return cls(
            id=to_global_id("Session", session.id),
            created_at=session.created_at,
            last_seen_at=session.last_seen_at,
            ip=session.ip,
            user_agent=session.user_agent,
            current=current,
            idle_expires_at=session_deadlines.idle_ends_at(session, settings),
            absolute_expires_at=session.expires_at,
        )
