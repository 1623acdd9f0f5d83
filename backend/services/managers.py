"""The rule that a practice always keeps an active account that can manage accounts."""

from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from backend.models import Permission, Role, StaffMember, StaffStatus
from backend.services.errors import DomainError, ErrorCode


async def manager_role_ids(
    practice_id: UUID, connection: BaseDBAsyncClient | None = None
) -> set[UUID]:
    roles = await Role.filter(Q(practice_id=practice_id) | Q(is_system=True)).using_db(connection)
    return {role.id for role in roles if role.has(Permission.MANAGE_ACCOUNTS)}


async def ensure_manager_remains(
    practice_id: UUID,
    connection: BaseDBAsyncClient,
    *,
    losing: UUID | None = None,
    new_role_id: UUID | None = None,
    role_losing_permission: UUID | None = None,
) -> None:
    """Refuse a change that would leave no active account manager. Call with the practice
    locked, so two concurrent changes cannot each count on the other one remaining.

    `losing`: a staff member being deactivated (no `new_role_id`) or moved to `new_role_id`;
    `role_losing_permission`: a role whose Manage Accounts permission is being removed.
    """
    role_ids = await manager_role_ids(practice_id, connection)
    managers = (
        await StaffMember.filter(
            practice_id=practice_id, status=StaffStatus.ACTIVE, role_id__in=role_ids
        )
        .using_db(connection)
        .values_list("id", "role_id")
    )
    if not managers:
        return
    roles_after = role_ids - {role_losing_permission}
    remaining = []
    for staff_id, role_id in managers:
        if staff_id == losing:
            role_id = new_role_id
        if role_id in roles_after:
            remaining.append(staff_id)
    if not remaining:
        raise DomainError.single(
            ErrorCode.LAST_ACCOUNT_MANAGER,
            "This is the last active account that can manage accounts. "
            "Give another active account that permission first.",
        )
