"""One practice of varied staff and every kind of caller, and a request run on both paths
(GRAPHQL_PLANNER on, then off) whose two answers the tests compare byte for byte."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette

from backend.config import Settings
from backend.mail.dev_mailbox import DevMailbox
from backend.models import (
    ActivationToken,
    CareTeamIdType,
    LoginThrottle,
    Office,
    OutboxMessage,
    OutboxStatus,
    Plan,
    Provider,
    Role,
    StaffMember,
    StaffStatus,
)
from backend.planner import executor
from backend.services.login_locks import account_key
from tests.api.api_clients import as_api_client, create_api_client
from tests.api.client import GraphQLClient
from tests.api.conftest import (  # noqa: F401 (fixtures)
    ADMIN_PASSWORD,
    _http,
    admin,
    app,
    mailbox,
    make_practice,
    practice,
    settings,
)
from tests.api.staff_factory import STAFF_PASSWORD, create_staff, staff_row

# Sent with both requests of a pair, so that masked errors quote the same reference.
REQUEST_ID = "planner-differential"


@dataclass
class World:
    settings: Settings
    callers: dict[str, GraphQLClient]
    staff_ids: list[str] = field(default_factory=list)
    role_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Pair:
    planned: bytes
    normal: bytes
    # How the planner-on request ran (executor.counts after it).
    plan_used: bool


async def both_paths(
    world: World, caller: str, query: str, variables: dict[str, Any] | None = None
) -> Pair:
    """The raw response bodies of the same request with the planner on and off."""
    client = world.callers[caller]
    bodies = []
    plan_used = False
    for planner_on in (True, False):
        # Settings are frozen for the app; the test flips the one switch between requests.
        object.__setattr__(world.settings, "graphql_planner", planner_on)
        executor.counts.reset()
        headers = {"x-request-id": REQUEST_ID}
        if client.token:
            headers["authorization"] = f"Bearer {client.token}"
        response = await client.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        bodies.append(f"{response.status_code} ".encode() + response.content)
        if planner_on:
            plan_used = executor.counts.planned == 1
    object.__setattr__(world.settings, "graphql_planner", True)
    return Pair(planned=bodies[0], normal=bodies[1], plan_used=plan_used)


def assert_same(pair: Pair) -> None:
    assert pair.planned == pair.normal, (
        f"planned: {pair.planned[:2000]!r}\nnormal:  {pair.normal[:2000]!r}"
    )


def data_of(pair: Pair) -> Any:
    return orjson.loads(pair.normal.split(b" ", 1)[1])


ROWS = [
    # first, last, username, status, two-factor, role, signed in (days ago), offices
    ("Camille", "Nurse", "camille", StaffStatus.ACTIVE, True, "Nurse (System)", 3, 2),
    ("Brian", "Biller", "bbiller", StaffStatus.ACTIVE, False, "Staff (System)", None, 0),
    ("Fiona", "Frontdesk", "ffront", StaffStatus.PENDING, False, "Staff (System)", None, 1),
    ("Anna", "Nurse", "anurse", StaffStatus.PENDING, False, "Nurse (System)", None, 2),
    ("Iris", "Inactive", "iinactive", StaffStatus.INACTIVE, True, "Nurse (System)", 40, 1),
    ("Zoe", "Adams", "zadams", StaffStatus.ACTIVE, False, "Staff (System)", 1, 0),
    ("Adam", "Adams", "aadams", StaffStatus.ACTIVE, True, "Nurse (System)", 1, 2),
    ("Éloïse", "Zed", "ezed", StaffStatus.INACTIVE, False, "Staff (System)", None, 0),
]


async def _add_rows(owner: StaffMember, app_settings: Settings) -> None:
    """Rows straight into the database, each field varied: these tests are about reading."""
    providers = [await Provider.get(practice_id=owner.practice_id)]
    providers.append(
        await Provider.create(
            practice_id=owner.practice_id, first_name="Abel", last_name="Zimmer", npi="1234567893"
        )
    )
    offices = await Office.filter(practice_id=owner.practice_id).order_by("name")
    now = datetime.now(UTC)
    for index, (
        first,
        last,
        username,
        status,
        two_factor,
        role,
        signed_in,
        office_count,
    ) in enumerate(ROWS):
        staff = staff_row(
            practice_id=owner.practice_id,
            role=await Role.get(name=role, practice_id=None),
            provider=providers[index % 2],
            first=first,
            last=last,
            username=username,
            status=status,
            two_factor_enabled=two_factor,
            restrict_offices=office_count > 0,
            cell_phone="+12122222222" if index % 2 else None,
            home_phone="+13105550123" if index % 3 == 0 else None,
            care_team_role="REGISTERED_NURSE" if index % 3 == 1 else None,
            care_team_id_type=CareTeamIdType.NPI if index % 4 == 1 else None,
            care_team_id_number="1234567893" if index % 4 == 1 else None,
            email_update_enabled=index % 2 == 0,
            daily_billing_report=index % 3 == 2,
            last_sign_in_at=now - timedelta(days=signed_in) if signed_in is not None else None,
            activated_at=now - timedelta(days=50) if status != StaffStatus.PENDING else None,
            deactivated_at=now - timedelta(days=5) if status == StaffStatus.INACTIVE else None,
            password_change_required=index == 5,
        )
        await staff.save()
        if office_count:
            await staff.offices.add(*offices[:office_count])
    # Camille's sign-in is locked after failed attempts.
    camille = await StaffMember.get(username_key="camille")
    await LoginThrottle.create(
        key=account_key("camille", app_settings),
        failures=10,
        window_started_at=now,
        last_failure_at=now,
        locked_at=now,
        staff_id=camille.id,
    )


async def _mail_settled() -> None:
    # Activation emails change state as the sender works; both requests must see one state.
    for _ in range(500):
        if not await OutboxMessage.filter(status=OutboxStatus.QUEUED).exists():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("activation emails still queued")


@pytest.fixture
async def world(
    app: Starlette,  # noqa: F811
    settings: Settings,  # noqa: F811
    practice: dict[str, Any],  # noqa: F811
    admin: GraphQLClient,  # noqa: F811
    mailbox: DevMailbox,  # noqa: F811
) -> AsyncIterator[World]:
    owner: StaffMember = practice["owner"]
    # The API clients send hundreds of requests here; their rate limit is tested elsewhere.
    object.__setattr__(settings, "api_client_rate_burst", 100_000)
    await _add_rows(owner, settings)
    # Through the API: pending people with a real activation link and email.
    await create_staff(
        admin,
        firstName="Paula",
        lastName="Pending",
        username="ppending",
        email="ppending@example.com",
        cellPhone="212-555-0199",
    )
    expired = await create_staff(
        admin,
        firstName="Edgar",
        lastName="Expired",
        username="eexpired",
        email="eexpired@example.com",
    )
    await ActivationToken.filter(staff__username_key="eexpired").update(
        expires_at=datetime.now(UTC) - timedelta(hours=1)
    )
    # A nurse without Manage Accounts, signed in.
    await create_staff(admin, username="cnurse", email="cnurse@example.com")
    await StaffMember.filter(username_key="cnurse").update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    staff_reader = await create_api_client(admin, ["STAFF_READ"], name="HR sync")
    roles_reader = await create_api_client(admin, ["ROLES_READ"], name="Roles only")
    await make_practice(settings, "Other Clinic", "otherowner", Plan.INVOICED)
    async with (
        _http(app) as nurse_http,
        _http(app) as other_http,
        _http(app) as cookie_http,
        _http(app) as anonymous_http,
        as_api_client(app, staff_reader["secret"]) as staff_client,
        as_api_client(app, roles_reader["secret"]) as roles_client,
    ):
        nurse, other, cookie = (
            GraphQLClient(nurse_http),
            GraphQLClient(other_http),
            GraphQLClient(cookie_http),
        )
        await nurse.login("cnurse", STAFF_PASSWORD)
        await other.login("otherowner", ADMIN_PASSWORD)
        await cookie.browser_login(practice["owner_username"], ADMIN_PASSWORD)
        await _mail_settled()
        listed = await admin.data(
            "{ staffMembers(first: 100) { edges { node { id } } } roles { id } }"
        )
        yield World(
            settings=settings,
            callers={
                "manager": admin,
                "manager_cookie": cookie,
                "nurse": nurse,
                "other_practice_admin": other,
                "signed_out": GraphQLClient(anonymous_http),
                "api_client_staff_read": staff_client,
                "api_client_without_scope": roles_client,
            },
            staff_ids=[edge["node"]["id"] for edge in listed["staffMembers"]["edges"]]
            + [expired["id"]],
            role_ids=[role["id"] for role in listed["roles"]],
        )
