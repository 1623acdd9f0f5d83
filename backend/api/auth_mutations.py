"""Signing in and out, and activating an account from the emailed link."""

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.cookies import clear_session_cookie, set_session_cookie
from backend.api.errors import UserError, asks_for_second_factor, user_errors
from backend.api.permissions import IsAuthenticated
from backend.api.staff_types import StaffMember
from backend.services import account_activation, auth
from backend.services.errors import DomainError
from backend.services.staff_directory import staff_with_relations


@strawberry.enum(description="How a session is kept by the client.")
class SessionKind(Enum):
    COOKIE = strawberry.enum_value(
        "COOKIE",
        description="An HttpOnly session cookie (the browser app); the answer holds no token.",
    )
    BEARER = strawberry.enum_value(
        "BEARER",
        description="A token in the answer, sent back as `Authorization: Bearer …` (the mobile "
        "app); no cookie is set.",
    )


# The SPA sends this header on every request (the CSRF defence of cookie sessions).
_SPA_HEADER = "x-requested-with"


@strawberry.input(description="Credentials.")
class LoginInput:
    username: str = strawberry.field(description="Username (case-insensitive).")
    password: str = strawberry.field(description="Password.")
    totp_code: str | None = strawberry.field(
        default=None,
        description="For accounts with two-factor sign-in: the 6-digit code of the "
        "authenticator app.",
    )
    recovery_code: str | None = strawberry.field(
        default=None,
        description="For accounts with two-factor sign-in, instead of totpCode: one of the "
        "single-use recovery codes.",
    )
    session: SessionKind | None = strawberry.field(
        default=None,
        description="How the new session is kept. By default COOKIE when the request carries "
        "the browser app's X-Requested-With header, BEARER otherwise.",
    )


@strawberry.type(description="A new session, or why sign-in failed.")
class LoginPayload:
    token: str | None = strawberry.field(
        description="For a BEARER session (the mobile app): the token to send as "
        "`Authorization: Bearer …`, valid for the whole session. Shown only here, once. "
        "Null for a COOKIE session, whose token page script must never see.",
        deprecation_reason="Use accessToken, and refreshToken with sessionRefresh when it "
        "expires. `token` keeps working for the whole session, as before.",
    )
    access_token: str | None = strawberry.field(
        default=None,
        description="For a BEARER session: a short-lived token to send as `Authorization: "
        "Bearer …` until accessTokenExpiresAt; then get a new one with sessionRefresh. "
        "Shown only here, once. Null for a COOKIE session.",
    )
    access_token_expires_at: datetime | None = strawberry.field(
        default=None,
        description="When accessToken stops working (ACCESS_TOKEN_MINUTES after it was "
        "issued, or the session's end if sooner).",
    )
    refresh_token: str | None = strawberry.field(
        default=None,
        description="For a BEARER session: the single-use token that sessionRefresh "
        "exchanges for the next accessToken and refreshToken. Keep it in secure storage; "
        "shown only here, once. Null for a COOKIE session.",
    )
    expires_at: datetime | None = strawberry.field(
        description="When the session ends at the latest; it also ends after idle time."
    )
    account: StaffMember | None = strawberry.field(description="The signed-in staff member.")
    two_factor_required: bool = strawberry.field(
        default=False,
        description="True when the password was right but the account needs a two-factor "
        "code: ask for it and call login again with totpCode or recoveryCode.",
    )
    two_factor_enrollment_required: bool = strawberry.field(
        default=False,
        description="True when the practice requires this account to enrol in two-factor "
        "sign-in first: the session holds no permission (nothing that needs one works) "
        "until enrolment (twoFactorEnrollStart, twoFactorEnrollConfirm) is confirmed.",
    )
    password_change_required: bool = strawberry.field(
        default=False,
        description="True when an administrator requires a new password: the session holds "
        "no permission until passwordChange succeeds with it.",
    )
    user_errors: list[UserError] = strawberry.field(description="Why sign-in failed, if so.")


@strawberry.input(description="Signing out.")
class LogoutInput:
    everywhere: bool = strawberry.field(
        default=False, description="Also end every other session of this account."
    )


