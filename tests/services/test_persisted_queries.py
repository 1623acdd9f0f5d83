"""The store of Automatic Persisted Queries: bounded, the least recently used pruned first,
with a use refreshing a query's recency at most once an hour."""

from datetime import UTC, datetime, timedelta

from backend.config import Settings
from backend.models import PersistedQuery
from backend.services import persisted_queries

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_the_least_recently_used_go_first(db: str) -> None:
    settings = Settings(environment="test", persisted_queries_max=2)
    await persisted_queries.store("a" * 64, "{ a }", settings=settings, now=T0)
    minute_later = T0 + timedelta(minutes=1)
    await persisted_queries.store("b" * 64, "{ b }", settings=settings, now=minute_later)
    # Used again two hours later: now more recent than b.
    assert await persisted_queries.find("a" * 64, now=T0 + timedelta(hours=2)) == "{ a }"
    later = T0 + timedelta(hours=2, minutes=1)
    await persisted_queries.store("c" * 64, "{ c }", settings=settings, now=later)
    assert {row.sha256[0] for row in await PersistedQuery.all()} == {"a", "c"}
    assert await persisted_queries.find("b" * 64, now=later) is None


async def test_a_use_within_the_hour_writes_nothing(db: str) -> None:
    settings = Settings(environment="test")
    await persisted_queries.store("a" * 64, "{ a }", settings=settings, now=T0)
    await persisted_queries.find("a" * 64, now=T0 + timedelta(minutes=59))
    [row] = await PersistedQuery.all()
    assert row.last_used_at == T0
    await persisted_queries.find("a" * 64, now=T0 + timedelta(minutes=61))
    [row] = await PersistedQuery.all()
    assert row.last_used_at == T0 + timedelta(minutes=61)


async def test_storing_twice_keeps_one(db: str) -> None:
    settings = Settings(environment="test")
    for _ in range(2):
        await persisted_queries.store("a" * 64, "{ a }", settings=settings, now=T0)
    assert await PersistedQuery.all().count() == 1
