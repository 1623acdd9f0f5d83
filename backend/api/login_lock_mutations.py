"""Administrators see and lift sign-in locks left by repeated failed attempts."""

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.permissions import MANAGERS_ONLY
from backend.api.staff_payloads import StaffPayload, staff_change, staff_id_of
from backend.services import throttle


@strawberry.input(description="The staff member whose sign-in to unlock.")
class StaffUnlockLoginInput:
    id: strawberry.ID = strawberry.field(description="The staff member.")


@strawberry.type(description="Result of staffUnlockLogin.")
class StaffUnlockLoginPayload(StaffPayload):
    pass


@strawberry.type
class LoginLockMutations:
    @strawberry.mutation(
        description="Unlock the sign-in of a staff member locked after too many failed "
        "attempts, and reset the failure count.",
        permission_classes=MANAGERS_ONLY,
    )
    async def staff_unlock_login(
        self, info: Info[Context, None], input: StaffUnlockLoginInput
    ) -> StaffUnlockLoginPayload:
        context = info.context
        return await staff_change(
            StaffUnlockLoginPayload,
            lambda: throttle.unlock(
                viewer=context.require_viewer(),
                staff_id=staff_id_of(input.id),
                settings=context.settings,
            ),
        )
