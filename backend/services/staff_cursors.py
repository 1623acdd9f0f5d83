"""Keyset cursors of the staff list, one shape per order: name order (a JSON array) and
change order, for `updatedSince` (a JSON object). A cursor of one order is refused in the
other with a message that says so: following it would skip or repeat rows."""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import orjson

from backend.models import StaffMember
from backend.services.errors import DomainError, ErrorCode

INVALID_MESSAGE = "The `after` cursor is not valid."
NAME_CURSOR_IN_CHANGE_ORDER = (
    "The `after` cursor is from the list in name order; with `updatedSince` the list is in "
    "`updatedAt` order. Ask for the first page again, without `after`."
)
CHANGE_CURSOR_IN_NAME_ORDER = (
    "The `after` cursor is from the list in `updatedAt` order (with `updatedSince`); "
    "without it the list is in name order. Ask for the first page again, without `after`."
)


_CHANGE_KEYS = {"updatedAt", "id"}


@dataclass(frozen=True)
class NamePosition:
    last_name: str
    first_name: str
    staff_id: UUID


@dataclass(frozen=True)
class ChangePosition:
    updated_at: datetime
    staff_id: UUID


def name_cursor(staff: StaffMember) -> str:
    return _pack([staff.last_name, staff.first_name, str(staff.id)])


def change_cursor(staff: StaffMember) -> str:
    # The exact stored instant: the next page starts strictly after (updatedAt, id).
    return _pack({"updatedAt": staff.updated_at.isoformat(), "id": str(staff.id)})


def name_position(cursor: str) -> NamePosition:
    value = _unpack(cursor)
    if isinstance(value, dict):
        raise _refused(
            CHANGE_CURSOR_IN_NAME_ORDER if set(value) == _CHANGE_KEYS else INVALID_MESSAGE
        )
    try:
        last_name, first_name, staff_id = value
        return NamePosition(str(last_name), str(first_name), UUID(str(staff_id)))
    except (ValueError, TypeError):
        raise _refused(INVALID_MESSAGE) from None


def change_position(cursor: str) -> ChangePosition:
    value = _unpack(cursor)
    if not isinstance(value, dict):
        raise _refused(NAME_CURSOR_IN_CHANGE_ORDER if len(value) == 3 else INVALID_MESSAGE)
    try:
        updated_at = datetime.fromisoformat(str(value["updatedAt"]))
        staff_id = UUID(str(value["id"]))
        if updated_at.tzinfo is None:
            raise ValueError("no time zone")
        # Near the ends of the calendar an offset can carry the instant out of range.
        return ChangePosition(updated_at.astimezone(UTC), staff_id)
    except (ValueError, TypeError, KeyError, OverflowError):
        raise _refused(INVALID_MESSAGE) from None


def _pack(value: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


def _unpack(cursor: str) -> list[object] | dict[str, object]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value: object = orjson.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise _refused(INVALID_MESSAGE) from None
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return value
    raise _refused(INVALID_MESSAGE)


def _refused(message: str) -> DomainError:
    return DomainError.single(ErrorCode.INVALID, message, ["after"])
