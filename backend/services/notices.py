"""Queue a security notice to a person, in the caller's transaction (through the outbox,
like the activation email: it exists if and only if the change that causes it commits)."""

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.config import Settings
from backend.mail.notices import Notice, render_notice
from backend.mail.outbox import enqueue_email
from backend.models import Practice, StaffMember

NOTICE_EMAIL = "notice"


async def send(
    staff: StaffMember,
    notice: Notice,
    *,
    settings: Settings,
    kind: str = NOTICE_EMAIL,
    recipient: str | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> None:
    practice = await Practice.get(id=staff.practice_id, using_db=using_db)
    await enqueue_email(
        kind=kind,
        practice_id=staff.practice_id,
        staff_id=staff.id,
        recipient=recipient or staff.email,
        email=render_notice(
            practice_name=practice.name, first_name=staff.first_name, notice=notice
        ),
        settings=settings,
        using_db=using_db,
    )
