"""The fixed, documented shape of each event's payload (docs/webhooks/*.schema.json).

Built from a whitelist of fields: a new column on a model never reaches partners by
accident, and no hash, PIN or secret can."""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from uuid import UUID

from backend.models import Role, StaffMember
from backend.services.caller import Caller
from backend.services.viewer import AuthMethod


class EventType(str, Enum):
    STAFF_CREATED = "staff.created"
    STAFF_UPDATED = "staff.updated"
    STAFF_ACTIVATED = "staff.activated"
    STAFF_ACTIVATION_RESENT = "staff.activation_resent"
    STAFF_VERIFICATION_CANCELLED = "staff.verification_cancelled"
    STAFF_DEACTIVATED = "staff.deactivated"
    STAFF_REACTIVATED = "staff.reactivated"
    STAFF_LOGIN_LOCKED = "staff.login_locked"
    STAFF_TWO_FACTOR_CHANGED = "staff.two_factor_changed"
    STAFF_EMAIL_CHANGED = "staff.email_changed"
    ROLE_CREATED = "role.created"
    ROLE_UPDATED = "role.updated"
    ROLE_DELETED = "role.deleted"
    PING = "ping"

    @property
    def resource_type(self) -> str:
        return "endpoint" if self is EventType.PING else self.value.split(".", 1)[0]


@dataclass(frozen=True)
class Actor:
    """Who caused the event: a person, an API client, or the service itself (None ids)."""

    kind: str  # "staff" | "api_client" | "system"
    id: UUID | None = None
    auth_method: AuthMethod | None = None

    @classmethod
    def of(cls, caller: Caller) -> "Actor":
        if caller.api_client_id is not None:
            return cls("api_client", caller.api_client_id, caller.meta.auth_method)
        return cls("staff", caller.staff_id, caller.meta.auth_method)

    @classmethod
    def own(cls, staff: StaffMember, auth_method: AuthMethod | None = None) -> "Actor":
        """A person acting on their own account through an emailed link or a sign-in."""
        return cls("staff", staff.id, auth_method)

    @classmethod
    def system(cls) -> "Actor":
        """The service itself, acting on a rule rather than on anybody's request: a sign-in
        lock follows wrong passwords from someone who never authenticated, so no person
        (and no id that an attacker could pick by typing a username) is named."""
        return cls("system")

    def as_json(self) -> dict[str, object]:
        return {
            "type": self.kind,
            "id": str(self.id) if self.id else None,
            "authMethod": self.auth_method.value if self.auth_method else None,
        }


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def staff_data(staff: StaffMember) -> dict[str, object]:
    return {
        "id": str(staff.id),
        "username": staff.username,
        "firstName": staff.first_name,
        "lastName": staff.last_name,
        "email": staff.email,
        "status": staff.status.value,
        "roleId": str(staff.role_id),
        "twoFactorEnabled": staff.two_factor_enabled,
        "createdAt": _time(staff.created_at),
        "activatedAt": _time(staff.activated_at),
        "deactivatedAt": _time(staff.deactivated_at),
    }


def role_data(role: Role) -> dict[str, object]:
    return {"id": str(role.id), "name": role.name, "permissions": sorted(role.permissions)}
