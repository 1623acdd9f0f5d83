"""The StaffMember type and its connection."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry.types import Info

from backend.api.audit_types import AuditEvent
from backend.api.context import Context
from backend.api.errors import translate
from backend.api.ids import to_global_id
from backend.api.permissions import allowing
from backend.api.practice_types import CareTeamRole, Office, Provider
from backend.api.relay import Node, PageInfo
from backend.api.role_types import Role
from backend.models import CareTeamIdType, OutboxStatus, StaffStatus
from backend.models import StaffMember as StaffModel
from backend.services import audit_log, staff_directory
from backend.services.caller import Access, Caller
from backend.services.care_team import care_team_role_name
from backend.services.staff_directory import StaffQuery
from backend.services.validation import format_phone, phone_e164, username_key

StaffStatusEnum = strawberry.enum(
    StaffStatus,
    name="StaffStatus",
    description="PENDING: added, not yet activated. ACTIVE: can sign in. "
    "INACTIVE: deactivated or verification cancelled.",
)
CareTeamIdTypeEnum = strawberry.enum(
    CareTeamIdType, name="CareTeamIdType", description="Kind of care-team identifier."
)
EmailStatusEnum = strawberry.enum(
    OutboxStatus,
    name="EmailDeliveryStatus",
    description="QUEUED: waiting or retrying. SENT: accepted by the mail server. "
    "FAILED: gave up after repeated failures. SUPERSEDED: replaced by a newer email.",
)


@strawberry.type(description="A care-team identifier (NPI or NCSBN ID).")
class CareTeamIdentifier:
    type: CareTeamIdType = strawberry.field(description="NPI or NCSBN_ID.")
    number: str = strawberry.field(description="The identifier's digits.")


@strawberry.type(description="Delivery of the latest activation email.")
class ActivationEmail:
    status: OutboxStatus = strawberry.field(description="Where the email is in delivery.")
    attempts: int = strawberry.field(description="Delivery attempts so far.")
    last_error: str | None = strawberry.field(description="Why the last attempt failed, if it did.")
    sent_at: datetime | None = strawberry.field(description="When the mail server accepted it.")


@strawberry.type(description="A person with a login in the practice.")
class StaffMember(Node):
    first_name: str = strawberry.field(description="Given name.")
    last_name: str = strawberry.field(description="Family name.")
    full_name: str = strawberry.field(description="First and last name.")
    role: Role = strawberry.field(description="The role that sets what the person may do.")
    primary_provider: Provider = strawberry.field(
        description="The provider this person acts on behalf of."
    )
    care_team_role: CareTeamRole | None = strawberry.field(
        description="Role on patients' care teams, if any."
    )
    care_team_identifier: CareTeamIdentifier | None = strawberry.field(
        description="NPI or NCSBN ID used on care teams, if any."
    )
    username: str = strawberry.field(description="Sign-in name, unique across the service.")
    email: str = strawberry.field(description="Email address, unique across the service.")

    # Formatted only when asked for: parsing a phone number costs more than the rest of a
    # row, and the staff list does not show phones.
    @strawberry.field(description="US cell phone, as 212-222-2222.")
    def cell_phone(self) -> str | None:
        return format_phone(self._cell_phone)

    @strawberry.field(description="US home phone, as 212-222-2222.")
    def home_phone(self) -> str | None:
        return format_phone(self._home_phone)

    @strawberry.field(description="The cell phone in E.164 form, as +12122222222.")
    def cell_phone_e164(self) -> str | None:
        return phone_e164(self._cell_phone)

    @strawberry.field(description="The home phone in E.164 form, as +12122222222.")
    def home_phone_e164(self) -> str | None:
        return phone_e164(self._home_phone)

    email_update_enabled: bool = strawberry.field(
        description="Whether the person may change their own email."
    )
    restrict_offices: bool = strawberry.field(
        description="Whether the person works only in `offices`."
    )
    offices: list[Office] = strawberry.field(description="Offices the person is restricted to.")
    daily_billing_report: bool = strawberry.field(
        description="Whether the daily billing report is sent."
    )
    status: StaffStatus = strawberry.field(description="Lifecycle status.")
    two_factor_enabled: bool = strawberry.field(description="Whether two-factor sign-in is on.")
    created_at: datetime = strawberry.field(description="When the account was added.")
    updated_at: datetime = strawberry.field(
        description="When anything about the account last changed, by the database's clock: "
        "profile, role, offices, settings, status, password, PIN, two-factor sign-in, "
        "activation link or sign-in lock. Sign-ins alone do not change it (see "
        "`lastSignInAt`), nor do changes to the role, provider or offices themselves. "
        "It may also move without a visible change."
    )
    activated_at: datetime | None = strawberry.field(description="When the person first activated.")
    deactivated_at: datetime | None = strawberry.field(
        description="When the account last became inactive."
    )
    last_sign_in_at: datetime | None = strawberry.field(
        description="When the person last signed in with their password."
    )
    password_change_required: bool = strawberry.field(
        description="Whether an administrator requires a new password at the next sign-in "
        "(staffRequirePasswordChange); cleared once it is chosen."
    )
    _status_value: strawberry.Private[StaffStatus]
    _staff_id: strawberry.Private[UUID]
    _cell_phone: strawberry.Private[str | None]
    _home_phone: strawberry.Private[str | None]

    @strawberry.field(
        description="When the outstanding activation link expires (pending staff only); "
        "a past time means the link has expired and must be resent."
    )
    async def activation_expires_at(self, info: Info[Context, None]) -> datetime | None:
        if self._status_value != StaffStatus.PENDING:
            return None
        expiry: datetime | None = await info.context.loaders.activation_expiry.load(self._staff_id)
        return expiry

    @strawberry.field(description="Delivery of the latest activation email, if one was sent.")
    async def activation_email(self, info: Info[Context, None]) -> ActivationEmail | None:
        message = await info.context.loaders.activation_email.load(self._staff_id)
        if message is None:
            return None
        return ActivationEmail(
            status=message.status,
            attempts=message.attempts,
            last_error=message.last_error,
            sent_at=message.sent_at,
        )

    @strawberry.field(
        description="Audit events about this person (sign-ins, changes, lifecycle actions), "
        "newest first.",
        permission_classes=allowing(Access.AUDIT_READ),
    )
    async def audit_events(
        self,
        info: Info[Context, None],
        first: Annotated[
            int | None, strawberry.argument(description="How many, at most 100.")
        ] = 20,
    ) -> list[AuditEvent]:
        settings = info.context.settings
        history = await translate(
            lambda: audit_log.staff_history(
                caller=info.context.require_caller(), staff_id=self._staff_id, first=first
            )
        )
        return [AuditEvent.from_model(event, history.actors, settings) for event in history.items]

    @classmethod
    def from_model(cls, staff: StaffModel) -> "StaffMember":
        """`staff` must come with role, primary_provider and offices loaded."""
        identifier = None
        if staff.care_team_id_type and staff.care_team_id_number:
            identifier = CareTeamIdentifier(
                type=staff.care_team_id_type, number=staff.care_team_id_number
            )
        care_role = None
        if staff.care_team_role:
            care_role = CareTeamRole(
                code=staff.care_team_role, name=care_team_role_name(staff.care_team_role) or ""
            )
        return cls(
            id=to_global_id("StaffMember", staff.id),
            first_name=staff.first_name,
            last_name=staff.last_name,
            full_name=staff.full_name,
            role=Role.from_model(staff.role),
            primary_provider=Provider.from_model(staff.primary_provider),
            care_team_role=care_role,
            care_team_identifier=identifier,
            username=staff.username,
            email=staff.email,
            email_update_enabled=staff.email_update_enabled,
            restrict_offices=staff.restrict_offices,
            offices=[Office.from_model(o) for o in staff.offices],
            daily_billing_report=staff.daily_billing_report,
            status=staff.status,
            two_factor_enabled=staff.two_factor_enabled,
            created_at=staff.created_at,
            updated_at=staff.updated_at,
            activated_at=staff.activated_at,
            deactivated_at=staff.deactivated_at,
            last_sign_in_at=staff.last_sign_in_at,
            password_change_required=staff.password_change_required,
            _status_value=staff.status,
            _staff_id=staff.id,
            _cell_phone=staff.cell_phone,
            _home_phone=staff.home_phone,
        )

    @strawberry.field(
        description="Whether sign-in is locked after too many failed attempts; an "
        "administrator unlocks it with staffUnlockLogin."
    )
    async def login_locked(self, info: Info[Context, None]) -> bool:
        locked: bool = await info.context.loaders.login_locked.load(username_key(self.username))
        return locked


@strawberry.type(description="A staff member in a list, with its cursor.")
class StaffMemberEdge:
    node: StaffMember = strawberry.field(description="The staff member.")
    cursor: str = strawberry.field(description="Opaque position of this item.")


@strawberry.type(description="A page of staff members.")
class StaffMemberConnection:
    edges: list[StaffMemberEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is.")
    # What totalCount counts, kept for the resolver: the count runs only when asked for.
    _caller: strawberry.Private[Caller]
    _query: strawberry.Private[StaffQuery]

    @strawberry.field(description="Matching staff members in all pages.")
    async def total_count(self) -> int:
        return await staff_directory.count_staff(caller=self._caller, query=self._query)


@strawberry.type(description="Staff counts per status (the tab numbers).")
class StaffCounts:
    active: int = strawberry.field(description="Active staff.")
    pending: int = strawberry.field(description="Pending staff.")
    inactive: int = strawberry.field(description="Inactive staff.")
