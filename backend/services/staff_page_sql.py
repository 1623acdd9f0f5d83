"""The staff list without a search term, and its tab counts, as fixed statements (issue 15:
"fixed SQL, one statement per root field, offices aggregated").

`list_staff` and `count_by_status` (staff_directory) dispatch here when the list has no
search term and no `updatedSince`; anything else stays on their ORM path, which is the
reference: tests/services/test_staff_page_sql.py runs both on the same data, on SQLite
and PostgreSQL, for every filter and order over several pages, and asserts the same
people, fields, offices, cursors and has-next.

One statement per page: the page's ids chosen under the filter and the keyset order, then
their rows joined to role and provider, with the offices aggregated into a JSON array
(json_agg on PostgreSQL, json_group_array on SQLite). The ORM needs three statements and
builds each (the page with select_related, the through rows, the offices). The statement
text depends only on the list's shape (which filters are given, the order, where the
cursor is), so each shape's text is built once; the values are parameters. The model
instances are made from the rows as Tortoise's own row constructor makes them (`_maker`:
`_init_from_db`'s conversions and state, read by position), so the types' `from_model`
and the cursors read them as the ORM's.

What stays defined elsewhere: the orders' columns and directions (staff_order.COLUMNS, the
id tie-break), the cursors' shapes and their decoding and refusals (staff_cursors), the
page size and the caller's practice (staff_directory). What is restated here in SQL, since
a fixed statement cannot be built from Tortoise's Q objects without building the query
each time (the cost this module removes): the filter conditions of `_filtered`, the
activation-link condition (activation_state) and the sign-in-lock condition (login_locks).
A change to one of those must be made here too; the differential test fails otherwise."""

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson
from tortoise import connections
from tortoise.models import Model

from backend.models import ActivationToken, Office, Provider, Role, StaffMember, StaffStatus
from backend.services import staff_cursors
from backend.services.staff_order import DEFAULT_ORDER, SortDirection, StaffOrder

if TYPE_CHECKING:  # staff_directory imports this module
    from backend.services.staff_directory import StaffQuery


def serves(query: "StaffQuery") -> bool:
    """Whether the fixed statements answer this list (and its counts): no search term
    (blank counts as none, as it has no words) and no `updatedSince` (change order)."""
    return not (query.search or "").strip() and query.updated_since is None


class _After(Enum):
    NONE = "none"  # the first page
    VALUES = "values"  # strictly after a row with a value in every sort column
    NULL = "null"  # after a row without last sign-in: among those rows, by id


@dataclass(frozen=True)
class _Shape:
    """What the statement's text depends on; the values are its parameters."""

    order: StaffOrder
    status: bool
    role: bool
    two_factor: bool
    link_expired: bool | None
    login_locked: bool | None
    after: _After = _After.NONE


@dataclass(frozen=True)
class _Layout:
    """The columns read, in the models' own order (the ORM's select_related reads the same),
    and where each model's are in a row."""

    staff: tuple[str, ...]
    role: tuple[str, ...]
    provider: tuple[str, ...]

    @functools.cached_property
    def role_at(self) -> int:
        return len(self.staff)

    @functools.cached_property
    def provider_at(self) -> int:
        return self.role_at + len(self.role)

    @functools.cached_property
    def offices_at(self) -> int:
        return self.provider_at + len(self.provider)

    @functools.cached_property
    def role_id_at(self) -> int:
        return self.role_at + self.role.index("id")

    @functools.cached_property
    def provider_id_at(self) -> int:
        return self.provider_at + self.provider.index("id")


@functools.cache
def _layout() -> _Layout:
    # Once Tortoise is set up: it adds the foreign keys' id columns (role_id, ...) then.
    return _Layout(
        staff=tuple(StaffMember._meta.fields_db_projection.values()),
        role=tuple(Role._meta.fields_db_projection.values()),
        provider=tuple(Provider._meta.fields_db_projection.values()),
    )


def _sql_column(column: str) -> str:
    """A sort column of staff_order (a Tortoise path) as SQL: the provider's are on p."""
    if column.startswith("primary_provider__"):
        return "p." + column.removeprefix("primary_provider__")
    return "m." + column


class _Statement:
    """SQL text with its parameters named in order: `$n` for asyncpg, `?` for SQLite."""

    def __init__(self, dialect: str) -> None:
        self.postgres = dialect == "postgres"
        self.names: list[str] = []

    def param(self, name: str) -> str:
        self.names.append(name)
        return f"${len(self.names)}" if self.postgres else "?"


