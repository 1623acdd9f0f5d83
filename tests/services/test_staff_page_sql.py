"""The staff list's fixed statements (backend/services/staff_page_sql.py) against the ORM
path they replace, which stays the reference: the same data, every filter without a
search term, every order, several page sizes and every page after the cursors, on SQLite
and PostgreSQL. Both must give the same people in the same order with the same fields,
roles, providers and offices (in the same order), the same cursors and has-next, and the
same tab counts."""

import functools
import itertools
import random
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from tortoise.transactions import in_transaction

from backend.models import (
    ActivationToken,
    LoginThrottle,
    Office,
    Practice,
    Provider,
    Role,
    StaffMember,
    StaffStatus,
)
from backend.services import staff_directory, staff_page_sql
from backend.services.caller import Access
from backend.services.errors import DomainError
from backend.services.staff_directory import StaffPage, StaffQuery
from backend.services.staff_order import SortDirection, SortField, StaffOrder
from backend.services.staff_rules import search_text
from backend.services.viewer import Viewer
from tests.api.test_postgres_plans import SORT_INDEXES, _index_names

pytestmark = pytest.mark.usefixtures("db")

ORDERS = [StaffOrder()] + [
    StaffOrder(field, direction)
    for field in SortField
    for direction in SortDirection
    if StaffOrder(field, direction) != StaffOrder()
]


class Seeded:
    def __init__(self) -> None:
        self.practice_id: UUID = uuid4()
        self.other_practice_id: UUID = uuid4()
        self.role_ids: list[UUID] = []


async def _seed() -> Seeded:
    """Two practices; in the caller's, people in every status with names, usernames,
    emails, providers, creation and sign-in times that tie (so the id decides), nulls in
    last sign-in, 0 to 4 offices (two offices of the same name), expired, working, used
    and revoked activation links, and locked sign-ins (linked to the person or not)."""
    rng = random.Random(15)
    seeded = Seeded()
    now = datetime.now(UTC).replace(microsecond=0)
    for practice_id, name in (
        (seeded.practice_id, "Main"),
        (seeded.other_practice_id, "Other"),
    ):
        await Practice.create(id=practice_id, name=name)
    system_roles = await Role.filter(practice_id=None).order_by("name")
    own_role = await Role.create(
        practice_id=seeded.practice_id,
        name="Scheduler",
        name_key="scheduler",
        permissions=["SCHEDULING"],
    )
    roles = [system_roles[0], system_roles[1], own_role]
    seeded.role_ids = [r.id for r in roles]
    for practice_id, prefix, count in (
        (seeded.practice_id, "", 46),
        (seeded.other_practice_id, "o", 12),
    ):
        providers = [
            await Provider.create(practice_id=practice_id, first_name=first, last_name=last)
            for first, last in (("Ann", "Berg"), ("Ann", "Berg"), ("Zoe", "Adams"), ("Bo", "Berg"))
        ]
        offices = [
            await Office.create(practice_id=practice_id, name=office_name)
            for office_name in ("North", "North", "east", "South", "Ülm")
        ]
        names = [
            ("Smith", "Ann"),
            ("Smith", "Ann"),
            ("smith", "ann"),
            ("Jones", "Bo"),
            ("Álvarez", "Cy"),
            ("Jones", "Al"),
            ("O'Neil", "Dee"),
            ("Smith", "Bea"),
        ]
        for i in range(count):
            last, first = names[i % len(names)] if i < 30 else (f"Last{i % 7}", f"F{i % 3}")
            status = (StaffStatus.ACTIVE, StaffStatus.PENDING, StaffStatus.INACTIVE)[i % 3]
            # Usernames that tie once lower-cased cannot exist (unique key); cases differ.
            username = f"{prefix}{'User' if i % 2 else 'user'}{i:02d}"
            staff = StaffMember(
                practice_id=practice_id,
                role_id=roles[i % len(roles)].id
                if practice_id == seeded.practice_id
                else roles[0].id,
                primary_provider_id=providers[i % len(providers)].id,
                first_name=first,
                last_name=last,
                username=username,
                username_key=username.lower(),
                email=f"{prefix}{'b' if i % 4 else 'a'}{i:02d}@example.com",
                password_hash="x" if status == StaffStatus.ACTIVE or i % 2 else None,
                pin_hash="x" if status == StaffStatus.ACTIVE or i % 2 else None,
                status=status,
                two_factor_enabled=i % 5 == 0,
                created_at=now - timedelta(days=i % 4),  # ties
                last_sign_in_at=None if i % 3 == 1 or i % 7 == 0 else now - timedelta(hours=i % 5),
                care_team_role="CHRONIC_CARE_NURSE" if i % 6 == 0 else None,
                cell_phone="2122222222" if i % 4 == 0 else None,
                restrict_offices=i % 2 == 0,
            )
            staff.search_text = search_text(staff)
            await staff.save()
            chosen = rng.sample(offices, i % 5)
            if chosen:
                await staff.offices.add(*chosen)
            if status == StaffStatus.PENDING:
                kind = i % 4
                if kind:  # 0: no link at all
                    await ActivationToken.create(
                        staff_id=staff.id,
                        token_hash=uuid4().hex,
                        expires_at=now + timedelta(days=1 if kind == 1 else -1),
                        used_at=now if kind == 3 and i % 8 == 3 else None,
                        revoked_at=now if kind == 3 and i % 8 == 7 else None,
                    )
            if i % 4 == 3:
                await LoginThrottle.create(
                    key=f"user:{uuid4().hex}",
                    failures=10,
                    window_started_at=now,
                    locked_at=now if i % 8 == 3 else None,
                    staff_id=staff.id if i % 16 != 15 else None,
                )
    return seeded


