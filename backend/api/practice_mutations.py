"""Practice-wide settings."""

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import UserError, user_errors
from backend.api.permissions import MANAGERS_ONLY
from backend.api.practice_types import Practice
from backend.services import practice
from backend.services.errors import DomainError


@strawberry.input(description="The practice's two-factor requirement.")
class PracticeSetTwoFactorRequirementInput:
    require_two_factor_for_managers: bool = strawberry.field(
        description="True: accounts whose role holds Manage Accounts must enrol in two-factor "
        "sign-in at their next sign-in. Turning it on needs two-factor sign-in on your own "
        "account first."
    )


@strawberry.type(description="The practice after the change, or why nothing changed.")
class PracticeSetTwoFactorRequirementPayload:
    practice: Practice | None = strawberry.field(description="The practice as it is now.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type
class PracticeMutations:
    @strawberry.mutation(
        description='Turn "Require two-factor authentication for accounts with Manage '
        'Accounts" on or off. Audited.',
        permission_classes=MANAGERS_ONLY,
    )
    async def practice_set_two_factor_requirement(
        self, info: Info[Context, None], input: PracticeSetTwoFactorRequirementInput
    ) -> PracticeSetTwoFactorRequirementPayload:
        try:
            record, used = await practice.set_two_factor_requirement(
                viewer=info.context.require_viewer(),
                required=input.require_two_factor_for_managers,
            )
        except DomainError as error:
            return PracticeSetTwoFactorRequirementPayload(
                practice=None, user_errors=user_errors(error)
            )
        return PracticeSetTwoFactorRequirementPayload(
            practice=Practice.from_model(record, used), user_errors=[]
        )
