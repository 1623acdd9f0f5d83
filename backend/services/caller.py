"""Who is calling, whichever door it came through: a person (a `Viewer`: a cookie or a
bearer session) or an API client of a practice (a partner's machine credential).

Every operation that both may do names the `Access` it needs, and `Caller.require(access)`
checks it in one place: of a person, the role permission behind it; of an API client, the
scope behind it. Operations only people may do (self-service, app unlock, two-factor,
managing API clients) take a `Viewer`; the API refuses API clients before reaching them."""

from dataclasses import dataclass, field
from enum import Enum
from uuid import UUID

from backend.models import Permission
from backend.services.errors import PermissionDenied
from backend.services.viewer import RequestMeta, Viewer


class Scope(str, Enum):
    """What an API client may do; granted when it is created."""

    STAFF_READ = "staff:read"
    STAFF_WRITE = "staff:write"
    ROLES_READ = "roles:read"
    ROLES_WRITE = "roles:write"
    AUDIT_READ = "audit:read"
    WEBHOOKS_MANAGE = "webhooks:manage"
    SCIM = "scim"


class Access(Enum):
    """What an operation needs: (what it is; the role permission a person needs, or None
    when being signed in is enough; the scope an API client needs)."""

    # Providers, offices and care-team roles: what a staff record refers to.
    REFERENCE_READ = ("reference data", None, Scope.STAFF_READ)
    STAFF_READ = ("the staff list", Permission.MANAGE_ACCOUNTS, Scope.STAFF_READ)
    # One staff member by ID: a person may read their own record without a permission
    # (the service checks anyone else's as STAFF_READ).
    STAFF_MEMBER_READ = ("one staff member", None, Scope.STAFF_READ)
    STAFF_WRITE = ("staff changes", Permission.MANAGE_ACCOUNTS, Scope.STAFF_WRITE)
    ROLES_READ = ("roles", None, Scope.ROLES_READ)
    ROLES_WRITE = ("role changes", Permission.MANAGE_ACCOUNTS, Scope.ROLES_WRITE)
    AUDIT_READ = ("the audit trail", Permission.MANAGE_ACCOUNTS, Scope.AUDIT_READ)
    # Webhook endpoints: an API client also needs staff:read (services/webhook_endpoints.py).
    WEBHOOKS_MANAGE = ("webhook endpoints", Permission.MANAGE_ACCOUNTS, Scope.WEBHOOKS_MANAGE)

    @property
    def permission(self) -> Permission | None:
        permission: Permission | None = self.value[1]
        return permission

    @property
    def scope(self) -> Scope:
        scope: Scope = self.value[2]
        return scope


PEOPLE_ONLY_MESSAGE = "API clients cannot do this: it is for people signed in to the practice."


@dataclass(frozen=True)
class ApiClientCaller:
    """A practice's API client, authenticated by its secret. Never a staff member."""

    api_client_id: UUID
    practice_id: UUID
    name: str
    scopes: frozenset[Scope]
    meta: RequestMeta = field(default_factory=RequestMeta)

    # What services ask of any caller, answered for a machine.
    @property
    def staff_id(self) -> None:
        return None

    @property
    def session_id(self) -> None:
        return None

    def can(self, access: Access) -> bool:
        return access.scope in self.scopes

    def require(self, access: Access) -> None:
        if not self.can(access):
            raise PermissionDenied(missing_scope_message(access.scope))


def missing_scope_message(scope: Scope) -> str:
    return f"This API client does not have the {scope.value} scope."


Caller = Viewer | ApiClientCaller
