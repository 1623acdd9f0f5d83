import strawberry

from backend.api.ids import to_global_id
from backend.api.relay import Node
from backend.models import Permission
from backend.models import Role as RoleModel

PermissionEnum = strawberry.enum(
    Permission,
    name="Permission",
    description="What a role allows. SIGN_CLINICAL_NOTES and ELECTRONIC_PRESCRIBING are always "
    "on behalf of the staff member's primary provider.",
)


@strawberry.type(description="A named set of permissions. System roles cannot be changed.")
class Role(Node):
    name: str = strawberry.field(description='Display name, e.g. "Nurse (System)".')
    is_system: bool = strawberry.field(description="True for the read-only system roles.")
    permissions: list[Permission] = strawberry.field(description="What the role allows.")

    @classmethod
    def from_model(cls, role: RoleModel) -> "Role":
        return cls(
            id=to_global_id("Role", role.id),
            name=role.name,
            is_system=role.is_system,
            permissions=[Permission(p) for p in role.permissions],
        )