def _conditions(s: _Statement, shape: _Shape) -> list[str]:
    """The list's filters (staff_directory._filtered without search and updatedSince)."""
    where = [f"m.practice_id = {s.param('practice')}"]
    if shape.status:
        where.append(f"m.status = {s.param('status')}")
    if shape.role:
        where.append(f"m.role_id = {s.param('role')}")
    if shape.two_factor:
        where.append(f"m.two_factor_enabled = {s.param('two_factor')}")
    if shape.link_expired is not None:
        # activation_state.without_working_link / with_working_link: pending, and none /
        # one of their links unused, unrevoked and not yet expired.
        working = (
            "SELECT t.staff_id FROM activation_token t WHERE t.used_at IS NULL "
            f"AND t.revoked_at IS NULL AND t.expires_at > {s.param('now')}"
        )
        negation = "NOT " if shape.link_expired else ""
        where.append(f"m.status = '{StaffStatus.PENDING.value}' AND {negation}m.id IN ({working})")
    if shape.login_locked is not None:
        # login_locks.locked / not_locked: a locked counter linked to the person.
        locked = (
            "SELECT l.staff_id FROM login_throttle l "
            "WHERE l.locked_at IS NOT NULL AND l.staff_id IS NOT NULL"
        )
        negation = "" if shape.login_locked else "NOT "
        where.append(f"{negation}m.id IN ({locked})")
    return where


def _offices(postgres: bool) -> str:
    """The row's offices as a JSON array of [id, practice_id, name], in the offices' order
    (name, id: Office.Meta.ordering, which the ORM's prefetch follows). SQLite 3.40 has no
    ORDER BY inside an aggregate: its rows are sorted after reading (_office_rows)."""
    rows = "FROM staff_member_office so JOIN office o ON o.id = so.office_id"
    if postgres:
        return (
            "(SELECT json_agg(json_build_array(o.id, o.practice_id, o.name) "
            f"ORDER BY o.name, o.id) {rows} WHERE so.staff_member_id = m.id)"
        )
    return (
        "(SELECT json_group_array(json_array(o.id, o.practice_id, o.name)) "
        f"{rows} WHERE so.staff_member_id = m.id)"
    )


@functools.cache
def _page_statement(dialect: str, shape: _Shape) -> tuple[str, tuple[str, ...]]:
    s = _Statement(dialect)
    order = shape.order
    descending = order.direction == SortDirection.DESC
    keys = [_sql_column(c) for c in order.columns]
    direction = " DESC" if descending else ""
    order_by = ", ".join(f"{k}{direction}" for k in (*keys, "m.id"))
    # Only the provider order needs the provider to choose the page: the nullable arms
    # (last sign-in) read staff_member alone.
    source = "FROM staff_member m"
    op = "<" if descending else ">"

    def arm(part: int, extra: Callable[[], list[str]]) -> str:
        # Parameters are numbered in the order they are written: the filters', then the
        # keyset's, then the limit.
        where = " AND ".join([*_conditions(s, shape), *extra()])
        return (
            f"SELECT * FROM (SELECT m.id AS id, {part} AS part {source} WHERE {where} "
            f"ORDER BY {order_by} LIMIT {s.param('limit')}) AS arm{part}"
        )

    def with_values() -> list[str]:
        extra = [f"{keys[0]} IS NOT NULL"] if order.nullable else []
        if shape.after == _After.VALUES:
            at = ", ".join(s.param(f"key{i}") for i in range(len(keys)))
            extra.append(f"({', '.join(keys)}, m.id) {op} ({at}, {s.param('after_id')})")
        return extra

    def without_values() -> list[str]:
        extra = [f"{keys[0]} IS NULL"]
        if shape.after == _After.NULL:
            extra.append(f"m.id {op} {s.param('after_id')}")
        return extra

    layout = _layout()
    columns = ", ".join(
        [f"m.{c}" for c in layout.staff]
        + [f"r.{c}" for c in layout.role]
        + [f"p.{c}" for c in layout.provider]
        + [_offices(s.postgres)]
    )
    rows = (
        "FROM staff_member m JOIN role r ON r.id = m.role_id "
        "JOIN provider p ON p.id = m.primary_provider_id"
    )
    if not order.nullable:
        # One range of the order's index, read in order up to the limit; the offices'
        # subquery runs for the rows returned only.
        where = " AND ".join([*_conditions(s, shape), *with_values()])
        sql = f"SELECT {columns} {rows} WHERE {where} ORDER BY {order_by} LIMIT {s.param('limit')}"
        return sql, tuple(s.names)
    # A nullable column (last sign-in) is read in two keyset parts, as _column_order_page
    # does: the rows with a value, then those without by id, so the nulls come last in
    # both directions and each part is a range on its index. Their ids (at most twice the
    # limit) are then joined and put in order.
    arms = []
    if shape.after != _After.NULL:
        arms.append(arm(0, with_values))
    arms.append(arm(1, without_values))
    sql = (
        f"SELECT {columns} FROM ({' UNION ALL '.join(arms)}) AS page "
        f"JOIN staff_member m ON m.id = page.id {rows.removeprefix('FROM staff_member m ')} "
        f"ORDER BY page.part, {order_by} LIMIT {s.param('limit')}"
    )
    return sql, tuple(s.names)


