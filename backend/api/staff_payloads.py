"""What every mutation that changes one staff member answers: the member as it is now,
or the userErrors of a change that did not happen."""

from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID

import strawberry

from backend.api.errors import UserError, user_errors
from backend.api.ids import NO_SUCH_ID, parse_id
from backend.api.staff_types import StaffMember
from backend.models import StaffMember as StaffModel
from backend.services.errors import DomainError
from backend.services.staff_directory import staff_with_relations


@strawberry.type(description="The staff member after the change, or why nothing changed.")
class StaffPayload:
    staff_member: StaffMember | None = strawberry.field(
        description="The staff member as it is now; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


def staff_id_of(global_id: str) -> UUID:
    # A malformed ID matches no row: the service answers NOT_FOUND, as for a missing one.
    return parse_id(global_id, "StaffMember") or NO_SUCH_ID


P = TypeVar("P", bound=StaffPayload)


async def staff_change(payload: type[P], change: Callable[[], Awaitable[StaffModel]]) -> P:
    """Run a service call that changes a staff member; answer it as `payload`, reading the
    member again with its relations once the change is done."""
    try:
        changed = await change()
    except DomainError as error:
        return payload(staff_member=None, user_errors=user_errors(error))
    return payload(
        staff_member=StaffMember.from_model(await staff_with_relations(changed.id)), user_errors=[]
    )
