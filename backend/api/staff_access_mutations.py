"""An administrator's actions on a person's sign-in: a reset email, a required new
password, signing them out everywhere."""

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.permissions import MANAGERS_ONLY
from backend.api.staff_payloads import StaffPayload, staff_change, staff_id_of
from backend.services import account_admin


@strawberry.input(description="The staff member concerned.")
class StaffAccessInput:
    id: strawberry.ID = strawberry.field(description="The staff member.")


@strawberry.type(description="The staff member after a sign-in action.")
class StaffAccessPayload(StaffPayload):
    pass


@strawberry.type
class StaffAccessMutations:
    @strawberry.mutation(
        description="Email an active staff member a password reset link (the same as Forgot "
        "password; older links are revoked).",
        permission_classes=MANAGERS_ONLY,
    )
    async def staff_send_password_reset(
        self, info: Info[Context, None], input: StaffAccessInput
    ) -> StaffAccessPayload:
        context = info.context
        return await staff_change(
            StaffAccessPayload,
            lambda: account_admin.send_password_reset(
                viewer=context.require_viewer(),
                staff_id=staff_id_of(input.id),
                settings=context.settings,
            ),
        )

    @strawberry.mutation(
        description="Require a new password at the next sign-in: the person's sessions end, "
        "and their next sign-in opens a session that can only choose one "
        "(passwordChangeRequired).",
        permission_classes=MANAGERS_ONLY,
    )
    async def staff_require_password_change(
        self, info: Info[Context, None], input: StaffAccessInput
    ) -> StaffAccessPayload:
        viewer = info.context.require_viewer()
        return await staff_change(
            StaffAccessPayload,
            lambda: account_admin.require_password_change(
                viewer=viewer, staff_id=staff_id_of(input.id)
            ),
        )

    @strawberry.mutation(
        description="End every session of a staff member without deactivating them.",
        permission_classes=MANAGERS_ONLY,
    )
    async def staff_sign_out_everywhere(
        self, info: Info[Context, None], input: StaffAccessInput
    ) -> StaffAccessPayload:
        viewer = info.context.require_viewer()
        return await staff_change(
            StaffAccessPayload,
            lambda: account_admin.sign_out_everywhere(
                viewer=viewer, staff_id=staff_id_of(input.id)
            ),
        )
