"""Two-factor sign-in (TOTP): enrolment, turning it off, and an administrator's reset."""

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import UserError, user_errors
from backend.api.permissions import MANAGERS_ONLY, IsAuthenticated, PasswordChosen
from backend.api.staff_payloads import StaffPayload, staff_change, staff_id_of
from backend.api.staff_types import StaffMember
from backend.services import two_factor
from backend.services.errors import DomainError
from backend.services.staff_directory import staff_with_relations


@strawberry.input(description="Starting two-factor enrolment; every field is optional.")
class TwoFactorEnrollStartInput:
    account_label: str | None = strawberry.field(
        default=None,
        description="How the account is named in the authenticator app (up to 100 "
        "characters); the username by default.",
    )


@strawberry.type(description="A new, pending TOTP secret to add to an authenticator app.")
class TwoFactorEnrollStartPayload:
    provisioning_uri: str | None = strawberry.field(
        description="An otpauth:// URI to show as a QR code. Shown only here, once."
    )
    secret: str | None = strawberry.field(
        description="The same secret in base32, for typing into the app. Shown only here, once."
    )
    qr_code_svg: str | None = strawberry.field(
        description="The provisioning URI as a QR code image: an SVG data URL "
        "(`data:image/svg+xml;base64,...`) for an <img>. Shown only here, once.",
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.input(description="Completing two-factor enrolment.")
class TwoFactorEnrollConfirmInput:
    code: str = strawberry.field(description="The current 6-digit code of the app.")


@strawberry.type(description="Result of twoFactorEnrollConfirm.")
class TwoFactorEnrollConfirmPayload:
    recovery_codes: list[str] | None = strawberry.field(
        description="Ten single-use recovery codes. Shown only here, once: ask the person to "
        "keep them somewhere safe."
    )
    staff_member: StaffMember | None = strawberry.field(
        description="The signed-in staff member as it is now; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.input(description="Turning two-factor sign-in off.")
class TwoFactorDisableInput:
    current_password: str = strawberry.field(description="The person's current password.")


@strawberry.input(description="The staff member whose two-factor sign-in to reset.")
class StaffResetTwoFactorInput:
    id: strawberry.ID = strawberry.field(description="The staff member.")


@strawberry.type(description="A staff member after a two-factor change.")
class TwoFactorChangePayload(StaffPayload):
    pass


@strawberry.type
class TwoFactorMutations:
    @strawberry.mutation(
        description="Start two-factor enrolment: a new secret, pending until confirmed with a "
        "code. Refused when two-factor sign-in is already on.",
        permission_classes=[IsAuthenticated, PasswordChosen],
    )
    async def two_factor_enroll_start(
        self, info: Info[Context, None], input: TwoFactorEnrollStartInput | None = None
    ) -> TwoFactorEnrollStartPayload:
        context = info.context
        try:
            uri, secret = await two_factor.enroll_start(
                viewer=context.require_viewer(),
                settings=context.settings,
                account_label=input.account_label if input else None,
            )
        except DomainError as error:
            return TwoFactorEnrollStartPayload(
                provisioning_uri=None,
                secret=None,
                qr_code_svg=None,
                user_errors=user_errors(error),
            )
        return TwoFactorEnrollStartPayload(
            provisioning_uri=uri,
            secret=secret,
            qr_code_svg=two_factor.qr_code_svg(uri),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Complete two-factor enrolment with a correct code from the app; returns "
        "the recovery codes once.",
        permission_classes=[IsAuthenticated, PasswordChosen],
    )
    async def two_factor_enroll_confirm(
        self, info: Info[Context, None], input: TwoFactorEnrollConfirmInput
    ) -> TwoFactorEnrollConfirmPayload:
        context = info.context
        try:
            staff, codes = await two_factor.enroll_confirm(
                viewer=context.require_viewer(), code=input.code, settings=context.settings
            )
        except DomainError as error:
            return TwoFactorEnrollConfirmPayload(
                recovery_codes=None, staff_member=None, user_errors=user_errors(error)
            )
        member = StaffMember.from_model(await staff_with_relations(staff.id))
        return TwoFactorEnrollConfirmPayload(
            recovery_codes=codes, staff_member=member, user_errors=[]
        )

    @strawberry.mutation(
        description="Turn one's own two-factor sign-in off; needs the current password.",
        permission_classes=[IsAuthenticated, PasswordChosen],
    )
    async def two_factor_disable(
        self, info: Info[Context, None], input: TwoFactorDisableInput
    ) -> TwoFactorChangePayload:
        context = info.context
        return await staff_change(
            TwoFactorChangePayload,
            lambda: two_factor.disable(
                viewer=context.require_viewer(),
                current_password=input.current_password,
                settings=context.settings,
            ),
        )

    @strawberry.mutation(
        description="Reset a staff member's two-factor sign-in (for a lost device): they "
        "sign in with the password alone and can enrol again.",
        permission_classes=MANAGERS_ONLY,
    )
    async def staff_reset_two_factor(
        self, info: Info[Context, None], input: StaffResetTwoFactorInput
    ) -> TwoFactorChangePayload:
        viewer = info.context.require_viewer()
        return await staff_change(
            TwoFactorChangePayload,
            lambda: two_factor.reset(
                viewer=viewer, staff_id=staff_id_of(input.id), settings=info.context.settings
            ),
        )
