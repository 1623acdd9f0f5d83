"""Who is calling: the signed-in account and where the request came from."""

from dataclasses import dataclass, field
from enum import Enum
from uuid import UUID

from backend.models import Permission
from backend.services.errors import (
    PasswordChangeRequired,
    PermissionDenied,
    TwoFactorEnrollmentRequired,
)


class AuthMethod(str, Enum):
    """How the caller proved who they are (recorded on audit events)."""

    COOKIE = "cookie"  # a person's session cookie: the browser app
    BEARER_SESSION = "bearer_session"  # a person's session as a bearer token: the mobile app
    PASSWORD = "password"  # a sign-in, proved by its password


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    # None: no live session (and not a sign-in).
    auth_method: AuthMethod | None = None


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
    # An administrator requires a new password: until it is chosen, the session holds
    # no permission either.
    password_change_required: bool = False

    @property
    def held(self) -> bool:
        return self.two_factor_enrollment_required or self.password_change_required

    def can(self, permission: Permission) -> bool:
        return not self.held and permission.value in self.permissions

    def require(self, permission: Permission) -> None:
        if self.password_change_required:
            raise PasswordChangeRequired()
        if self.two_factor_enrollment_required:
            raise TwoFactorEnrollmentRequired()
        if not self.can(permission):
            raise PermissionDenied(f"Your role does not have the {permission.value} permission.")