@functools.cache
def _counts_statement(dialect: str, shape: _Shape) -> tuple[str, tuple[str, ...]]:
    s = _Statement(dialect)
    where = " AND ".join(_conditions(s, shape))
    sql = f"SELECT m.status, COUNT(*) FROM staff_member m WHERE {where} GROUP BY m.status"
    return sql, tuple(s.names)


def _shape(query: "StaffQuery", *, status: bool, after: _After = _After.NONE) -> _Shape:
    return _Shape(
        order=query.order,
        status=status and query.status is not None,
        role=query.role_id is not None,
        two_factor=query.two_factor_enabled is not None,
        link_expired=query.link_expired,
        login_locked=query.login_locked,
        after=after,
    )


_FIELDS = StaffMember._meta.fields_map
_EXPIRES_AT = ActivationToken._meta.fields_map["expires_at"]


def _filter_values(practice_id: UUID, query: "StaffQuery") -> dict[str, Any]:
    """The filters' values as the ORM sends them (each through its field's to_db_value);
    a filter not given has no parameter."""
    values: dict[str, Any] = {
        "practice": _FIELDS["practice_id"].to_db_value(practice_id, StaffMember)
    }
    if query.status is not None:
        values["status"] = _FIELDS["status"].to_db_value(query.status, StaffMember)
    if query.role_id is not None:
        values["role"] = _FIELDS["role_id"].to_db_value(query.role_id, StaffMember)
    if query.two_factor_enabled is not None:
        values["two_factor"] = query.two_factor_enabled
    if query.link_expired is not None:
        values["now"] = _EXPIRES_AT.to_db_value(datetime.now(UTC), ActivationToken)
    return values


async def _rows(sql: str, names: Sequence[str], values: dict[str, Any]) -> list[tuple[Any, ...]]:
    connection = connections.get("default")
    _, rows = await connection.execute_query(sql, [values[name] for name in names])
    # asyncpg Records and sqlite3 Rows alike are read by position.
    return [tuple(row) for row in rows]


def _dialect() -> str:
    dialect: str = connections.get("default").capabilities.dialect
    return dialect


async def page(
    practice_id: UUID, query: "StaffQuery", *, size: int, after: str | None
) -> tuple[list[StaffMember], list[str], bool]:
    """The page's people (role, provider and offices loaded), their cursors, and whether
    a next page exists: what staff_directory._list_page makes of the ORM's rows."""
    order = query.order
    values = _filter_values(practice_id, query)
    values["limit"] = size + 1
    encode: Callable[[StaffMember], str]
    where = _After.NONE
    if order.is_default:
        encode = staff_cursors.name_cursor
        if after:
            at = staff_cursors.name_position(after)
            where = _After.VALUES
            values |= {"key0": at.last_name, "key1": at.first_name, "after_id": at.staff_id}
    else:
        encode = functools.partial(staff_cursors.ordered_cursor, order)
        if after:
            position = staff_cursors.ordered_position(after, order)
            if order.nullable and position.values[0] is None:
                where = _After.NULL
            else:
                where = _After.VALUES
                for i, (column, value) in enumerate(
                    zip(order.columns, position.values, strict=True)
                ):
                    values[f"key{i}"] = _db_value(column, value)
            values["after_id"] = position.staff_id
    if "after_id" in values:
        values["after_id"] = _FIELDS["id"].to_db_value(values["after_id"], StaffMember)
    dialect = _dialect()
    sql, names = _page_statement(dialect, _shape(query, status=True, after=where))
    rows = await _rows(sql, names, values)
    items = _staff(rows[:size], postgres=dialect == "postgres")
    return items, [encode(staff) for staff in items], len(rows) > size


