"""The store of Automatic Persisted Queries: documents clients sent once with their
SHA-256, so that later requests may send the hash alone. In the database, so that every
app process shares it; bounded by PERSISTED_QUERIES_MAX, the least recently used pruned
first. Anyone may add to it: what it holds is not trusted (see backend/api/documents.py)."""

from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from backend.config import Settings
from backend.models import PersistedQuery

# A hit refreshes last_used_at only when it is older than this: recency to the hour is
# enough for pruning, and most requests then cost one read, not a write.
TOUCH_AFTER = timedelta(hours=1)
# Longer texts are run but not kept (the SPA's longest document is under 2,000).
MAX_STORED_CHARACTERS = 16_384


async def find(sha256: str, *, now: datetime | None = None) -> str | None:
    now = now or datetime.now(UTC)
    row = await PersistedQuery.get_or_none(sha256=sha256)
    if row is None:
        return None
    if row.last_used_at < now - TOUCH_AFTER:
        await PersistedQuery.filter(sha256=sha256).update(last_used_at=now)
    return row.body


async def store(sha256: str, body: str, *, settings: Settings, now: datetime | None = None) -> None:
    """Keeps `body` under `sha256` (the caller checked that it is its hash), then prunes
    the least recently used beyond the bound."""
    now = now or datetime.now(UTC)
    try:
        await PersistedQuery.create(sha256=sha256, body=body, last_used_at=now)
    except IntegrityError:
        # Stored already (by this client's earlier try, or another process): the same text.
        return
    await prune(settings.persisted_queries_max)


async def prune(keep: int) -> int:
    """Deletes all but the `keep` most recently used; how many went."""
    if await PersistedQuery.all().count() <= keep:
        return 0
    stale = (
        await PersistedQuery.all()
        .order_by("-last_used_at", "-created_at", "-sha256")
        .offset(keep)
        .values_list("sha256", flat=True)
    )
    if not stale:
        return 0
    return await PersistedQuery.filter(sha256__in=list(stale)).delete()
