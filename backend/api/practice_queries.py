"""The viewer, the practice's reference data and `node`."""

from uuid import UUID

import strawberry
from strawberry.types import Info

from backend.api.api_client_types import ApiClient
from backend.api.context import Context
from backend.api.errors import translate
from backend.api.ids import from_global_id
from backend.api.permissions import HasCaller, allowing
from backend.api.practice_types import CareTeamRole, Office, Practice, Provider
from backend.api.relay import Node
from backend.api.role_types import Role
from backend.api.session_types import AccountSession
from backend.api.staff_types import StaffMember
from backend.models import Permission
from backend.services import (
    account_tokens,
    api_clients,
    practice,
    roles,
    sessions,
    staff_directory,
)
from backend.services.caller import Access
from backend.services.care_team import CARE_TEAM_ROLES
from backend.services.errors import PermissionDenied
from backend.services.viewer import Viewer as ViewerModel


@strawberry.type(description="The signed-in account, its practice and what it may do.")
class Viewer:
    account: StaffMember = strawberry.field(description="The signed-in staff member.")
    practice: Practice = strawberry.field(description="The practice the account belongs to.")
    permissions: list[Permission] = strawberry.field(
        description="Permissions of the account's role; none while twoFactorEnrollmentRequired."
    )
    two_factor_enrollment_required: bool = strawberry.field(
        description="The practice requires two-factor sign-in of this account and it has not "
        "enrolled: until it does (twoFactorEnrollStart, twoFactorEnrollConfirm), the session "
        "holds no permission, so nothing that needs one (Manage Accounts above all) works."
    )
    password_change_required: bool = strawberry.field(
        description="An administrator requires a new password of this account: until it is "
        "chosen (passwordChange), the session holds no permission."
    )
    pending_email: str | None = strawberry.field(
        description="A new email address awaiting confirmation from its link (emailChangeRequest); "
        "until then `account.email` stays in force."
    )
    _viewer: strawberry.Private[ViewerModel]

    @strawberry.field(description="The account's live sessions, newest first.")
    async def sessions(self, info: Info[Context, None]) -> list[AccountSession]:
        own = await sessions.list_own(self._viewer, info.context.settings)
        settings = info.context.settings
        return [
            AccountSession.from_model(s, current=s.id == self._viewer.session_id, settings=settings)
            for s in own
        ]

    @strawberry.field(
        description="The session asking, with its idle and absolute deadlines (for the "
        "mobile app: the family of its access and refresh tokens)."
    )
    async def session(self, info: Info[Context, None]) -> AccountSession | None:
        own = await sessions.current(self._viewer)
        if own is None:
            return None
        return AccountSession.from_model(own, current=True, settings=info.context.settings)


@strawberry.type
class PracticeQueries:
    @strawberry.field(
        description="The signed-in account; null when signed out, and for an API client "
        "(which reads currentApiClient)."
    )
    async def viewer(self, info: Info[Context, None]) -> Viewer | None:
        viewer = info.context.viewer
        if viewer is None:
            return None
        account = await staff_directory.staff_with_relations(viewer.staff_id)
        record, used = await practice.practice_with_seats(viewer)
        return Viewer(
            account=StaffMember.from_model(account),
            practice=Practice.from_model(record, used),
            permissions=[p for p in Permission if viewer.can(p)],
            two_factor_enrollment_required=viewer.two_factor_enrollment_required,
            password_change_required=viewer.password_change_required,
            pending_email=await account_tokens.pending_email(viewer.staff_id),
            _viewer=viewer,
        )

    @strawberry.field(
        description="Roles usable in the practice: system roles and the practice's own.",
        permission_classes=allowing(Access.ROLES_READ),
    )
    async def roles(self, info: Info[Context, None]) -> list[Role]:
        return [Role.from_model(r) for r in await roles.list_roles(info.context.require_caller())]

    @strawberry.field(
        description="Providers of the practice.",
        permission_classes=allowing(Access.REFERENCE_READ),
    )
    async def providers(self, info: Info[Context, None]) -> list[Provider]:
        found = await practice.list_providers(info.context.require_caller())
        return [Provider.from_model(p) for p in found]

    @strawberry.field(
        description="Offices of the practice.", permission_classes=allowing(Access.REFERENCE_READ)
    )
    async def offices(self, info: Info[Context, None]) -> list[Office]:
        return [
            Office.from_model(o) for o in await practice.list_offices(info.context.require_caller())
        ]

    @strawberry.field(
        description="Care-team roles a staff member can hold.",
        permission_classes=allowing(Access.REFERENCE_READ),
    )
    def care_team_roles(self) -> list[CareTeamRole]:
        return [CareTeamRole(code=code, name=name) for code, name in CARE_TEAM_ROLES.items()]

    @strawberry.field(
        description="Any object by its global ID; null if there is none in the caller's "
        "practice, or the caller may not read it.",
        permission_classes=[HasCaller],
    )
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        decoded = from_global_id(id)
        if decoded is None:
            return None
        type_name, object_id = decoded
        try:
            return await _node(info.context, type_name, object_id)
        except PermissionDenied:
            return None


async def _node(context: Context, type_name: str, object_id: UUID) -> Node | None:
    caller = context.require_caller()
    if type_name == "StaffMember":
        staff = await staff_directory.get_staff(caller=caller, staff_id=object_id)
        return StaffMember.from_model(staff) if staff else None
    if type_name == "Role":
        role = await roles.get_role(caller, object_id)
        return Role.from_model(role) if role else None
    if type_name == "Provider":
        provider = await practice.get_provider(caller, object_id)
        return Provider.from_model(provider) if provider else None
    if type_name == "Office":
        office = await practice.get_office(caller, object_id)
        return Office.from_model(office) if office else None
    if type_name == "ApiClient" and context.viewer is not None:
        client = await api_clients.get_client(viewer=context.viewer, client_id=object_id)
        return ApiClient.from_model(client, context.settings) if client else None
    if type_name == "Practice" and object_id == caller.practice_id:
        record, used = await translate(lambda: practice.practice_with_seats(caller))
        return Practice.from_model(record, used)
    return None
