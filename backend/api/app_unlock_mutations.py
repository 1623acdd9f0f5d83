"""The mobile app's unlock PIN: unlocking a locked bearer session, changing one's own PIN
and an administrator setting a staff member's PIN. PINs are never echoed or logged."""

from typing import Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import UserError, user_errors
from backend.api.ids import NO_SUCH_ID, parse_id
from backend.api.permissions import MANAGERS_ONLY, IsAuthenticated, PasswordChosen
from backend.api.staff_types import StaffMember
from backend.services import app_unlock
from backend.services.errors import DomainError
from backend.services.staff_directory import staff_with_relations


class IsBearerSession(BasePermission):
    """The app's PIN lock exists only for bearer sessions; browsers (cookie sessions)
    have no PIN lock, so appUnlock is refused to them."""

    message = app_unlock.BEARER_ONLY_MESSAGE
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 (strawberry reads it)

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        viewer = info.context.viewer
        return viewer is not None and app_unlock.pin_lock_applies(viewer)


@strawberry.input(description="The app's unlock PIN.")
class AppUnlockInput:
    pin: str = strawberry.field(description="The 4-digit unlock PIN.")


@strawberry.type(description="Result of appUnlock.")
class AppUnlockPayload:
    ok: bool = strawberry.field(description="True when the PIN was right and the session goes on.")
    remaining_attempts: int = strawberry.field(
        description=f"Wrong PINs still allowed before the session is revoked "
        f"({app_unlock.PIN_ATTEMPTS} after a correct one; 0 once revoked)."
    )
    user_errors: list[UserError] = strawberry.field(
        description="INVALID_PIN for a wrong PIN; SESSION_REVOKED once the session has ended "
        "and a full sign-in is needed."
    )


@strawberry.input(description="A new unlock PIN for the signed-in person.")
class PinChangeInput:
    current_password: str = strawberry.field(description="The person's current password.")
    new_pin: str = strawberry.field(
        description="4 digits; not one repeated digit, a run or a common PIN."
    )


@strawberry.type(description="Result of pinChange.")
class PinChangePayload:
    ok: bool = strawberry.field(description="True once the new PIN is stored.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.input(description="A new unlock PIN for a staff member.")
class StaffSetPinInput:
    id: strawberry.ID = strawberry.field(description="The staff member.")
    pin: str = strawberry.field(
        description="4 digits; not one repeated digit, a run or a common PIN."
    )


@strawberry.type(description="Result of staffSetPin.")
class StaffSetPinPayload:
    staff_member: StaffMember | None = strawberry.field(
        description="The staff member; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type
class AppUnlockMutations:
    @strawberry.mutation(
        description=f"Unlock the mobile app with the PIN: a correct PIN restarts the "
        f"session's idle timer and resets the count of wrong PINs; after "
        f"{app_unlock.PIN_ATTEMPTS} wrong PINs in a row the session is revoked. Every call "
        f"counts, aliased ones too. Bearer sessions only (FORBIDDEN for cookie sessions).",
        permission_classes=[IsAuthenticated, IsBearerSession],
    )
    async def app_unlock(
        self, info: Info[Context, None], input: AppUnlockInput
    ) -> AppUnlockPayload:
        context = info.context
        try:
            remaining = await app_unlock.unlock(
                viewer=context.require_viewer(), pin=input.pin, settings=context.settings
            )
        except app_unlock.PinRejected as rejected:
            return AppUnlockPayload(
                ok=False,
                remaining_attempts=rejected.remaining_attempts,
                user_errors=user_errors(rejected),
            )
        except DomainError as error:
            return AppUnlockPayload(ok=False, remaining_attempts=0, user_errors=user_errors(error))
        return AppUnlockPayload(ok=True, remaining_attempts=remaining, user_errors=[])

    @strawberry.mutation(
        description="Change your own unlock PIN; your current password is required.",
        permission_classes=[IsAuthenticated, PasswordChosen],
    )
    async def pin_change(
        self, info: Info[Context, None], input: PinChangeInput
    ) -> PinChangePayload:
        context = info.context
        try:
            await app_unlock.change_own_pin(
                viewer=context.require_viewer(),
                current_password=input.current_password,
                new_pin=input.new_pin,
                settings=context.settings,
            )
        except DomainError as error:
            return PinChangePayload(ok=False, user_errors=user_errors(error))
        return PinChangePayload(ok=True, user_errors=[])

    @strawberry.mutation(
        description="Set the unlock PIN of a staff member of your practice.",
        permission_classes=MANAGERS_ONLY,
    )
    async def staff_set_pin(
        self, info: Info[Context, None], input: StaffSetPinInput
    ) -> StaffSetPinPayload:
        context = info.context
        try:
            staff_id = parse_id(input.id, "StaffMember") or NO_SUCH_ID
            staff = await app_unlock.set_staff_pin(
                viewer=context.require_viewer(),
                staff_id=staff_id,
                pin=input.pin,
                settings=context.settings,
            )
        except DomainError as error:
            return StaffSetPinPayload(staff_member=None, user_errors=user_errors(error))
        return StaffSetPinPayload(
            staff_member=StaffMember.from_model(await staff_with_relations(staff.id)),
            user_errors=[],
        )
