"""Keyset cursors of the staff list, one shape per order: the default name order (a JSON
array), change order for `updatedSince` (a JSON object of updatedAt and id), and the other
column orders (`orderBy`: a JSON object naming its order and the row's sort key). A cursor
of one order is refused in another with a message that says so: following it would skip
or repeat rows."""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import orjson

from backend.models import StaffMember
from backend.services import staff_order
from backend.services.errors import DomainError, ErrorCode
from backend.services.staff_order import StaffOrder

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
_ORDERED_KEYS = {"order", "key"}


def _order_label(value: object) -> str:
    """How a refused cursor's own order is named in the message."""
    if isinstance(value, list):
        return "name order (the default)"
    if isinstance(value, dict) and set(value) == _CHANGE_KEYS:
        return "`updatedAt` order (with `updatedSince`)"
    if isinstance(value, dict) and set(value) == _ORDERED_KEYS:
        return f"`orderBy` {str(value['order'])[:40]} order"
    return ""


def _other_order(value: object, expected: str) -> DomainError:
    label = _order_label(value)
    if not label:
        return _refused(INVALID_MESSAGE)
    return _refused(
        f"The `after` cursor is from the list in {label}; this list is in {expected}. "
        "Ask for the first page again, without `after`."
    )


@dataclass(frozen=True)
class OrderedPosition:
    """Where a page in a column order starts: strictly after (values, staff_id)."""

    values: list[object]
    staff_id: UUID


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


def ordered_cursor(order: StaffOrder, staff: StaffMember) -> str:
    values = [staff_order.encode_value(staff_order.value_of(staff, c)) for c in order.columns]
    return _pack({"order": order.key, "key": [*values, str(staff.id)]})


def ordered_position(cursor: str, order: StaffOrder) -> OrderedPosition:
    value = _unpack(cursor)
    if not isinstance(value, dict) or set(value) != _ORDERED_KEYS or value["order"] != order.key:
        raise _other_order(value, f"`orderBy` {order.key} order")
    key = value["key"]
    try:
        if not isinstance(key, list) or len(key) != len(order.columns) + 1:
            raise ValueError("wrong length")
        values = [
            _utc_if_datetime(staff_order.decode_value(column, item))
            for column, item in zip(order.columns, key[:-1], strict=True)
        ]
        return OrderedPosition(values, UUID(str(key[-1])))
    except (ValueError, TypeError, OverflowError):
        raise _refused(INVALID_MESSAGE) from None


def _utc_if_datetime(value: object) -> object:
    # As stored: SQLite compares datetimes as text.
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def name_position(cursor: str) -> NamePosition:
    value = _unpack(cursor)
    if isinstance(value, dict) and set(value) == _ORDERED_KEYS:
        raise _other_order(value, "name order (the default)")
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
    if isinstance(value, dict) and set(value) == _ORDERED_KEYS:
        raise _other_order(value, "`updatedAt` order (with `updatedSince`)")
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
        decoded = base64.urlsafe_b64decode(padded)
        value: object = orjson.loads(decoded)
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise _refused(INVALID_MESSAGE) from None
    # A NUL (raw, or written \u0000) is in no name or email, and PostgreSQL refuses it in
    # text: a forged cursor carrying one is the client's mistake, not a server error.
    if b"\x00" in decoded or b"\\u0000" in decoded:
        raise _refused(INVALID_MESSAGE)
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return value
    raise _refused(INVALID_MESSAGE)


def _refused(message: str) -> DomainError:
    return DomainError.single(ErrorCode.INVALID, message, ["after"])
