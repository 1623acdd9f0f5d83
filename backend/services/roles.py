"""The Roles & Permissions page: system roles are read-only, practice roles are editable."""

from collections.abc import Sequence
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.models import Permission, Role, StaffMember
from backend.services import account_power, audit, validation
from backend.services.caller import Access, Caller
from backend.services.errors import DomainError, ErrorCode, ErrorCollector
from backend.services.managers import ensure_manager_remains
from backend.services.plans import lock_practice
from backend.webhooks import events as webhook_events
from backend.webhooks.payloads import Actor, EventType

_NAME_TAKEN = "A role with this name already exists."


async def list_roles(caller: Caller) -> list[Role]:
    caller.require(Access.ROLES_READ)
    return list(await Role.filter(Q(practice_id=caller.practice_id) | Q(is_system=True)))


async def get_role(caller: Caller, role_id: UUID) -> Role | None:
    caller.require(Access.ROLES_READ)
    return await _usable_role(caller, role_id)


async def _usable_role(caller: Caller, role_id: UUID) -> Role | None:
    # Without a check of its own: changing a role needs ROLES_WRITE, not ROLES_READ too.
    return await Role.filter(
        Q(practice_id=caller.practice_id) | Q(is_system=True), id=role_id
    ).first()


async def create_role(
    *, caller: Caller, name: str | None, permissions: Sequence[Permission]
) -> Role:
    caller.require(Access.ROLES_WRITE)
    account_power.check_role_change(caller, before=(), after=_ordered(permissions))
    clean_name = await _clean_role_name(caller, name, exclude=None)
    role = Role(
        practice_id=caller.practice_id,
        name=clean_name,
        name_key=clean_name.lower(),
        permissions=_ordered(permissions),
    )
    try:
        async with in_transaction() as db:
            await _save_and_audit(caller, "role.create", role, db)
    except IntegrityError:
        raise DomainError.single(ErrorCode.TAKEN, _NAME_TAKEN, ["name"]) from None
    return role


async def update_role(
    *,
    caller: Caller,
    role_id: UUID,
    name: str | None = None,
    permissions: Sequence[Permission] | None = None,
) -> Role:
    caller.require(Access.ROLES_WRITE)
    role = await _editable_role(caller, role_id)
    new_name = await _clean_role_name(caller, name, exclude=role.id) if name is not None else None
    try:
        async with in_transaction() as db:
            # Re-read under the practice lock: the last-manager check must see the
            # permissions as they are now, not as another request left them.
            await lock_practice(caller.practice_id, db)
            role = await Role.filter(id=role.id).using_db(db).get()
            account_power.check_role_change(
                caller,
                before=role.permissions,
                after=_ordered(permissions) if permissions is not None else (),
            )
            if new_name is not None:
                role.name, role.name_key = new_name, new_name.lower()
            if permissions is not None:
                new_permissions = _ordered(permissions)
                if (
                    role.has(Permission.MANAGE_ACCOUNTS)
                    and Permission.MANAGE_ACCOUNTS.value not in new_permissions
                ):
                    await ensure_manager_remains(
                        caller.practice_id, db, role_losing_permission=role.id
                    )
                role.permissions = new_permissions
            await _save_and_audit(caller, "role.update", role, db)
    except IntegrityError:
        raise DomainError.single(ErrorCode.TAKEN, _NAME_TAKEN, ["name"]) from None
    return role


async def delete_role(*, caller: Caller, role_id: UUID) -> UUID:
    caller.require(Access.ROLES_WRITE)
    role = await _editable_role(caller, role_id)
    async with in_transaction() as db:
        await lock_practice(caller.practice_id, db)
        # Inactive staff keep their role too: a reactivation must find it.
        in_use = await StaffMember.filter(role_id=role.id).using_db(db).count()
        if in_use:
            holders = (
                "1 staff member still has" if in_use == 1 else f"{in_use} staff members still have"
            )
            raise DomainError.single(
                ErrorCode.ROLE_IN_USE,
                f"{holders} this role. Give them another role first.",
                ["id"],
            )
        await role.delete(using_db=db)
        await audit.record_by(
            caller, "role.delete", target_id=role.id, details={"name": role.name}, using_db=db
        )
        await webhook_events.record_role(
            EventType.ROLE_DELETED,
            role,
            Actor.of(caller),
            practice_id=caller.practice_id,
            using_db=db,
        )
    return role.id


async def _save_and_audit(caller: Caller, action: str, role: Role, db: BaseDBAsyncClient) -> None:
    await role.save(using_db=db)
    details: dict[str, object] = {"name": role.name, "permissions": role.permissions}
    await audit.record_by(caller, action, target_id=role.id, details=details, using_db=db)
    created = action == "role.create"
    await webhook_events.record_role(
        EventType.ROLE_CREATED if created else EventType.ROLE_UPDATED,
        role,
        Actor.of(caller),
        practice_id=caller.practice_id,
        using_db=db,
    )


async def _editable_role(caller: Caller, role_id: UUID) -> Role:
    role = await _usable_role(caller, role_id)
    if role is None:
        raise DomainError.single(ErrorCode.NOT_FOUND, "This role does not exist.", ["id"])
    if role.is_system:
        raise DomainError.single(
            ErrorCode.SYSTEM_ROLE_READ_ONLY, "System roles cannot be changed or deleted.", ["id"]
        )
    return role


async def _clean_role_name(caller: Caller, name: str | None, *, exclude: UUID | None) -> str:
    errors = ErrorCollector()
    clean = errors.check(lambda: validation.clean_name(name, field="name", max_length=100))
    errors.raise_if_any()
    assert clean is not None
    same_name = Role.filter(
        Q(practice_id=caller.practice_id) | Q(is_system=True), name_key=clean.lower()
    )
    if exclude is not None:
        same_name = same_name.exclude(id=exclude)
    if await same_name.exists():
        raise DomainError.single(ErrorCode.TAKEN, _NAME_TAKEN, ["name"])
    return clean


def _ordered(permissions: Sequence[Permission]) -> list[str]:
    """Deduplicated, in catalogue order, so the stored list is stable."""
    chosen = {Permission(p).value for p in permissions}
    return [p.value for p in Permission if p.value in chosen]
