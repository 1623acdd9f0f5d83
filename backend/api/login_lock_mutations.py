"""Administrators see and lift sign-in locks left by repeated failed attempts."""

import strawberry
from strawberry.types import Info

from backend.api.errors import UserError, user_errors
from backend.api.ids import NO_SUCH_ID, parse_id
from backend.api.permissions import MANAGERS_ONLY
from backend.api.staff_types import StaffMember
from backend.services import throttle
from backend.services.errors import DomainError
from backend.services.staff_directory import staff_with_relations


@strawberry.input(description="The staff member whose sign-in to unlock.")
class StaffUnlockLoginInput:
    id: strawberry.ID = strawberry.field(description="The staff member.")


@strawberry.type(description="Result of staffUnlockLogin.")
class StaffUnlockLoginPayload:
    staff_member: StaffMember | None = strawberry.field(
        description="The staff member as it is now; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type
class LoginLockMutations:
    @strawberry.mutation(
        description="Unlock the sign-in of a staff member locked after too many failed "
        "attempts, and reset the failure count.",
        permission_classes=MANAGERS_ONLY,
    )
    async def staff_unlock_login(
        self, info: Info, input: StaffUnlockLoginInput
    ) -> StaffUnlockLoginPayload:
        viewer = info.context.require_viewer()
        try:
            staff_id = parse_id(input.id, "StaffMember") or NO_SUCH_ID
            staff = await throttle.unlock(viewer=viewer, staff_id=staff_id)
        except DomainError as error:
            return StaffUnlockLoginPayload(staff_member=None, user_errors=user_errors(error))
        return StaffUnlockLoginPayload(
            staff_member=StaffMember.from_model(await staff_with_relations(staff.id)),
            user_errors=[],
        )
