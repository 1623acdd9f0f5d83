"""Practice records: the practice itself, its providers and its offices."""

from uuid import UUID

from tortoise.transactions import in_transaction

from backend.models import Office, Permission, Practice, Provider, StaffMember
from backend.services import audit
from backend.services.caller import Access, Caller
from backend.services.errors import DomainError, ErrorCode
from backend.services.plans import seats_used
from backend.services.viewer import Viewer


async def practice_with_seats(caller: Caller) -> tuple[Practice, int]:
    practice = await Practice.get(id=caller.practice_id)
    return practice, await seats_used(practice.id)


async def list_providers(caller: Caller) -> list[Provider]:
    caller.require(Access.REFERENCE_READ)
    return list(await Provider.filter(practice_id=caller.practice_id))


async def list_offices(caller: Caller) -> list[Office]:
    caller.require(Access.REFERENCE_READ)
    return list(await Office.filter(practice_id=caller.practice_id))


async def get_provider(caller: Caller, provider_id: UUID) -> Provider | None:
    caller.require(Access.REFERENCE_READ)
    return await Provider.get_or_none(id=provider_id, practice_id=caller.practice_id)


async def get_office(caller: Caller, office_id: UUID) -> Office | None:
    caller.require(Access.REFERENCE_READ)
    return await Office.get_or_none(id=office_id, practice_id=caller.practice_id)


async def set_two_factor_requirement(*, viewer: Viewer, required: bool) -> tuple[Practice, int]:
    """Turn "require two-factor sign-in for accounts with Manage Accounts" on or off.
    It takes effect at each such account's next sign-in."""
    viewer.require(Permission.MANAGE_ACCOUNTS)
    # Turning it on needs two-factor sign-in on one's own account: else the administrator
    # would be held to enrolment at their next sign-in without having tried it.
    if required and not await StaffMember.exists(id=viewer.staff_id, two_factor_enabled=True):
        raise DomainError.single(
            ErrorCode.TWO_FACTOR_NOT_ENABLED,
            "Turn on two-factor sign-in for your own account first.",
            ["requireTwoFactorForManagers"],
        )
    async with in_transaction() as db:
        changed = (
            await Practice.filter(
                id=viewer.practice_id, require_two_factor_for_managers=not required
            )
            .using_db(db)
            .update(require_two_factor_for_managers=required)
        )
        if changed:
            await audit.record_by(
                viewer,
                "practice.two_factor_requirement",
                target_id=None,
                details={"required": required},
                using_db=db,
            )
    return await practice_with_seats(viewer)
