"""GET /export/staff.csv: content, formula escaping, the list's filters and order, one
streamed response read in keyset batches, refusals, and the audit entry."""

import asyncio
import csv
import io
import logging
from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backend.api.ids import to_global_id
from backend.config import Settings
from backend.mail.dev_mailbox import DevMailbox
from backend.models import AuditEvent, Provider, Role, StaffMember, StaffStatus
from backend.services import staff_directory, staff_export
from backend.services.sessions import resolve_session
from backend.services.staff_directory import StaffQuery
from backend.services.staff_rules import search_text
from backend.services.viewer import RequestMeta
from tests.api.api_clients import as_api_client, create_api_client
from tests.api.client import SPA_HEADERS, GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD, _http
from tests.api.test_account_self_service import active_nurse
from tests.api.test_staff_list import NAMES, add_staff
from tests.api.test_staff_sort import SORTED_LIST

URL = "/export/staff.csv"


def _bearer(client: GraphQLClient) -> dict[str, str]:
    assert client.token
    return {"authorization": f"Bearer {client.token}"}


def _rows(response: httpx.Response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.text)))


def _usernames(response: httpx.Response) -> list[str]:
    header, *rows = _rows(response)
    return [row[header.index("Username")] for row in rows]


async def _export(admin: GraphQLClient, **params: str) -> httpx.Response:
    response = await admin.http.get(URL, params=params, headers=_bearer(admin))
    assert response.status_code == 200, response.text
    return response


async def test_the_export_is_a_csv_download_without_secrets(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    await add_staff(practice, NAMES)
    response = await _export(admin, status="ACTIVE")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="staff.csv"'
    assert response.headers["cache-control"] == "no-store"
    header, *rows = _rows(response)
    assert header[:5] == ["First name", "Last name", "Username", "Email", "Status"]
    assert [row[2] for row in rows] == ["zadams", "bbiller", "cnurse", "owner"]
    zoe = dict(zip(header, rows[0], strict=True))
    assert zoe["Email"] == "zadams@example.com"
    assert zoe["Role"] == "Nurse (System)"
    assert zoe["Primary provider"] == "Hannah Provider"
    assert zoe["Offices"] == "Main Office; North Office"
    # No hash or secret column, and no stored hash anywhere in the text.
    stored = await StaffMember.filter(practice_id=practice["owner"].practice_id)
    for staff in stored:
        for secret in (staff.password_hash, staff.pin_hash, staff.totp_secret_encrypted):
            if secret and len(secret) > 3:
                assert secret not in response.text
    assert not any("hash" in name.lower() or "secret" in name.lower() for name in header)


async def test_cells_that_would_be_formulas_are_escaped(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    await add_staff(
        practice, [('=HYPERLINK("http://evil","x")', "+Plus", "evil", StaffStatus.ACTIVE, False)]
    )
    await StaffMember.filter(username="evil").update(cell_phone="-1", home_phone="@SUM(A1)")
    await StaffMember.filter(username="evil").update(last_name="\tTab")
    response = await _export(admin, search="evil")
    header, row = _rows(response)
    cells = dict(zip(header, row, strict=True))
    assert cells["First name"] == '\'=HYPERLINK("http://evil","x")'
    assert cells["Last name"] == "'\tTab"
    assert cells["Cell phone"] == "'-1"
    assert cells["Home phone"] == "'@SUM(A1)"
    assert cells["Username"] == "evil"


def test_full_width_formula_signs_are_escaped_too() -> None:
    from backend.services.staff_export import safe_cell

    for value in ("\uff1dHYPERLINK(1)", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "\nline"):
        assert safe_cell(value) == "'" + value, value
    assert safe_cell("Anna") == "Anna"


async def test_the_export_honours_the_lists_filters_and_order(
    admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    await add_staff(practice, NAMES)
    nurse = await Role.get(name="Nurse (System)")
    # The same filter and order through GraphQL: the export has exactly those rows.
    cases: list[tuple[dict[str, str], dict[str, Any], dict[str, str] | None]] = [
        ({"status": "PENDING"}, {"status": "PENDING"}, None),
        ({"search": "nurse"}, {"search": "nurse"}, None),
        ({"twoFactorEnabled": "true"}, {"twoFactorEnabled": True}, None),
        (
            {"roleId": to_global_id("Role", nurse.id), "status": "ACTIVE"},
            {"roleId": to_global_id("Role", nurse.id), "status": "ACTIVE"},
            None,
        ),
        ({"orderBy": "EMAIL", "direction": "DESC"}, {}, {"field": "EMAIL", "direction": "DESC"}),
        ({"orderBy": "USERNAME"}, {}, {"field": "USERNAME", "direction": "ASC"}),
        (
            {"loginLocked": "false", "status": "PENDING"},
            {"loginLocked": False, "status": "PENDING"},
            None,
        ),
        ({"linkExpired": "true"}, {"linkExpired": True}, None),
    ]
    for params, filter, order_by in cases:
        data = await admin.data(SORTED_LIST, {"filter": filter, "first": 100, "orderBy": order_by})
        listed = [edge["node"]["username"] for edge in data["staffMembers"]["edges"]]
        assert listed, params
        assert _usernames(await _export(admin, **params)) == listed, params


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "active"}, "`status` must be one of PENDING, ACTIVE, INACTIVE."),
        ({"orderBy": "PASSWORD"}, "`orderBy` must be one of"),
        ({"direction": "UP"}, "`direction` must be one of ASC, DESC."),
        ({"twoFactorEnabled": "yes"}, "`twoFactorEnabled` must be true or false."),
        ({"linkExpired": "1"}, "`linkExpired` must be true or false."),
        ({"roleId": "not-an-id"}, "`roleId` is not the ID of a role."),
        ({"staus": "ACTIVE"}, "Unknown parameter `staus`"),
    ],
)
async def test_bad_filters_are_refused_with_a_clear_400(
    admin: GraphQLClient, params: dict[str, str], message: str
) -> None:
    response = await admin.http.get(URL, params=params, headers=_bearer(admin))
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]
    assert await AuditEvent.filter(action="staff.export").count() == 0