@strawberry.type(description="Result of logout.")
class LogoutPayload:
    ok: bool = strawberry.field(description="True once the session has ended.")
    user_errors: list[UserError] = strawberry.field(description="Always empty.")


@strawberry.input(description="The activation form reached from the emailed link.")
class AccountActivateInput:
    token: str = strawberry.field(description="The token from the link's #token= fragment.")
    username: str = strawberry.field(description="The username the administrator chose.")
    password: str | None = strawberry.field(
        default=None,
        description="The password the administrator chose. Left out by a person provisioned "
        "over SCIM, who was given none.",
    )
    new_password: str = strawberry.field(
        description="A password of the person's own, 12–128 characters, "
        "different from the given one."
    )
    new_password_confirmation: str = strawberry.field(description="The new password again.")
    new_app_unlock_pin: str | None = strawberry.field(
        default=None,
        description="The mobile app's 4-digit unlock PIN, chosen here by a person provisioned "
        "over SCIM (who was given none); ignored for everyone else, whose PIN was given.",
    )


@strawberry.type(description="The activated account, or why activation failed.")
class AccountActivatePayload:
    account: StaffMember | None = strawberry.field(
        description="The now active account; the browser is signed in with a session cookie."
    )
    user_errors: list[UserError] = strawberry.field(description="Why activation failed, if so.")


@strawberry.type
class AuthMutations:
    @strawberry.mutation(description="Sign in with username and password.")
    async def login(self, info: Info[Context, None], input: LoginInput) -> LoginPayload:
        context = info.context
        kind = input.session or (
            SessionKind.COOKIE if context.request.headers.get(_SPA_HEADER) else SessionKind.BEARER
        )
        bearer = kind is SessionKind.BEARER
        try:
            staff, issued = await auth.login(
                credentials=auth.Credentials(
                    username=input.username,
                    password=input.password,
                    totp_code=input.totp_code,
                    recovery_code=input.recovery_code,
                ),
                settings=context.settings,
                meta=context.meta,
                bearer=bearer,
            )
        except DomainError as error:
            return LoginPayload(
                token=None,
                expires_at=None,
                account=None,
                two_factor_required=asks_for_second_factor(error),
                user_errors=user_errors(error),
            )
        if not bearer:
            set_session_cookie(context.response, context.settings, issued.token)
        tokens = issued.tokens
        return LoginPayload(
            token=issued.token if bearer else None,
            access_token=tokens.access_token if tokens else None,
            access_token_expires_at=tokens.access_token_expires_at if tokens else None,
            refresh_token=tokens.refresh_token if tokens else None,
            expires_at=issued.session.expires_at,
            account=StaffMember.from_model(await staff_with_relations(staff.id)),
            two_factor_enrollment_required=issued.session.two_factor_enrollment_required,
            password_change_required=issued.session.password_change_required,
            user_errors=[],
        )

    @strawberry.mutation(
        description="End the current session.", permission_classes=[IsAuthenticated]
    )
    async def logout(
        self, info: Info[Context, None], input: LogoutInput | None = None
    ) -> LogoutPayload:
        context = info.context
        await auth.logout(context.require_viewer(), everywhere=bool(input and input.everywhere))
        clear_session_cookie(context.response, context.settings)
        return LogoutPayload(ok=True, user_errors=[])

    @strawberry.mutation(
        description="Activate a pending account from the emailed link. Public: the token, the "
        "given username and password prove who the person is."
    )
    async def account_activate(
        self, info: Info[Context, None], input: AccountActivateInput
    ) -> AccountActivatePayload:
        context = info.context
        try:
            staff, issued = await account_activation.activate_account(
                form=account_activation.ActivationForm(
                    token=input.token,
                    username=input.username,
                    password=input.password,
                    new_password=input.new_password,
                    new_password_confirmation=input.new_password_confirmation,
                    new_pin=input.new_app_unlock_pin,
                ),
                settings=context.settings,
                meta=context.meta,
            )
        except DomainError as error:
            return AccountActivatePayload(account=None, user_errors=user_errors(error))
        set_session_cookie(context.response, context.settings, issued.token)
        return AccountActivatePayload(
            account=StaffMember.from_model(await staff_with_relations(staff.id)), user_errors=[]
        )