def _viewer(practice_id: UUID) -> Viewer:
    return Viewer(
        staff_id=uuid4(), practice_id=practice_id, permissions=frozenset({"MANAGE_ACCOUNTS"})
    )


def _plain(value: Any) -> Any:
    """Comparable values with their types: a UUID as such (asyncpg's subclass or not), a
    time with its zone object."""
    if isinstance(value, UUID):
        return ("uuid", str(value))
    if isinstance(value, datetime):
        return (value, repr(value.tzinfo))
    return (type(value).__name__, value)


def _row(staff: StaffMember) -> dict[str, Any]:
    def fields(model: Any) -> dict[str, Any]:
        state = (model._partial, model._saved_in_db, model._custom_generated_pk)
        return {
            "state": state,
            **{f: _plain(getattr(model, f)) for f in model._meta.fields_db_projection},
        }

    return {
        **fields(staff),
        "role": fields(staff.role),
        "primary_provider": fields(staff.primary_provider),
        "offices": [fields(office) for office in staff.offices],
    }


def _page(page: StaffPage) -> dict[str, Any]:
    return {
        "items": [_row(staff) for staff in page.items],
        "cursors": page.cursors,
        "has_next_page": page.has_next_page,
    }


def _filters(role_ids: list[UUID]) -> Iterator[StaffQuery]:
    for status, link_expired, login_locked in itertools.product(
        (None, *StaffStatus), (None, True, False), (None, True, False)
    ):
        yield StaffQuery(status=status, link_expired=link_expired, login_locked=login_locked)
    for role_id in role_ids:
        yield StaffQuery(role_id=role_id)
        yield StaffQuery(role_id=role_id, status=StaffStatus.ACTIVE, two_factor_enabled=False)
    yield StaffQuery(role_id=uuid4())  # nobody
    yield StaffQuery(two_factor_enabled=True)
    yield StaffQuery(two_factor_enabled=False, status=StaffStatus.PENDING, link_expired=True)
    yield StaffQuery(search="   ")  # blank: no words, the fixed statement


_SERVES = staff_page_sql.serves


