from collections.abc import Iterator

import pytest

from backend.config import Settings
from backend.mail.dev_mailbox import DevMailbox
from backend.models import Plan, Practice
from tests.mail.factories import mail_settings


@pytest.fixture
def mailbox() -> Iterator[DevMailbox]:
    box = DevMailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture
def settings(mailbox: DevMailbox) -> Settings:
    return mail_settings(mailbox.host, mailbox.port)


@pytest.fixture
async def practice(db: str) -> Practice:
    return await Practice.create(name="Riverside Family Practice", plan=Plan.INVOICED)
