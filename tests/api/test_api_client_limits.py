"""What no API client may do whatever its scopes: hand out Manage Accounts (which manages
API clients) — by giving an administrator's role, moving an administrator's email, or
changing a role that has it — and reading people's records through side doors without
staff:read. Plus inputs that once failed as server errors."""

from typing import Any

from starlette.applications import Starlette

from backend.mail.dev_mailbox import DevMailbox
from backend.models import Role, StaffMember
from tests.api.api_clients import as_api_client, create_api_client, error_codes
from tests.api.client import GraphQLClient
from tests.api.documents import ROLE_CREATE, ROLE_UPDATE, STAFF_CREATE, STAFF_UPDATE
from tests.api.staff_factory import create_staff, staff_input
from tests.api.test_account_self_service import FORGOT, mail_to
from tests.api.test_lifecycle import activate, token_from

RESERVED = "MANAGE_ACCOUNTS_RESERVED"


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def administrator_role(admin: GraphQLClient) -> dict[str, Any]:
    roles = (await admin.data("{ roles { id name permissions } }"))["roles"]
    return next(r for r in roles if r["name"].startswith("Practice Administrator"))


async def test_a_client_cannot_give_an_administrators_role(
    admin: GraphQLClient, app: Starlette
) -> None:
    secret = (await create_api_client(admin, ["STAFF_READ", "STAFF_WRITE", "ROLES_READ"]))["secret"]
    manager_role = await administrator_role(admin)
    nurse_input = await staff_input(admin)
    async with as_api_client(app, secret) as partner:
        payload = await partner.mutate(
            STAFF_CREATE, {**nurse_input, "roleId": manager_role["id"], "username": "mallory"}
        )
        assert codes(payload) == [RESERVED] and payload["staffMember"] is None
        assert payload["userErrors"][0]["field"] == ["input", "roleId"]
        assert not await StaffMember.exists(username_key="mallory")
        # A nurse is fine; promoting her is not.
        nurse = await partner.mutate(STAFF_CREATE, nurse_input)
        assert nurse["userErrors"] == []
        promoted = await partner.mutate(
            STAFF_UPDATE, {"id": nurse["staffMember"]["id"], "roleId": manager_role["id"]}
        )
        assert codes(promoted) == [RESERVED]
    # An administrator still can.
    assert (
        await admin.mutate(
            STAFF_UPDATE, {"id": nurse["staffMember"]["id"], "roleId": manager_role["id"]}
        )
    )["userErrors"] == []


async def test_a_client_cannot_move_an_administrators_email_to_take_the_account(
    admin: GraphQLClient, app: Starlette
) -> None:
    secret = (await create_api_client(admin, ["STAFF_READ", "STAFF_WRITE"]))["secret"]
    owner_id = (await admin.data("{ viewer { account { id email } } }"))["viewer"]["account"]
    async with as_api_client(app, secret) as partner:
        for field, value in (("email", "mallory@attacker.example"), ("username", "mallory")):
            payload = await partner.mutate(STAFF_UPDATE, {"id": owner_id["id"], field: value})
            assert codes(payload) == [RESERVED], field
            assert payload["userErrors"][0]["field"] == ["input", field]
        # Other details of an administrator may change.
        renamed = await partner.mutate(
            STAFF_UPDATE, {"id": owner_id["id"], "cellPhone": "212-555-0199"}
        )
        assert renamed["userErrors"] == []
    owner = await StaffMember.get(id=_uuid(owner_id["id"]))
    assert owner.email == owner_id["email"]


async def test_an_email_changed_by_someone_else_is_told_to_the_old_address(
    admin: GraphQLClient, app: Starlette, mailbox: DevMailbox
) -> None:
    staff = await create_staff(admin)
    [message] = await mailbox.wait_for(1)
    assert (await activate(GraphQLClient(admin.http), token_from(message.text)))["userErrors"] == []
    mailbox.clear()
    secret = (await create_api_client(admin, ["STAFF_WRITE"]))["secret"]
    async with as_api_client(app, secret) as partner:
        payload = await partner.mutate(
            STAFF_UPDATE, {"id": staff["id"], "email": "camille@new.example"}
        )
    assert payload["userErrors"] == []
    [notice] = await mail_to(mailbox, "camille.nurse@example.com")
    assert "camille@new.example" in notice.text and "#token=" not in notice.text


