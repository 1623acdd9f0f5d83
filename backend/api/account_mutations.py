"""Account self-service: one's own password and email, forgot password, one's sessions."""

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import UserError, asks_for_second_factor, user_errors
from backend.api.ids import NO_SUCH_ID, parse_id
from backend.api.permissions import IsAuthenticated, PasswordChosen
from backend.api.staff_payloads import StaffPayload, staff_change
from backend.services import email_change, password_change, password_reset, sessions
from backend.services.errors import DomainError, ErrorCode


@strawberry.input(description="Changing one's own password.")
class PasswordChangeInput:
    current_password: str = strawberry.field(description="The person's current password.")
    new_password: str = strawberry.field(
        description="12–128 characters, not a common password, not containing the username, "
        "not the current one."
    )
    new_password_confirmation: str = strawberry.field(description="The new password again.")


@strawberry.type(description="The account after a password change.")
class PasswordChangePayload(StaffPayload):
    pass


@strawberry.input(description="Forgot password: who asks for a reset link.")
class PasswordResetRequestInput:
    username_or_email: str = strawberry.field(
        description="The account's username or email address (case-insensitive)."
    )


@strawberry.type(description="The answer to a reset request: always the same.")
class PasswordResetRequestPayload:
    ok: bool = strawberry.field(
        description="Always true: whether an account matched, and whether an email was sent, "
        "is never revealed."
    )
    user_errors: list[UserError] = strawberry.field(description="Always empty.")


@strawberry.input(description="The reset form reached from the emailed link.")
class PasswordResetCompleteInput:
    token: str = strawberry.field(description="The token from the link's #token= fragment.")
    new_password: str = strawberry.field(
        description="12–128 characters, not a common password, not containing the username, "
        "not the current one."
    )
    new_password_confirmation: str = strawberry.field(description="The new password again.")
    totp_code: str | None = strawberry.field(
        default=None,
        description="Required when the account has two-factor sign-in: the app's 6-digit code "
        "(or recoveryCode). A wrong code counts like a failed sign-in.",
    )
    recovery_code: str | None = strawberry.field(
        default=None, description="Instead of totpCode: one of the single-use recovery codes."
    )


