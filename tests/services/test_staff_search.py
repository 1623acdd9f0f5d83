"""The search's walk in name order (backend/services/staff_search) gives exactly the pages
the plain search gives: every term (matching most rows, some, few, none; several words),
every page, every tab and sort order, on SQLite and PostgreSQL.

The walk's bound is made small here (WALK_ROWS) so that a few hundred rows exercise all
its cases: pages it fills, pages it cannot (the plain search then answers), and pages
where matches are dense in one stretch of the name order and absent from another."""

import contextlib
import itertools
import random
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from tortoise.transactions import in_transaction

from backend.models import Practice, Provider, Role, StaffMember, StaffStatus
from backend.services import staff_directory, staff_search
from backend.services.caller import ApiClientCaller, Scope
from backend.services.staff_directory import StaffQuery, search_words
from backend.services.staff_order import SortDirection, SortField, StaffOrder
from backend.services.staff_rules import search_text
from tests.api.staff_factory import staff_row

WALK_ROWS = 40
PAGE = 7
DOMAIN = "riverside-clinic.example"
LAST = ["Anderson", "Jackson", "Baker", "Nguyen", "Okafor", "Smith", "Zhou", "Quinn"]
FIRST = ["Jackson", "Anna", "Ben", "Chloe", "Dev", "Emma", "Finn", "Grace"]
# Most rows share the clinic's domain; "zz" lives only in one stretch of the name order
# (last names Zz...), so the walk fills pages there and finds nothing elsewhere.
TERMS = [
    "clinic.example",  # nearly every row
    "an",  # many
    "okafor",  # an eighth
    "personal",  # a few percent (personal addresses)
    "zz",  # clustered at the end of the name order
    "anderson jackson",  # two words, in either order
    "jackson",
    "q",
    "nobody-has-this",
]


@pytest.fixture
def small_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staff_search, "WALK_ROWS", WALK_ROWS)


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[list[UUID] | None]:
    """What each walk found: the page's ids, or None when it left the page to the plain
    search."""
    seen: list[list[UUID] | None] = []
    walk = staff_search.first_matches

    async def spy(*args: Any, **kwargs: Any) -> list[UUID] | None:
        ids = await walk(*args, **kwargs)
        seen.append(ids)
        return ids

    monkeypatch.setattr(staff_search, "first_matches", spy)
    return seen


