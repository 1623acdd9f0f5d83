"""What an administrator types into the Staff Information drawer, as plain data."""

from dataclasses import dataclass, fields
from enum import Enum
from typing import Any, TypeVar, Union
from uuid import UUID


class _Unset(Enum):
    UNSET = "UNSET"


UNSET = _Unset.UNSET
"""Marks a field the caller did not send (an update leaves it as it is)."""

T = TypeVar("T")
Maybe = Union[T, _Unset]  # noqa: UP007 (a generic alias needs Union here)


@dataclass(frozen=True, kw_only=True)
class StaffFields:
    """Fields of a staff member. In a create every field counts (UNSET means empty);
    in an update only the fields that are set change."""

    first_name: Maybe[str | None] = UNSET
    last_name: Maybe[str | None] = UNSET
    primary_provider_id: Maybe[UUID | None] = UNSET
    role_id: Maybe[UUID | None] = UNSET
    care_team_role: Maybe[str | None] = UNSET
    care_team_id_type: Maybe[str | None] = UNSET
    care_team_id_number: Maybe[str | None] = UNSET
    username: Maybe[str | None] = UNSET
    email: Maybe[str | None] = UNSET
    cell_phone: Maybe[str | None] = UNSET
    home_phone: Maybe[str | None] = UNSET
    email_update_enabled: Maybe[bool | None] = UNSET
    restrict_offices: Maybe[bool | None] = UNSET
    office_ids: Maybe[list[UUID] | None] = UNSET
    daily_billing_report: Maybe[bool | None] = UNSET

    def provided(self) -> dict[str, Any]:
        """The fields the caller sent (an update)."""
        values = {f.name: getattr(self, f.name) for f in fields(StaffFields)}
        return {name: value for name, value in values.items() if value is not UNSET}

    def everything(self) -> dict[str, Any]:
        """Every field, an unsent one as None (a create)."""
        values = {f.name: getattr(self, f.name) for f in fields(StaffFields)}
        return {name: None if value is UNSET else value for name, value in values.items()}


@dataclass(frozen=True, kw_only=True)
class NewStaff(StaffFields):
    """A create also carries the initial secrets."""

    password: str | None = None
    password_confirmation: str | None = None
    app_unlock_pin: str | None = None
