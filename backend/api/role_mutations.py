"""The Roles & Permissions page."""

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import UserError, user_errors
from backend.api.ids import NO_SUCH_ID, parse_id, to_global_id
from backend.api.permissions import allowing
from backend.api.role_types import Role
from backend.models import Permission
from backend.services import roles
from backend.services.caller import Access
from backend.services.errors import DomainError


@strawberry.input(description="A new practice role.")
class RoleCreateInput:
    name: str = strawberry.field(description="Unique in the practice, 1–100 characters.")
    permissions: list[Permission] = strawberry.field(description="What the role allows.")


@strawberry.input(description="Changes to a practice role; fields left out stay as they are.")
class RoleUpdateInput:
    id: strawberry.ID = strawberry.field(description="The role; system roles cannot be changed.")
    name: str | None = strawberry.field(default=None, description="New name.")
    permissions: list[Permission] | None = strawberry.field(
        default=None, description="The complete new set of permissions."
    )


@strawberry.input(description="The practice role to delete.")
class RoleDeleteInput:
    id: strawberry.ID = strawberry.field(description="A role no staff member holds.")


@strawberry.type(description="The role after the change, or why nothing changed.")
class RolePayload:
    role: Role | None = strawberry.field(description="The role as it is now.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type(description="Result of roleCreate.")
class RoleCreatePayload(RolePayload):
    pass


@strawberry.type(description="Result of roleUpdate.")
class RoleUpdatePayload(RolePayload):
    pass


@strawberry.type(description="Result of roleDelete.")
class RoleDeletePayload:
    deleted_role_id: strawberry.ID | None = strawberry.field(description="ID of the deleted role.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type
class RoleMutations:
    @strawberry.mutation(
        description="Create a practice role.", permission_classes=allowing(Access.ROLES_WRITE)
    )
    async def role_create(
        self, info: Info[Context, None], input: RoleCreateInput
    ) -> RoleCreatePayload:
        try:
            role = await roles.create_role(
                caller=info.context.require_caller(), name=input.name, permissions=input.permissions
            )
        except DomainError as error:
            return RoleCreatePayload(role=None, user_errors=user_errors(error))
        return RoleCreatePayload(role=Role.from_model(role), user_errors=[])

    @strawberry.mutation(
        description="Rename a practice role or change its permissions.",
        permission_classes=allowing(Access.ROLES_WRITE),
    )
    async def role_update(
        self, info: Info[Context, None], input: RoleUpdateInput
    ) -> RoleUpdatePayload:
        try:
            role = await roles.update_role(
                caller=info.context.require_caller(),
                role_id=parse_id(input.id, "Role") or NO_SUCH_ID,
                name=input.name,
                permissions=input.permissions,
            )
        except DomainError as error:
            return RoleUpdatePayload(role=None, user_errors=user_errors(error))
        return RoleUpdatePayload(role=Role.from_model(role), user_errors=[])

    @strawberry.mutation(
        description="Delete a practice role that no staff member holds.",
        permission_classes=allowing(Access.ROLES_WRITE),
    )
    async def role_delete(
        self, info: Info[Context, None], input: RoleDeleteInput
    ) -> RoleDeletePayload:
        try:
            deleted = await roles.delete_role(
                caller=info.context.require_caller(),
                role_id=parse_id(input.id, "Role") or NO_SUCH_ID,
            )
        except DomainError as error:
            return RoleDeletePayload(deleted_role_id=None, user_errors=user_errors(error))
        return RoleDeletePayload(deleted_role_id=to_global_id("Role", deleted), user_errors=[])
