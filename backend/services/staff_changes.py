"""When a staff member last changed (StaffMember.updatedAt, partners' updatedSince).

The database stamps updated_at itself (migration 0010): triggers on the staff row, on its
offices and on its activation links, with the database's clock. `touch` is for a change
kept where no trigger can tell whose it is: the sign-in lock, stored under a keyed hash of
the username (backend/services/throttle.py)."""

from datetime import UTC, datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.models import StaffMember

# Any new value of updated_at makes the trigger stamp the database's clock instead; this
# one is never kept (and would stand out if the trigger were missing).
_PLACEHOLDER = datetime(1970, 1, 1, tzinfo=UTC)


async def touch(staff_id: UUID, *, using_db: BaseDBAsyncClient | None = None) -> None:
    await StaffMember.filter(id=staff_id).using_db(using_db).update(updated_at=_PLACEHOLDER)