@contextlib.contextmanager
def _plain(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The search as it was before the walk: the reference."""
    with monkeypatch.context() as patch:
        patch.setattr(staff_directory, "_walk_pays", lambda query: False)
        yield


async def _practice(size: int = 300) -> ApiClientCaller:
    practice = await Practice.create(name="Riverside Clinic")
    provider = await Provider.create(practice=practice, first_name="Hannah", last_name="Reed")
    role = await Role.get(name="Nurse (System)")
    rng = random.Random(15)
    statuses = [StaffStatus.ACTIVE] * 6 + [StaffStatus.PENDING, StaffStatus.INACTIVE]
    people = []
    for i in range(size):
        # Same names again and again: the first name and then the id break the ties.
        last = rng.choice(LAST) if i % 10 else f"Zz{rng.choice(LAST).lower()}"
        first = rng.choice(FIRST)
        username = f"{first}.{last}{i}".lower()
        domain = "personal.example" if rng.random() < 0.04 else DOMAIN
        people.append(
            staff_row(
                practice_id=practice.id,
                role=role,
                provider=provider,
                first=first,
                last=last,
                username=username,
                email=f"{username}@{domain}",
                status=rng.choice(statuses),
            )
        )
    await StaffMember.bulk_create(people, batch_size=500)
    return ApiClientCaller(
        api_client_id=uuid4(),
        practice_id=practice.id,
        name="test",
        scopes=frozenset({Scope.STAFF_READ}),
    )


def _filled(walks: list[list[UUID] | None]) -> int:
    return sum(ids is not None for ids in walks)


async def _pages(
    caller: ApiClientCaller, query: StaffQuery, walks: list[list[UUID] | None] | None = None
) -> list[list[tuple[str, str]]]:
    """Every page of the list, as (username, cursor) pairs, following the cursors. With
    `walks` (the fixture's): a page whose walk was filled is the walk's answer (not a
    fallback that would hide a walk gone wrong)."""
    pages = []
    after = None
    while True:
        walked = len(walks or [])
        page = await staff_directory.list_staff(
            caller=caller, query=query, first=PAGE, after=after
        )
        if walks is not None and len(walks) > walked and walks[-1] is not None:
            # The walk's rows in name order (it may have found one more, for hasNextPage).
            assert {s.id for s in page.items} <= set(walks[-1])
            assert len(page.items) == min(PAGE, len(walks[-1]))
        pages.append([(s.username, c) for s, c in zip(page.items, page.cursors, strict=True)])
        if not page.has_next_page:
            return pages
        after = page.cursors[-1]


async def _both(
    caller: ApiClientCaller,
    query: StaffQuery,
    monkeypatch: pytest.MonkeyPatch,
    walks: list[list[UUID] | None] | None = None,
) -> tuple[list[list[tuple[str, str]]], list[list[tuple[str, str]]]]:
    walked = await _pages(caller, query, walks)
    with _plain(monkeypatch):
        plain = await _pages(caller, query)
    return walked, plain


async def test_every_page_of_every_term_is_the_plain_searchs(
    db: str, small_walk: None, walks: list[list[UUID] | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    caller = await _practice()
    everyone = await StaffMember.filter(practice_id=caller.practice_id)
    for term in TERMS:
        for status in (None, StaffStatus.ACTIVE, StaffStatus.INACTIVE):
            query = StaffQuery(search=term, status=status)
            walked, plain = await _both(caller, query, monkeypatch, walks)
            assert walked == plain, (term, status)
            # And the plain search finds what it should, whatever the walk does.
            expected = {
                s.username
                for s in everyone
                if all(w in s.search_text for w in search_words(term))
                and status in (None, s.status)
            }
            assert {u for page in plain for u, _ in page} == expected, (term, status)
    # Both of the walk's outcomes happened, many times: the comparison covered both.
    assert _filled(walks) > 50, walks
    assert len(walks) - _filled(walks) > 20, walks


async def test_a_cursor_from_either_path_continues_on_the_other(
    db: str, small_walk: None, walks: list[list[UUID] | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    caller = await _practice()
    query = StaffQuery(search="zz")
    walked = await _pages(caller, query, walks)
    # Start from each walked page's cursor without the walk: the same next page.
    for before, after in itertools.pairwise(walked):
        with _plain(monkeypatch):
            page = await staff_directory.list_staff(
                caller=caller, query=query, first=PAGE, after=before[-1][1]
            )
        assert [s.username for s in page.items] == [u for u, _ in after]
    assert 0 < _filled(walks) < len(walks), walks


async def test_a_practice_within_the_walk_needs_no_other_search(
    db: str, small_walk: None, walks: list[list[UUID] | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fewer rows than the walk reads: a short answer is the whole answer, rare term or none.
    caller = await _practice(WALK_ROWS - 1)
    for term in ("clinic.example", "okafor", "zz", "nobody-has-this"):
        walked, plain = await _both(caller, StaffQuery(search=term), monkeypatch, walks)
        assert walked == plain, term
    assert walks and None not in walks, walks


@pytest.mark.parametrize("direction", list(SortDirection))
@pytest.mark.parametrize("field", list(SortField))
async def test_every_sort_order_gives_the_plain_pages(
    db: str,
    small_walk: None,
    field: SortField,
    direction: SortDirection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caller = await _practice(120)
    for term in ("clinic.example", "okafor", "zz"):
        query = StaffQuery(search=term, order=StaffOrder(field, direction))
        walked, plain = await _both(caller, query, monkeypatch)
        assert walked == plain, term


async def test_other_filters_take_the_plain_search(
    db: str, small_walk: None, walks: list[list[UUID] | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    caller = await _practice(120)
    role = await Role.get(name="Nurse (System)")
    query = StaffQuery(search="clinic.example", role_id=role.id, login_locked=False)
    walked, plain = await _both(caller, query, monkeypatch)
    assert walked == plain
    assert walks == []


async def test_several_words_match_in_any_order(db: str, small_walk: None) -> None:
    caller = await _practice(120)
    jackson_anderson = await StaffMember.filter(
        practice_id=caller.practice_id, first_name="Jackson", last_name="Anderson"
    )
    assert jackson_anderson
    for term in ("anderson jackson", "jackson anderson", "  Anderson   JACKSON "):
        found = {u for page in await _pages(caller, StaffQuery(search=term)) for u, _ in page}
        # Every Jackson Anderson, and Anna Anderson or Ben Jackson only when the other word
        # is also in their username or email.
        assert {s.username for s in jackson_anderson} <= found
        assert all("anderson" in u and "jackson" in u for u in found), found


async def test_a_row_changed_between_the_walk_and_the_page_is_searched_afresh(
    db: str, small_walk: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    caller = await _practice(120)
    query = StaffQuery(search="clinic.example")
    expected = (await staff_directory.list_staff(caller=caller, query=query, first=PAGE)).items
    walk = staff_search.first_matches

    async def then_rename(*args: Any, **kwargs: Any) -> list[UUID] | None:
        ids = await walk(*args, **kwargs)
        assert ids is not None
        gone = await StaffMember.get(id=ids[0])
        gone.email = f"{gone.username}@elsewhere.example"
        gone.search_text = search_text(gone)
        await gone.save()
        return ids

    monkeypatch.setattr(staff_search, "first_matches", then_rename)
    page = await staff_directory.list_staff(caller=caller, query=query, first=PAGE)
    # The renamed person is gone and the page is still full: the next match moved up.
    assert [s.username for s in page.items[:-1]] == [s.username for s in expected[1:]]
    assert len(page.items) == PAGE and page.has_next_page


async def test_the_walk_reads_the_covering_index_alone(db: str, database_backend: str) -> None:
    if database_backend != "postgres":
        pytest.skip("a PostgreSQL planner check")
    for window, index in (
        (StaffMember.filter(practice_id=uuid4()), "staff_member_name_search"),
        (
            StaffMember.filter(practice_id=uuid4(), status=StaffStatus.ACTIVE),
            "staff_member_status_name_search",
        ),
    ):
        async with in_transaction() as transaction:
            # The table is empty: forbid the sequential scan so that the plan shows which
            # index the walk can use at all (on real data the planner picks it by cost).
            await transaction.execute_script("SET LOCAL enable_seqscan = off")
            sql, params = staff_search.walk_statement(
                window, ["clinic"], PAGE + 1, transaction.query_class
            )
            rows = await transaction.execute_query_dict(f"EXPLAIN {sql}", params)
        plan = "\n".join(row["QUERY PLAN"] for row in rows)
        assert f"Index Only Scan using {index} " in plan, plan
        assert "Sort" not in plan and "Bitmap" not in plan, plan
