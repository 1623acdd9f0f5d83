"""sessionRefresh: the mobile app exchanges its refresh token for the next token pair."""

from datetime import datetime

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import UserError, user_errors
from backend.api.session_types import AccountSession
from backend.services import session_refresh
from backend.services.errors import DomainError


@strawberry.input(description="The refresh token to exchange.")
class SessionRefreshInput:
    refresh_token: str = strawberry.field(
        description="The refreshToken of login, or of the last sessionRefresh."
    )


@strawberry.type(description="The next token pair, or why there is none.")
class SessionRefreshPayload:
    access_token: str | None = strawberry.field(
        description="The new access token, for `Authorization: Bearer …`. The previous one "
        "stops working now."
    )
    access_token_expires_at: datetime | None = strawberry.field(
        description="When the new access token stops working."
    )
    refresh_token: str | None = strawberry.field(
        description="The new refresh token, for the next sessionRefresh; the one sent is used up."
    )
    session: AccountSession | None = strawberry.field(
        description="The session (the family of these tokens) with its deadlines."
    )
    user_errors: list[UserError] = strawberry.field(
        description="REFRESH_TOKEN_INVALID (unknown token, or the session has ended) or "
        "REFRESH_TOKEN_REUSED (the token was already used: the session is now ended). "
        "Either way: sign in again."
    )


@strawberry.type
class SessionRefreshMutations:
    @strawberry.mutation(
        description="Exchange a refresh token for a new access token and refresh token "
        "(rotation). Public: the refresh token is the credential. Each refresh token works "
        "once; a retry of the same one within 30 seconds, while its successor is unused, "
        "answers the same new pair; any other reuse ends the session. Restarts the "
        "session's idle timer; never moves its absolute end."
    )
    async def session_refresh(
        self, info: Info[Context, None], input: SessionRefreshInput
    ) -> SessionRefreshPayload:
        context = info.context
        try:
            refreshed = await session_refresh.refresh(
                refresh_token=input.refresh_token, settings=context.settings, meta=context.meta
            )
        except DomainError as error:
            return SessionRefreshPayload(
                access_token=None,
                access_token_expires_at=None,
                refresh_token=None,
                session=None,
                user_errors=user_errors(error),
            )
        tokens = refreshed.tokens
        return SessionRefreshPayload(
            access_token=tokens.access_token,
            access_token_expires_at=tokens.access_token_expires_at,
            refresh_token=tokens.refresh_token,
            session=AccountSession.from_model(
                refreshed.session, current=True, settings=context.settings
            ),
            user_errors=[],
        )
