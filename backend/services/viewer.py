"""Who is calling: the signed-in account and where the request came from."""

from dataclasses import dataclass, field
from uuid import UUID

from backend.models import Permission
from backend.services.errors import PermissionDenied, TwoFactorEnrollmentRequired


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    # How the caller proved who they are: "bearer" (API clients), "cookie" (browsers),
    # or None (no session).
    auth_method: str | None = None


@dataclass(frozen=True)
class Viewer:
    staff_id: UUID
    practice_id: UUID
    permissions: frozenset[str]
    session_id: UUID | None = None
    meta: RequestMeta = field(default_factory=RequestMeta)
    # The practice requires two-factor sign-in of this account and it has not enrolled:
    # until it does, the session holds no permission at all.
    two_factor_enrollment_required: bool = False

    def can(self, permission: Permission) -> bool:
        return not self.two_factor_enrollment_required and permission.value in self.permissions

    def require(self, permission: Permission) -> None:
        if self.two_factor_enrollment_required:
            raise TwoFactorEnrollmentRequired()
        if not self.can(permission):
            raise PermissionDenied(f"Your role does not have the {permission.value} permission.")