@strawberry.type(description="Result of passwordResetComplete.")
class PasswordResetCompletePayload:
    ok: bool = strawberry.field(
        description="True once the new password is set; every session of the account has "
        "ended, so sign in with it."
    )
    two_factor_required: bool = strawberry.field(
        description="True when the account needs a two-factor code: ask for it and submit "
        "again with totpCode or recoveryCode."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.input(description="A new email address for one's own account.")
class EmailChangeRequestInput:
    new_email: str = strawberry.field(description="The new address; it gets the confirmation link.")
    current_password: str = strawberry.field(description="The person's current password.")


@strawberry.type(description="The account after an email change request (email unchanged yet).")
class EmailChangeRequestPayload(StaffPayload):
    pass


@strawberry.input(description="The confirmation form reached from the link sent to the new email.")
class EmailChangeConfirmInput:
    token: str = strawberry.field(description="The token from the link's #token= fragment.")


@strawberry.type(description="Result of emailChangeConfirm.")
class EmailChangeConfirmPayload:
    ok: bool = strawberry.field(description="True once the new address is the account's.")
    email: str | None = strawberry.field(description="The account's email address now.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.input(description="One of one's own sessions to end.")
class SessionRevokeInput:
    id: strawberry.ID = strawberry.field(description="An ID from viewer.sessions.")


@strawberry.type(description="Result of sessionRevoke.")
class SessionRevokePayload:
    ok: bool = strawberry.field(description="True once the session has ended.")
    user_errors: list[UserError] = strawberry.field(
        description="NOT_FOUND when it is not a live session of this account."
    )


@strawberry.type
class AccountMutations:
    @strawberry.mutation(
        description="Change your own password (the current one is required and counted like "
        "a sign-in). Your other sessions end; this one stays, and a session held for a "
        "required password change is freed.",
        permission_classes=[IsAuthenticated],
    )
    async def password_change(
        self, info: Info[Context, None], input: PasswordChangeInput
    ) -> PasswordChangePayload:
        context = info.context
        return await staff_change(
            PasswordChangePayload,
            lambda: password_change.change_password(
                viewer=context.require_viewer(),
                current_password=input.current_password,
                new_password=input.new_password,
                new_password_confirmation=input.new_password_confirmation,
                settings=context.settings,
            ),
        )

    @strawberry.mutation(
        description="Forgot password. Public. The answer is the same whether or not an "
        "account matches; an active account gets a reset link by email (valid "
        "PASSWORD_RESET_VALID_HOURS, single use), pending and inactive ones an email saying "
        "what to do. Limited per account and per client address (beyond: the same answer, "
        "no email)."
    )
    async def password_reset_request(
        self, info: Info[Context, None], input: PasswordResetRequestInput
    ) -> PasswordResetRequestPayload:
        context = info.context
        await password_reset.request_reset(
            identifier=input.username_or_email, settings=context.settings, meta=context.meta
        )
        return PasswordResetRequestPayload(ok=True, user_errors=[])

    @strawberry.mutation(
        description="Choose a new password with the emailed reset link. Public. Ends every "
        "session of the account; needs a two-factor code when the account has two-factor "
        "sign-in."
    )
    async def password_reset_complete(
        self, info: Info[Context, None], input: PasswordResetCompleteInput
    ) -> PasswordResetCompletePayload:
        context = info.context
        try:
            await password_reset.complete_reset(
                token=input.token,
                new_password=input.new_password,
                new_password_confirmation=input.new_password_confirmation,
                totp_code=input.totp_code,
                recovery_code=input.recovery_code,
                settings=context.settings,
                meta=context.meta,
            )
        except DomainError as error:
            return PasswordResetCompletePayload(
                ok=False,
                two_factor_required=asks_for_second_factor(error),
                user_errors=user_errors(error),
            )
        return PasswordResetCompletePayload(ok=True, two_factor_required=False, user_errors=[])

    @strawberry.mutation(
        description="Change your own email address, when your account has Enable email update "
        "(EMAIL_UPDATE_DISABLED otherwise): the new address gets a confirmation link "
        "(EMAIL_CHANGE_VALID_HOURS); until it is confirmed the current address stays.",
        permission_classes=[IsAuthenticated, PasswordChosen],
    )
    async def email_change_request(
        self, info: Info[Context, None], input: EmailChangeRequestInput
    ) -> EmailChangeRequestPayload:
        context = info.context
        return await staff_change(
            EmailChangeRequestPayload,
            lambda: email_change.request_change(
                viewer=context.require_viewer(),
                new_email=input.new_email,
                current_password=input.current_password,
                settings=context.settings,
            ),
        )

    @strawberry.mutation(
        description="Confirm a new email address with the link sent to it. Public: the link "
        "proves the mailbox. The old address is told."
    )
    async def email_change_confirm(
        self, info: Info[Context, None], input: EmailChangeConfirmInput
    ) -> EmailChangeConfirmPayload:
        context = info.context
        try:
            staff = await email_change.confirm_change(
                token=input.token, settings=context.settings, viewer=context.viewer
            )
        except DomainError as error:
            return EmailChangeConfirmPayload(ok=False, email=None, user_errors=user_errors(error))
        return EmailChangeConfirmPayload(ok=True, email=staff.email, user_errors=[])

    @strawberry.mutation(
        description="End one of your own sessions (see viewer.sessions).",
        permission_classes=[IsAuthenticated, PasswordChosen],
    )
    async def session_revoke(
        self, info: Info[Context, None], input: SessionRevokeInput
    ) -> SessionRevokePayload:
        viewer = info.context.require_viewer()
        session_id = parse_id(input.id, "Session") or NO_SUCH_ID
        if not await sessions.revoke_own(viewer, session_id):
            error = DomainError.single(
                ErrorCode.NOT_FOUND, "This session does not exist or has already ended.", ["id"]
            )
            return SessionRevokePayload(ok=False, user_errors=user_errors(error))
        return SessionRevokePayload(ok=True, user_errors=[])
