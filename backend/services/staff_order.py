"""The orders of the staff list (sorting by column): which columns each sorts by, and the
keyset condition that starts a page strictly after a row. Every order ends with the id,
so it is total and no row is skipped or repeated between pages."""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

from tortoise.expressions import Q


class SortField(str, Enum):
    NAME = "NAME"
    USERNAME = "USERNAME"
    EMAIL = "EMAIL"
    PRIMARY_PROVIDER = "PRIMARY_PROVIDER"
    CREATED = "CREATED"
    LAST_SIGN_IN = "LAST_SIGN_IN"


class SortDirection(str, Enum):
    ASC = "ASC"
    DESC = "DESC"


@dataclass(frozen=True)
class StaffOrder:
    field: SortField = SortField.NAME
    direction: SortDirection = SortDirection.ASC

    @property
    def key(self) -> str:
        """Names the order inside its cursors, e.g. EMAIL_DESC."""
        return f"{self.field.value}_{self.direction.value}"

    @property
    def is_default(self) -> bool:
        return self == DEFAULT_ORDER

    @property
    def columns(self) -> tuple[str, ...]:
        """The sort columns before the id (Tortoise paths: the provider's are joined)."""
        return COLUMNS[self.field]

    @property
    def nullable(self) -> bool:
        """Only last sign-in may be null: those rows come last in both directions."""
        return self.field == SortField.LAST_SIGN_IN


DEFAULT_ORDER = StaffOrder()

COLUMNS: dict[SortField, tuple[str, ...]] = {
    SortField.NAME: ("last_name", "first_name"),
    # The lower-cased copy: case-insensitive, as people read the column.
    SortField.USERNAME: ("username_key",),
    SortField.EMAIL: ("email",),
    # The provider's name, then its id, so two providers of the same name stay apart.
    SortField.PRIMARY_PROVIDER: (
        "primary_provider__last_name",
        "primary_provider__first_name",
        "primary_provider_id",
    ),
    SortField.CREATED: ("created_at",),
    SortField.LAST_SIGN_IN: ("last_sign_in_at",),
}

DATETIME_COLUMNS = {"created_at", "last_sign_in_at"}
UUID_COLUMNS = {"primary_provider_id"}


def order_by(order: StaffOrder) -> list[str]:
    sign = "-" if order.direction == SortDirection.DESC else ""
    return [f"{sign}{column}" for column in (*order.columns, "id")]


def after(order: StaffOrder, values: list[Any], staff_id: UUID) -> tuple[Q, Q]:
    """(a range on the leading column, for the planner; the exact keyset condition) for
    the rows strictly after the one at (values, staff_id), null values excluded."""
    op = "lt" if order.direction == SortDirection.DESC else "gt"
    keys = [*zip(order.columns, values, strict=True), ("id", staff_id)]
    exact = Q()
    for i, (column, value) in enumerate(keys):
        equal = {c: v for c, v in keys[:i]}
        term = Q(**equal, **{f"{column}__{op}": value})
        exact = term if i == 0 else exact | term
    leading_column, leading_value = keys[0]
    leading = Q(**{f"{leading_column}__{op}e": leading_value})
    return leading, exact


def value_of(staff: Any, column: str) -> Any:
    """A sort column's value of a loaded row (the provider's are on the related row)."""
    if column.startswith("primary_provider__"):
        return getattr(staff.primary_provider, column.removeprefix("primary_provider__"))
    return getattr(staff, column)


def encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def decode_value(column: str, value: Any) -> Any:
    """Raises ValueError/TypeError for a value the column cannot hold."""
    if value is None:
        if column != "last_sign_in_at":
            raise ValueError("not nullable")
        return None
    if column in DATETIME_COLUMNS:
        moment = datetime.fromisoformat(str(value))
        if moment.tzinfo is None:
            raise ValueError("no time zone")
        return moment
    if column in UUID_COLUMNS:
        return UUID(str(value))
    if not isinstance(value, str):
        raise TypeError("not text")
    return value