async def _asgi_get(
    app: Starlette, path: str, query: bytes, headers: dict[str, str]
) -> list[dict[str, Any]]:
    """The ASGI messages of a GET, one by one (httpx's test transport would join the body:
    this shows how the server sends it)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"testserver")]
        + [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    sent: list[dict[str, Any]] = []

    requested, done = False, asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()  # the client stays until the whole response is in
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append({"status": 0, "body": b"", "more_body": False, **message})
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(scope, receive, send)
    return sent


async def test_a_large_practice_is_streamed_in_keyset_batches(
    app: Starlette,
    admin: GraphQLClient,
    practice: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner: StaffMember = practice["owner"]
    provider = await Provider.get(practice_id=owner.practice_id)
    nurse = await Role.get(name="Nurse (System)")
    people = []
    for i in range(1050):
        staff = StaffMember(
            practice_id=owner.practice_id,
            role=nurse,
            primary_provider=provider,
            first_name=f"First{i:04}",
            last_name=f"Last{i % 7}",
            username=f"user{i:04}",
            username_key=f"user{i:04}",
            email=f"user{i:04}@example.com",
            status=StaffStatus.PENDING,
        )
        staff.search_text = search_text(staff)
        people.append(staff)
    await StaffMember.bulk_create(people, batch_size=500)
    monkeypatch.setattr(staff_directory, "EXPORT_BATCH_SIZE", 200)
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        messages = await _asgi_get(app, URL, b"status=PENDING", _bearer(admin))
    assert messages[0]["status"] == 200
    chunks = [m["body"].decode() for m in messages[1:] if m["body"]]
    text = "".join(chunks)
    _, *rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1050
    assert len({row[2] for row in rows}) == 1050
    expected = sorted(people, key=lambda s: (s.last_name, s.first_name, str(s.id)))
    assert [row[2] for row in rows] == [s.username for s in expected]
    # One keyset page of at most 201 rows per batch, never all rows at once.
    pages = [
        record.getMessage()
        for record in caplog.records
        if record.name == "tortoise.db_client"
        and 'FROM "staff_member"' in record.getMessage()
        and "LIMIT" in record.getMessage()
        and '"status"' in record.getMessage()
    ]
    assert len(pages) == 6, pages  # 1050 rows in batches of 200
    assert all("LIMIT 201" in page or "LIMIT ?" in page or "LIMIT $" in page for page in pages)
    # Streamed: the header, then a body message per batch, not one body at the end.
    assert len(chunks) == 1 + 6
    assert all(m["more_body"] for m in messages[1:-1])


async def test_each_export_is_audited(admin: GraphQLClient, practice: dict[str, Any]) -> None:
    await add_staff(practice, NAMES)
    await _export(admin, status="PENDING", search="  Nurse ", orderBy="CREATED", direction="DESC")
    [event] = await AuditEvent.filter(action="staff.export")
    assert event.actor_id == practice["owner"].id
    assert event.practice_id == practice["owner"].practice_id
    assert event.outcome == "SUCCESS"
    assert event.details == {
        "status": "PENDING",
        "search": "nurse",
        "orderBy": "CREATED_DESC",
        "rowCount": 1,
        "format": "csv",
        "authMethod": "bearer_session",
    }


async def test_an_api_client_needs_staff_read(
    admin: GraphQLClient, app: Starlette, practice: dict[str, Any]
) -> None:
    reader = await create_api_client(admin, ["STAFF_READ"], name="HR export")
    writer = await create_api_client(admin, ["ROLES_READ"], name="Roles only")
    async with as_api_client(app, reader["secret"]) as client:
        response = await client.http.get(URL, headers=_bearer(client))
        assert response.status_code == 200, response.text
        assert _usernames(response) == ["owner"]
    [event] = await AuditEvent.filter(action="staff.export")
    assert event.api_client_id is not None and event.actor_id is None
    async with as_api_client(app, writer["secret"]) as client:
        response = await client.http.get(URL, headers=_bearer(client))
        assert response.status_code == 403, response.text
        assert "staff:read" in response.json()["errors"][0]["message"]


async def test_signed_out_and_nurses_are_refused(
    admin: GraphQLClient, app: Starlette, mailbox: DevMailbox
) -> None:
    async with _http(app) as http:
        response = await http.get(URL)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        response = await http.get(URL, headers={"authorization": "Bearer nonsense"})
        assert response.status_code == 401
    _, nurse = await active_nurse(admin, app, mailbox)
    response = await nurse.http.get(URL, headers=_bearer(nurse))
    assert response.status_code == 403
    assert "MANAGE_ACCOUNTS" in response.json()["errors"][0]["message"]
    assert await AuditEvent.filter(action="staff.export").count() == 0


async def test_a_cookie_session_needs_the_spas_header_or_a_same_origin_link(
    app: Starlette, practice: dict[str, Any]
) -> None:
    async with _http(app) as http:
        browser = GraphQLClient(http)
        await browser.browser_login(practice["owner_username"], ADMIN_PASSWORD)
        http.headers.pop("x-requested-with")
        # A top-level navigation from another site carries the SameSite=Lax cookie.
        response = await http.get(URL, headers={"sec-fetch-site": "cross-site"})
        assert response.status_code == 403
        assert response.json()["errors"][0]["extensions"]["code"] == "CSRF"
        assert (await http.get(URL)).status_code == 403
        assert (await http.get(URL, headers={"sec-fetch-site": "same-origin"})).status_code == 200
        assert (await http.get(URL, headers=SPA_HEADERS)).status_code == 200
    assert await AuditEvent.filter(action="staff.export").count() == 2


async def test_an_export_cut_short_is_audited_as_incomplete(
    settings: Settings, admin: GraphQLClient, practice: dict[str, Any]
) -> None:
    await add_staff(practice, NAMES)
    # The stream a client leaves after the first batch: Starlette closes the generator.
    viewer = await resolve_session(admin.token or "", settings=settings, meta=RequestMeta())
    assert viewer is not None
    lines = staff_export.export_lines(caller=viewer, query=StaffQuery(), batch_size=2)
    assert (await anext(lines)).startswith("First name,")
    await anext(lines)
    await lines.aclose()  # type: ignore[attr-defined]
    [event] = await AuditEvent.filter(action="staff.export")
    assert event.outcome == "INCOMPLETE"
    assert event.details["rowCount"] == 2
