"""An app per test, on a real database, delivering to a real SMTP server (aiosmtpd)."""

import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backend.app import create_app
from backend.config import Settings
from backend.mail.dev_mailbox import DevMailbox
from backend.models import Plan
from backend.services.bootstrap import NewPractice, create_practice
from tests.api.client import GraphQLClient
from tests.pins import OWNER_PIN

ADMIN_PASSWORD = "Harbor-Lantern-4417"


@pytest.fixture
def mailbox() -> Iterator[DevMailbox]:
    server = DevMailbox()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(database_url: str, mailbox: DevMailbox) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        public_base_url="http://testserver",
        smtp_host=mailbox.host,
        smtp_port=mailbox.port,
        mail_poll_seconds=0.05,
        mail_retry_base_seconds=0.2,
        migrate_on_start=False,
        password_hash_profile="fast",
        # Tests send bursts of concurrent sign-ins and activations on purpose; the
        # hashing lane's refusal is tested on its own (tests/api/test_guessing.py).
        hash_queue=64,
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def anonymous(app: Starlette) -> AsyncIterator[GraphQLClient]:
    async with _http(app) as http:
        yield GraphQLClient(http)


@pytest.fixture
async def practice(app: Starlette, settings: Settings) -> dict[str, Any]:
    """Demo-like practice "Riverside Clinic" with its owner, signed in as `admin`."""
    return await make_practice(settings, "Riverside Clinic", "owner", Plan.INVOICED)


@pytest.fixture
async def admin(app: Starlette, practice: dict[str, Any]) -> AsyncIterator[GraphQLClient]:
    async with _http(app) as http:
        client = GraphQLClient(http)
        await client.login(practice["owner_username"], ADMIN_PASSWORD)
        yield client


async def make_practice(settings: Settings, name: str, owner: str, plan: Plan) -> dict[str, Any]:
    record, owner_staff = await create_practice(
        NewPractice(
            name=name,
            plan=plan,
            provider_first_name="Hannah",
            provider_last_name="Provider",
            office_names=["Main Office", "North Office"],
            owner_first_name="Olivia",
            owner_last_name="Owner",
            owner_username=owner,
            owner_email=f"{owner}@example.com",
            owner_password=ADMIN_PASSWORD,
            owner_pin=OWNER_PIN,
        ),
        settings=settings,
    )
    return {"practice": record, "owner": owner_staff, "owner_username": owner}


def _http(app: Starlette) -> httpx.AsyncClient:
    # As the mobile app: no X-Requested-With, so a login makes a bearer session (and sets
    # no cookie). Browser tests send the SPA's header and get a cookie session instead.
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def with_settings(settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(settings, **changes)
