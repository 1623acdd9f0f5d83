"""Turns drawer fields into clean column values, collecting every error at once."""

from functools import partial
from typing import Any
from uuid import UUID

from tortoise.expressions import Q

from backend.models import CareTeamIdType, Office, Provider, Role, StaffMember
from backend.services import validation
from backend.services.care_team import CARE_TEAM_ROLES
from backend.services.errors import ErrorCode, ErrorCollector
from backend.services.staff_input import StaffFields


async def clean_staff_fields(
    data: StaffFields,
    *,
    practice_id: UUID,
    errors: ErrorCollector,
    current: StaffMember | None = None,
) -> dict[str, Any]:
    """Column values for the fields given (all of them for a create, `current` is None)."""
    creating = current is None
    given = data.everything() if creating else data.provided()
    values: dict[str, Any] = {}

    for name, field in (("first_name", "firstName"), ("last_name", "lastName")):
        if name in given:
            values[name] = errors.check(partial(validation.clean_name, given[name], field=field))
    if "username" in given:
        username = errors.check(lambda: validation.clean_username(given["username"]))
        if username is not None:
            values["username"] = username
            values["username_key"] = validation.username_key(username)
    if "email" in given:
        values["email"] = errors.check(lambda: validation.clean_email(given["email"]))
    for name, field in (("cell_phone", "cellPhone"), ("home_phone", "homePhone")):
        if name in given:
            values[name] = errors.check(partial(validation.clean_phone, given[name], field=field))
    if "care_team_role" in given:
        code = (given["care_team_role"] or "").strip() or None
        if code is not None and code not in CARE_TEAM_ROLES:
            errors.add(ErrorCode.INVALID, "Choose a care team role from the list.", "careTeamRole")
        values["care_team_role"] = code
    if "care_team_id_type" in given or "care_team_id_number" in given:
        id_type = given.get("care_team_id_type", current.care_team_id_type if current else None)
        number = given.get("care_team_id_number", current.care_team_id_number if current else None)
        if isinstance(id_type, CareTeamIdType):
            id_type = id_type.value
        cleaned = errors.check(partial(validation.clean_care_team_id, id_type, number))
        if cleaned is not None:
            values["care_team_id_type"], values["care_team_id_number"] = cleaned
    for name in ("email_update_enabled", "restrict_offices", "daily_billing_report"):
        if name in given and given[name] is not None:
            values[name] = bool(given[name])
    if creating:
        values.setdefault("email_update_enabled", True)
        values.setdefault("restrict_offices", False)
        values.setdefault("daily_billing_report", False)

    if "primary_provider_id" in given:
        values["primary_provider_id"] = await _practice_provider(
            given["primary_provider_id"], practice_id, errors
        )
    if "role_id" in given:
        values["role_id"] = await _usable_role(given["role_id"], practice_id, errors)
    restrict = values.get("restrict_offices", current.restrict_offices if current else False)
    if "office_ids" in given or "restrict_offices" in values:
        office_ids = given.get("office_ids")
        if office_ids is None and current is not None and "office_ids" not in given:
            office_ids = [office.id for office in await current.offices.all()]
        values["offices"] = await _practice_offices(office_ids or [], restrict, practice_id, errors)
    return values


async def _practice_provider(
    provider_id: UUID | None, practice_id: UUID, errors: ErrorCollector
) -> UUID | None:
    if provider_id is None:
        errors.add(ErrorCode.REQUIRED, "Choose the primary provider.", "primaryProviderId")
        return None
    if not await Provider.exists(id=provider_id, practice_id=practice_id):
        errors.add(
            ErrorCode.NOT_FOUND,
            "This provider does not exist in your practice.",
            "primaryProviderId",
        )
        return None
    return provider_id


async def _usable_role(
    role_id: UUID | None, practice_id: UUID, errors: ErrorCollector
) -> UUID | None:
    if role_id is None:
        errors.add(ErrorCode.REQUIRED, "Choose a role.", "roleId")
        return None
    usable = Q(practice_id=practice_id) | Q(is_system=True)
    if not await Role.filter(usable, id=role_id).exists():
        errors.add(ErrorCode.NOT_FOUND, "This role does not exist in your practice.", "roleId")
        return None
    return role_id


async def _practice_offices(
    office_ids: list[UUID], restrict: bool, practice_id: UUID, errors: ErrorCollector
) -> list[Office]:
    if not restrict:
        return []
    if not office_ids:
        errors.add(
            ErrorCode.OFFICE_REQUIRED,
            "Choose at least one office when Restrict Offices is on.",
            "officeIds",
        )
        return []
    offices = await Office.filter(id__in=set(office_ids), practice_id=practice_id)
    if len(offices) != len(set(office_ids)):
        errors.add(
            ErrorCode.NOT_FOUND,
            "One of these offices does not exist in your practice.",
            "officeIds",
        )
        return []
    return list(offices)


def search_text(staff: StaffMember) -> str:
    # One field per line, so a search never matches across two fields.
    return "\n".join((staff.full_name, staff.username, staff.email)).lower()
