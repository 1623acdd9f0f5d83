"""What no API client may do, whatever its scopes: hand out the power to manage accounts.

Manage Accounts manages API clients too. A client with staff:write could otherwise give an
account it controls an administrator's role (or move an administrator's email to an
address it reads, then ask for a reset link), and a client with roles:write could add the
permission to such an account's role: a way out of its scopes, into the app. So for an
API client, a role that carries Manage Accounts can be neither given nor changed, and the
sign-in details (username, email) of an account that has it stay as they are. People with
Manage Accounts still can, in the app."""

from collections.abc import Collection
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.models import Permission, Role, StaffMember
from backend.services.caller import ApiClientCaller, Caller
from backend.services.errors import DomainError, ErrorCode

RESERVED_MESSAGE = (
    "API clients cannot give the Manage Accounts permission, or change the username or email "
    "of an account that has it: an administrator can, in the app."
)
_SIGN_IN_FIELDS = ("username", "email")


async def _grants_manage_accounts(role_id: UUID | None, db: BaseDBAsyncClient | None) -> bool:
    if role_id is None:
        return False
    role = await Role.get_or_none(id=role_id, using_db=db)
    return role is not None and Permission.MANAGE_ACCOUNTS.value in role.permissions


def _refuse(field: str) -> DomainError:
    return DomainError.single(ErrorCode.MANAGE_ACCOUNTS_RESERVED, RESERVED_MESSAGE, [field])


async def check_staff_change(
    caller: Caller,
    *,
    new_role_id: UUID | None,
    current: StaffMember | None = None,
    changed: Collection[str] = (),
    using_db: BaseDBAsyncClient | None = None,
) -> None:
    """Refuses an API client giving a role with Manage Accounts (`new_role_id`, at create or
    update) or changing the username or email of `current` while its role has it."""
    if not isinstance(caller, ApiClientCaller):
        return
    if await _grants_manage_accounts(new_role_id, using_db):
        raise _refuse("roleId")
    touched = [name for name in _SIGN_IN_FIELDS if name in changed]
    if current is not None and touched and await _grants_manage_accounts(current.role_id, using_db):
        raise _refuse(touched[0])


def check_role_change(caller: Caller, *, before: Collection[str], after: Collection[str]) -> None:
    """Refuses an API client creating or changing a role that has, or would have, Manage
    Accounts."""
    if isinstance(caller, ApiClientCaller) and Permission.MANAGE_ACCOUNTS.value in {
        *before,
        *after,
    }:
        raise _refuse("permissions")