def _db_value(column: str, value: Any) -> Any:
    """A cursor's sort value as the ORM's filter sends it, by the column's field."""
    if column.startswith("primary_provider__"):
        field = Provider._meta.fields_map[column.removeprefix("primary_provider__")]
        return field.to_db_value(value, Provider)
    return _FIELDS[column].to_db_value(value, StaffMember)


async def counts(practice_id: UUID, query: "StaffQuery") -> dict[StaffStatus, int]:
    """Staff per status under the list's filters but its status (the tab counts)."""
    # Counts have no order: one cached statement whatever the list's order is.
    unordered = dataclasses.replace(query, order=DEFAULT_ORDER)
    sql, names = _counts_statement(_dialect(), _shape(unordered, status=False))
    rows = await _rows(sql, names, _filter_values(practice_id, query))
    return {StaffStatus(status): count for status, count in rows}


def _staff(rows: list[tuple[Any, ...]], *, postgres: bool) -> list[StaffMember]:
    """Model instances as the ORM's select_related and prefetch make them. A role,
    provider or office shared by several rows of the page is one instance (the ORM's
    prefetch shares offices so too; they are only read)."""
    layout = _layout()
    dialect = "postgres" if postgres else "sqlite"
    make_staff = _maker(StaffMember, dialect, layout.staff)
    make_role = _maker(Role, dialect, layout.role)
    make_provider = _maker(Provider, dialect, layout.provider)
    role_at, provider_at, offices_at = layout.role_at, layout.provider_at, layout.offices_at
    role_id_at, provider_id_at = layout.role_id_at, layout.provider_id_at
    roles: dict[Any, Role] = {}
    providers: dict[Any, Provider] = {}
    offices: dict[str, Office] = {}
    found = []
    for row in rows:
        staff = make_staff(row[:role_at])
        role = roles.get(row[role_id_at])
        if role is None:
            role = roles[row[role_id_at]] = make_role(row[role_at:provider_at])
        provider = providers.get(row[provider_id_at])
        if provider is None:
            provider = providers[row[provider_id_at]] = make_provider(row[provider_at:offices_at])
        object.__setattr__(staff, "_role", role)
        object.__setattr__(staff, "_primary_provider", provider)
        staff.offices._set_result_for_query(_office_rows(row[offices_at], postgres, offices), None)
        found.append(staff)
    return found


def _office_rows(aggregated: str | None, postgres: bool, known: dict[str, Office]) -> list[Office]:
    items: list[list[str]] = orjson.loads(aggregated) if aggregated else []
    if not postgres:
        # SQLite compares text bytewise (BINARY), as Python compares str: the same order
        # as the ORM's ORDER BY name, id.
        items.sort(key=lambda item: (item[2], item[0]))
    found = []
    for office_id, practice_id, name in items:
        office = known.get(office_id)
        if office is None:
            office = known[office_id] = Office._init_from_db(
                id=UUID(office_id), practice_id=UUID(practice_id), name=name
            )
        found.append(office)
    return found


@functools.cache
def _maker(
    model: type[Model], dialect: str, columns: tuple[str, ...]
) -> Callable[[Sequence[Any]], Any]:
    """Model._init_from_db for a row read by position: the same conversion of each column
    (Tortoise's own lists of the model's native, default and complex fields, which depend
    on the dialect) and the same state, without a keyword argument per column."""
    meta = model._meta
    convert: dict[str, tuple[str, Callable[[Any], Any] | None]] = {}
    for key, model_field, _field in meta.db_native_fields:
        convert[key] = (model_field, None)
    for key, model_field, field in meta.db_default_fields:
        convert[key] = (model_field, functools.partial(_or_none, field.field_type))
    for key, model_field, field in meta.db_complex_fields:
        convert[key] = (model_field, field.to_python_value)
    names = [convert[column][0] for column in columns]
    conversions = [
        (i, function) for i, (_, function) in enumerate(convert[c] for c in columns) if function
    ]
    custom_pk = meta.db_pk_column not in meta.generated_db_fields

    def make(row: Sequence[Any]) -> Any:
        values = list(row)
        for i, function in conversions:
            values[i] = function(values[i])
        instance = model.__new__(model)
        state = instance.__dict__
        state["_partial"] = False
        state["_saved_in_db"] = True
        state["_custom_generated_pk"] = custom_pk
        state["_await_when_save"] = {}
        state.update(zip(names, values, strict=True))
        return instance

    return make


def _or_none(convert: Callable[[Any], Any], value: Any) -> Any:
    return None if value is None else convert(value)
