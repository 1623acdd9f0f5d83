"""Who is calling: the signed-in person and where the request came from. (A caller may
also be an API client: backend/services/caller.py.)"""

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING
from uuid import UUID

from backend.models import Permission
from backend.services.errors import (
    PasswordChangeRequired,
    PermissionDenied,
    TwoFactorEnrollmentRequired,
)

if TYPE_CHECKING:
    from backend.services.caller import Access


class AuthMethod(str, Enum):
    """How the caller proved who they are (recorded on audit events)."""

    COOKIE = "cookie"  # a person's session cookie: the browser app
    BEARER_SESSION = "bearer_session"  # a person's session as a bearer token: the mobile app
    PASSWORD = "password"  # a sign-in, proved by its password
    API_CLIENT = "api_client"  # an API client's secret as a bearer token: a partner


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

    @property
    def api_client_id(self) -> None:
        """A person is no API client (see backend/services/caller.py)."""
        return None

    def can(self, need: "Permission | Access") -> bool:
        permission = need if isinstance(need, Permission) else need.permission
        if permission is None:  # being signed in is enough
            return True
        return not self.held and permission.value in self.permissions

    def require(self, need: "Permission | Access") -> None:
        permission = need if isinstance(need, Permission) else need.permission
        if permission is None:
            return
        if self.password_change_required:
            raise PasswordChangeRequired()
        if self.two_factor_enrollment_required:
            raise TwoFactorEnrollmentRequired()
        if not self.can(permission):
            raise PermissionDenied(f"Your role does not have the {permission.value} permission.")
