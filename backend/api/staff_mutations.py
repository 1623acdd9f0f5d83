"""Adding, changing and moving staff through the lifecycle."""

from typing import Any

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.idempotent import idempotent_staff_change
from backend.api.ids import parse_reference
from backend.api.permissions import allowing
from backend.api.staff_payloads import StaffPayload, staff_change, staff_id_of
from backend.models import CareTeamIdType
from backend.services import lifecycle, staff
from backend.services.caller import Access
from backend.services.staff_input import UNSET, NewStaff, StaffFields


@strawberry.input(description="The Staff Information drawer.")
class StaffCreateInput:
    first_name: str = strawberry.field(description="Given name, 1–50 characters.")
    last_name: str = strawberry.field(description="Family name, 1–50 characters.")
    primary_provider_id: strawberry.ID = strawberry.field(
        description="The provider the person acts on behalf of."
    )
    role_id: strawberry.ID = strawberry.field(description="A system role or one of the practice.")
    username: str = strawberry.field(
        description="3–150 letters, digits and . _ - @; unique across the service."
    )
    email: str = strawberry.field(
        description="Unique across the service; gets the activation link."
    )
    password: str = strawberry.field(
        description="Initial password, 12–128 characters; the person replaces it at activation."
    )
    password_confirmation: str = strawberry.field(description="The same password again.")
    app_unlock_pin: str = strawberry.field(
        description="Four digits the mobile app asks for after inactivity; not trivially guessable."
    )
    care_team_role: str | None = strawberry.field(
        default=None, description="A code from `careTeamRoles`; puts the person on care teams."
    )
    care_team_id_type: CareTeamIdType | None = strawberry.field(
        default=None, description="NPI or NCSBN_ID, with careTeamIdNumber."
    )
    care_team_id_number: str | None = strawberry.field(
        default=None, description="NPI: 10 digits with a valid check digit. NCSBN ID: 1–10 digits."
    )
    cell_phone: str | None = strawberry.field(default=None, description="US number.")
    home_phone: str | None = strawberry.field(default=None, description="US number.")
    email_update_enabled: bool = strawberry.field(
        default=True, description="Whether the person may change their own email."
    )
    restrict_offices: bool = strawberry.field(
        default=False, description="When true, the person works only in `officeIds` (one or more)."
    )
    office_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Offices of the practice, when restrictOffices is true."
    )
    daily_billing_report: bool = strawberry.field(
        default=False, description="Send the daily billing report to this person."
    )


@strawberry.input(description="Changes to a staff member; fields left out stay as they are.")
class StaffUpdateInput:
    id: strawberry.ID = strawberry.field(description="The staff member to change.")
    first_name: str | None = strawberry.field(default=strawberry.UNSET, description="Given name.")
    last_name: str | None = strawberry.field(default=strawberry.UNSET, description="Family name.")
    primary_provider_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Primary provider."
    )
    role_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="Role.")
    username: str | None = strawberry.field(default=strawberry.UNSET, description="Username.")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="Email.")
    care_team_role: str | None = strawberry.field(
        default=strawberry.UNSET, description="Care-team role code; null removes it."
    )
    care_team_id_type: CareTeamIdType | None = strawberry.field(
        default=strawberry.UNSET, description="NPI or NCSBN_ID; null with a null number removes it."
    )
    care_team_id_number: str | None = strawberry.field(
        default=strawberry.UNSET, description="Identifier digits."
    )
    cell_phone: str | None = strawberry.field(default=strawberry.UNSET, description="US number.")
    home_phone: str | None = strawberry.field(default=strawberry.UNSET, description="US number.")
    email_update_enabled: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether the person may change their own email."
    )
    restrict_offices: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Restrict the person to `officeIds`."
    )
    office_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Offices, when restrictOffices is true."
    )
    daily_billing_report: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Send the daily billing report."
    )


@strawberry.input(description="Names the staff member to act on.")
class StaffActionInput:
    id: strawberry.ID = strawberry.field(description="The staff member.")


@strawberry.type(description="Result of staffCreate.")
class StaffCreatePayload(StaffPayload):
    pass


@strawberry.type(description="Result of staffUpdate.")
class StaffUpdatePayload(StaffPayload):
    pass


@strawberry.type(description="Result of staffResendActivation.")
class StaffResendActivationPayload(StaffPayload):
    pass


@strawberry.type(description="Result of staffCancelVerification.")
class StaffCancelVerificationPayload(StaffPayload):
    pass


@strawberry.type(description="Result of staffDeactivate.")
class StaffDeactivatePayload(StaffPayload):
    pass


@strawberry.type(description="Result of staffReactivate.")
class StaffReactivatePayload(StaffPayload):
    pass


def _value(given: Any) -> Any:
    return UNSET if given is strawberry.UNSET else given


def _reference(given: Any, type_name: str) -> Any:
    if given is strawberry.UNSET:
        return UNSET
    return parse_reference(given, type_name)


def _office_ids(given: Any) -> Any:
    if given is strawberry.UNSET or given is None:
        return _value(given)
    return [parse_reference(office_id, "Office") for office_id in given]