async def test_a_client_cannot_give_or_change_manage_accounts_on_roles(
    admin: GraphQLClient, app: Starlette
) -> None:
    secret = (await create_api_client(admin, ["ROLES_READ", "ROLES_WRITE"]))["secret"]
    own = await admin.mutate(
        ROLE_CREATE, {"name": "Office managers", "permissions": ["MANAGE_ACCOUNTS", "SCHEDULING"]}
    )
    async with as_api_client(app, secret) as partner:
        created = await partner.mutate(
            ROLE_CREATE, {"name": "Escalation", "permissions": ["MANAGE_ACCOUNTS"]}
        )
        assert codes(created) == [RESERVED] and created["role"] is None
        plain = await partner.mutate(
            ROLE_CREATE, {"name": "Schedulers", "permissions": ["SCHEDULING"]}
        )
        assert plain["userErrors"] == []
        raised = await partner.mutate(
            ROLE_UPDATE,
            {"id": plain["role"]["id"], "permissions": ["SCHEDULING", "MANAGE_ACCOUNTS"]},
        )
        assert codes(raised) == [RESERVED]
        renamed = await partner.mutate(ROLE_UPDATE, {"id": own["role"]["id"], "name": "Renamed"})
        assert codes(renamed) == [RESERVED]
    assert not await Role.exists(name="Escalation")
    assert await Role.filter(name="Office managers").exists()


async def test_people_records_need_staff_read_whatever_the_path(
    admin: GraphQLClient, app: Starlette
) -> None:
    secret = (await create_api_client(admin, ["ROLES_READ", "AUDIT_READ"]))["secret"]
    async with as_api_client(app, secret) as partner:
        body = await partner.execute(
            "{ currentApiClient { apiClient { createdBy { username email } } } "
            "auditEvents(first: 5) { edges { node { action actor { username email } } } } }"
        )
    assert "errors" not in body, body
    assert body["data"]["currentApiClient"]["apiClient"]["createdBy"] is None
    events = [edge["node"] for edge in body["data"]["auditEvents"]["edges"]]
    assert events and all(event["actor"] is None for event in events)
    # With staff:read it reads them.
    reader = (await create_api_client(admin, ["STAFF_READ", "AUDIT_READ"], name="reader"))["secret"]
    async with as_api_client(app, reader) as partner:
        body = await partner.execute(
            "{ currentApiClient { apiClient { createdBy { username } } } }"
        )
    assert body["data"]["currentApiClient"]["apiClient"]["createdBy"] == {"username": "owner"}


async def test_odd_inputs_are_client_mistakes_not_server_errors(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    for moment in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        body = await admin.execute(
            "query($t: DateTime!) { staffMembers(filter: {updatedSince: $t}) { totalCount } }",
            {"t": moment},
        )
        assert error_codes(body) == ["BAD_USER_INPUT"], body
    naive = "WyIyMDI2LTAxLTAxVDAwOjAwOjAwIiwiMDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAwIl0"
    body = await admin.execute(
        "query($a: String) { apiClients(after: $a) { totalCount } }", {"a": naive}
    )
    assert error_codes(body) == ["BAD_USER_INPUT"], body
    named = await admin.mutate(
        "mutation($input: ApiClientCreateInput!) { apiClientCreate(input: $input) "
        "{ secret userErrors { field code message } } }",
        {"name": "a\u202eb", "scopes": ["STAFF_READ"]},
    )
    assert named["secret"] is None and named["userErrors"][0]["field"] == ["input", "name"]
    for document, variables in (
        (FORGOT, {"input": {"usernameOrEmail": "cnurse\u0000"}}),
        (
            "mutation($input: LoginInput!) { login(input: $input) { token } }",
            {"input": {"username": "owner\u0000", "password": "x"}},
        ),
    ):
        body = await anonymous.execute(document, variables)
        assert error_codes(body) == ["BAD_USER_INPUT"], body
        assert "NUL" in body["errors"][0]["message"]
    response = await anonymous.http.post(
        "/graphql",
        json={"query": FORGOT, "variables": {"input": {"usernameOrEmail": "cnurse"}}},
        headers={"user-agent": "A" * 400},
    )
    assert response.json() == {"data": {"passwordResetRequest": {"ok": True, "userErrors": []}}}


def _uuid(global_id: str) -> Any:
    from backend.api.ids import parse_id

    return parse_id(global_id, "StaffMember")