def _orm_path(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    """Send list_staff and count_by_status down their ORM path (on) or let them dispatch."""
    monkeypatch.setattr(staff_page_sql, "serves", (lambda query: False) if on else _SERVES)


async def _both(
    monkeypatch: pytest.MonkeyPatch, call: Callable[[], Awaitable[Any]]
) -> tuple[Any, Any]:
    _orm_path(monkeypatch, on=True)
    reference = await call()
    _orm_path(monkeypatch, on=False)
    fixed = await call()
    return reference, fixed


async def _walk(
    monkeypatch: pytest.MonkeyPatch, viewer: Viewer, query: StaffQuery, size: int
) -> int:
    """Every page of the list on both paths, the next one after the reference's cursor;
    the number of pages."""
    after: str | None = None
    for pages in itertools.count(1):
        reference, fixed = await _both(
            monkeypatch,
            functools.partial(
                staff_directory.list_staff, caller=viewer, query=query, first=size, after=after
            ),
        )
        assert _page(fixed) == _page(reference), (query, size, after)
        if not reference.has_next_page or size == 0:
            return pages
        after = reference.cursors[-1]
    raise AssertionError("unreachable")


async def test_every_filter_order_and_page_as_the_orm(monkeypatch: pytest.MonkeyPatch) -> None:
    seeded = await _seed()
    viewer = _viewer(seeded.practice_id)
    pages = 0
    seen_offices, seen_items = set(), 0
    for query in _filters(seeded.role_ids):
        for order in ORDERS:
            ordered = StaffQuery(**{**query.__dict__, "order": order})
            pages += await _walk(monkeypatch, viewer, ordered, size=7)
        counts = await _both(
            monkeypatch,
            functools.partial(staff_directory.count_by_status, caller=viewer, query=query),
        )
        assert counts[1] == counts[0], query
    # Page sizes: none, one, the default, more than there are.
    for order, size in itertools.product(ORDERS, (0, 1, 25, 100)):
        pages += await _walk(monkeypatch, viewer, StaffQuery(order=order), size=size)
    # The data exercised what it was built for.
    everyone = await staff_directory.list_staff(caller=viewer, query=StaffQuery(), first=100)
    seen_items = len(everyone.items)
    seen_offices = {len(staff.offices) for staff in everyone.items}
    assert seen_items == 46 and seen_offices == {0, 1, 2, 3, 4}
    assert pages > 1000


async def test_scoped_to_the_callers_practice(monkeypatch: pytest.MonkeyPatch) -> None:
    seeded = await _seed()
    for practice_id, expected in ((seeded.other_practice_id, 12), (uuid4(), 0)):
        viewer = _viewer(practice_id)
        reference, fixed = await _both(
            monkeypatch,
            functools.partial(
                staff_directory.list_staff, caller=viewer, query=StaffQuery(), first=100
            ),
        )
        assert _page(fixed) == _page(reference)
        assert len(fixed.items) == expected
        assert {s.practice_id for s in fixed.items} <= {practice_id}


async def test_cursor_refusals_as_the_orm(monkeypatch: pytest.MonkeyPatch) -> None:
    seeded = await _seed()
    viewer = _viewer(seeded.practice_id)
    name_page = await staff_directory.list_staff(caller=viewer, query=StaffQuery(), first=2)
    email = StaffQuery(order=StaffOrder(SortField.EMAIL))
    email_page = await staff_directory.list_staff(caller=viewer, query=email, first=2)
    for query, cursor in (
        (email, name_page.cursors[-1]),
        (StaffQuery(), email_page.cursors[-1]),
        (StaffQuery(), "not-a-cursor"),
        (StaffQuery(order=StaffOrder(SortField.LAST_SIGN_IN)), email_page.cursors[-1]),
    ):
        messages = []
        for on in (True, False):
            _orm_path(monkeypatch, on=on)
            with pytest.raises(DomainError) as refused:
                await staff_directory.list_staff(caller=viewer, query=query, after=cursor)
            messages.append(repr(refused.value.errors))
        assert messages[0] == messages[1]


async def test_the_list_without_a_search_term_is_one_statement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seeded = await _seed()
    viewer = _viewer(seeded.practice_id)
    assert viewer.can(Access.STAFF_READ)
    statements: list[str] = []
    real = staff_page_sql._rows

    async def counted(sql: str, names: Any, values: Any) -> Any:
        statements.append(sql)
        return await real(sql, names, values)

    monkeypatch.setattr(staff_page_sql, "_rows", counted)
    order = StaffOrder(SortField.LAST_SIGN_IN, SortDirection.DESC)
    page = await staff_directory.list_staff(
        caller=viewer, query=StaffQuery(status=StaffStatus.PENDING, order=order), first=5
    )
    await staff_directory.count_by_status(caller=viewer, query=StaffQuery())
    assert len(statements) == 2 and page.items


@pytest.mark.parametrize("direction", list(SortDirection))
@pytest.mark.parametrize("field", list(SortField))
async def test_each_order_reads_its_index_on_postgres(
    monkeypatch: pytest.MonkeyPatch,
    database_backend: str,
    field: SortField,
    direction: SortDirection,
) -> None:
    """As tests/api/test_postgres_plans.py checks the ORM's statements: a tab's page, first
    and after a cursor, reads the order's index (and, but for the provider's names, which
    are another table's, in order without sorting the tab; last sign-in sorts only the two
    parts' few rows)."""
    if database_backend != "postgres":
        pytest.skip("a PostgreSQL planner check")
    seeded = await _seed()
    viewer = _viewer(seeded.practice_id)
    names = await _index_names(SORT_INDEXES[field])
    assert names, field
    plans: list[str] = []
    real = staff_page_sql._rows

    async def explained(sql: str, names: Any, values: Any) -> Any:
        async with in_transaction() as transaction:
            await transaction.execute_script("SET LOCAL enable_seqscan = off")
            _, rows = await transaction.execute_query(
                "EXPLAIN (FORMAT JSON) " + sql, [values[name] for name in names]
            )
        plans.append(str(rows[0][0]))
        return await real(sql, names, values)

    monkeypatch.setattr(staff_page_sql, "_rows", explained)
    order = StaffOrder(field, direction)
    query = StaffQuery(status=StaffStatus.ACTIVE, order=order)
    page = await staff_directory.list_staff(caller=viewer, query=query, first=3)
    await staff_directory.list_staff(caller=viewer, query=query, first=3, after=page.cursors[-1])
    for plan in plans:
        assert any(f'"Index Name": "{name}"' in plan for name in names), plan
        sorts = plan.count('"Node Type": "Sort"')
        if field == SortField.LAST_SIGN_IN:
            assert sorts == 1, plan  # the page's rows from both parts, put in order
        elif field != SortField.PRIMARY_PROVIDER:
            assert sorts == 0, plan