@strawberry.type
class StaffMutations:
    @strawberry.mutation(
        description="Add a pending staff member and email them an activation link (72 hours).",
        permission_classes=allowing(Access.STAFF_WRITE),
    )
    async def staff_create(
        self, info: Info[Context, None], input: StaffCreateInput
    ) -> StaffCreatePayload:
        data = NewStaff(
            first_name=input.first_name,
            last_name=input.last_name,
            primary_provider_id=parse_reference(input.primary_provider_id, "Provider"),
            role_id=parse_reference(input.role_id, "Role"),
            care_team_role=input.care_team_role,
            care_team_id_type=input.care_team_id_type.value if input.care_team_id_type else None,
            care_team_id_number=input.care_team_id_number,
            username=input.username,
            email=input.email,
            cell_phone=input.cell_phone,
            home_phone=input.home_phone,
            email_update_enabled=input.email_update_enabled,
            restrict_offices=input.restrict_offices,
            office_ids=_office_ids(input.office_ids),
            daily_billing_report=input.daily_billing_report,
            password=input.password,
            password_confirmation=input.password_confirmation,
            app_unlock_pin=input.app_unlock_pin,
        )
        context = info.context
        return await staff_change(
            StaffCreatePayload,
            lambda: idempotent_staff_change(
                context,
                "staffCreate",
                input,
                lambda: staff.create_staff(
                    caller=context.require_caller(), data=data, settings=context.settings
                ),
            ),
        )

    @strawberry.mutation(
        description="Change a staff member's details.",
        permission_classes=allowing(Access.STAFF_WRITE),
    )
    async def staff_update(
        self, info: Info[Context, None], input: StaffUpdateInput
    ) -> StaffUpdatePayload:
        id_type = input.care_team_id_type
        data = StaffFields(
            first_name=_value(input.first_name),
            last_name=_value(input.last_name),
            primary_provider_id=_reference(input.primary_provider_id, "Provider"),
            role_id=_reference(input.role_id, "Role"),
            care_team_role=_value(input.care_team_role),
            care_team_id_type=id_type.value
            if isinstance(id_type, CareTeamIdType)
            else _value(id_type),
            care_team_id_number=_value(input.care_team_id_number),
            username=_value(input.username),
            email=_value(input.email),
            cell_phone=_value(input.cell_phone),
            home_phone=_value(input.home_phone),
            email_update_enabled=_value(input.email_update_enabled),
            restrict_offices=_value(input.restrict_offices),
            office_ids=_office_ids(input.office_ids),
            daily_billing_report=_value(input.daily_billing_report),
        )
        context = info.context
        return await staff_change(
            StaffUpdatePayload,
            lambda: staff.update_staff(
                caller=context.require_caller(),
                staff_id=staff_id_of(input.id),
                data=data,
                settings=context.settings,
            ),
        )

    @strawberry.mutation(
        description="Send a pending staff member a new activation link; older links stop working.",
        permission_classes=allowing(Access.STAFF_WRITE),
    )
    async def staff_resend_activation(
        self, info: Info[Context, None], input: StaffActionInput
    ) -> StaffResendActivationPayload:
        context = info.context
        return await staff_change(
            StaffResendActivationPayload,
            lambda: idempotent_staff_change(
                context,
                "staffResendActivation",
                input,
                lambda: lifecycle.resend_activation(
                    caller=context.require_caller(),
                    staff_id=staff_id_of(input.id),
                    settings=context.settings,
                ),
            ),
        )

    @strawberry.mutation(
        description="Cancel a pending staff member's verification: they become inactive.",
        permission_classes=allowing(Access.STAFF_WRITE),
    )
    async def staff_cancel_verification(
        self, info: Info[Context, None], input: StaffActionInput
    ) -> StaffCancelVerificationPayload:
        caller = info.context.require_caller()
        return await staff_change(
            StaffCancelVerificationPayload,
            lambda: lifecycle.cancel_verification(caller=caller, staff_id=staff_id_of(input.id)),
        )

    @strawberry.mutation(
        description="Deactivate an active staff member; their sessions end at once.",
        permission_classes=allowing(Access.STAFF_WRITE),
    )
    async def staff_deactivate(
        self, info: Info[Context, None], input: StaffActionInput
    ) -> StaffDeactivatePayload:
        caller = info.context.require_caller()
        return await staff_change(
            StaffDeactivatePayload,
            lambda: lifecycle.deactivate(caller=caller, staff_id=staff_id_of(input.id)),
        )

    @strawberry.mutation(
        description="Reactivate an inactive staff member: active again if they had activated, "
        "otherwise pending with a new activation link. Needs a free seat.",
        permission_classes=allowing(Access.STAFF_WRITE),
    )
    async def staff_reactivate(
        self, info: Info[Context, None], input: StaffActionInput
    ) -> StaffReactivatePayload:
        context = info.context
        return await staff_change(
            StaffReactivatePayload,
            lambda: lifecycle.reactivate(
                caller=context.require_caller(),
                staff_id=staff_id_of(input.id),
                settings=context.settings,
            ),
        )
