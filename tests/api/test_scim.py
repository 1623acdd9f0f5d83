"""SCIM 2.0 at /scim/v2 over real HTTP, replaying what Okta and Microsoft Entra ID send
(issue 13): Okta's connection check and userName lookups, its full PUT; Entra's filters
on externalId and emails[type eq "work"].value, its PATCH with "Replace" and
"active": "False"; DELETE then 404 while the practice still lists the person as Inactive;
a POST bringing them back; errors as SCIM errors; the API client as the audit's actor."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backend.mail.dev_mailbox import DevMailbox
from backend.models import AuditEvent, StaffMember
from tests.api.api_clients import create_api_client
from tests.api.client import GraphQLClient
from tests.api.documents import ACTIVATE, STAFF_LIST
from tests.api.test_lifecycle import NEW_PASSWORD, token_from

SCIM = "application/scim+json"
EXT = "urn:ietf:params:scim:schemas:extension:staffaccounts:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SET_DEFAULTS = """
mutation($input: PracticeSetScimDefaultsInput!) {
  practiceSetScimDefaults(input: $input) { userErrors { code } }
}
"""

OKTA_USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "isaac.brock@example.com",
    "name": {"givenName": "Isaac", "familyName": "Brock"},
    "emails": [{"primary": True, "value": "isaac.brock@example.com", "type": "work"}],
    "displayName": "Isaac Brock",
    "locale": "en-US",
    "externalId": "00ujl29u0le5T6Aj10h7",
    "groups": [],
    "password": "1mz050nq",
    "active": True,
}
ENTRA_USER = {
    "schemas": [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    ],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_ab6490ee@example.com",
    "active": True,
    "emails": [{"primary": True, "type": "work", "value": "Test_User_fd0ea19b@example.com"}],
    "meta": {"resourceType": "User"},
    "name": {"familyName": "Lee", "givenName": "Robin"},
    "phoneNumbers": [{"type": "mobile", "value": "+1 415 555 0132"}],
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Nursing"},
}


@asynccontextmanager
async def scim_client(app: Starlette, manager: GraphQLClient) -> AsyncIterator[httpx.AsyncClient]:
    """A partner's HTTP client for the manager's practice: an API client with the scim
    scope, the practice's SCIM defaults set (role and primary provider), as the README
    tells an administrator."""
    created = await create_api_client(manager, ["SCIM"], name="Okta")
    roles = await manager.data("query { roles { id name } providers { id } }")
    nurse = next(r["id"] for r in roles["roles"] if r["name"] == "Nurse (System)")
    done = await manager.mutate(
        SET_DEFAULTS, {"roleId": nurse, "primaryProviderId": roles["providers"][0]["id"]}
    )
    assert done["userErrors"] == []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver/scim/v2",
        headers={"authorization": f"Bearer {created['secret']}"},
    ) as http:
        yield http


@pytest.fixture
async def scim(app: Starlette, admin: GraphQLClient) -> AsyncIterator[httpx.AsyncClient]:
    async with scim_client(app, admin) as http:
        yield http


def _scim_json(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(SCIM)
    body: dict[str, Any] = response.json()
    return body


async def test_okta_checks_the_connection_creates_looks_up_and_puts(
    scim: httpx.AsyncClient, admin: GraphQLClient, mailbox: DevMailbox
) -> None:
    listed = _scim_json(await scim.get("/Users", params={"startIndex": 1, "count": 2}), 200)
    assert listed["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert listed["totalResults"] == 1 and listed["itemsPerPage"] == 1  # the owner
    missing = await scim.get("/Users", params={"filter": 'userName eq "isaac.brock@example.com"'})
    assert _scim_json(missing, 200)["totalResults"] == 0

    created = _scim_json(await scim.post("/Users", json=OKTA_USER), 201)
    assert created["active"] is True and created[EXT]["status"] == "PENDING"
    assert created["externalId"] == "00ujl29u0le5T6Aj10h7"
    assert created["meta"]["version"].startswith('W/"')
    assert "password" not in created
    (message,) = await mailbox.wait_for(1)
    assert message.recipients == ("isaac.brock@example.com",)

    found = _scim_json(
        await scim.get("/Users", params={"filter": 'userName eq "ISAAC.BROCK@example.com"'}), 200
    )
    assert [r["id"] for r in found["Resources"]] == [created["id"]]

    put = {**OKTA_USER, "name": {"givenName": "Ike", "familyName": "Brock"}}
    replaced = _scim_json(await scim.put(f"/Users/{created['id']}", json=put), 200)
    assert replaced["name"]["givenName"] == "Ike"
    # Okta deactivates with a PUT of active: false, and then reads the user back.
    gone = _scim_json(await scim.put(f"/Users/{created['id']}", json={**put, "active": False}), 200)
    assert gone["active"] is False and gone[EXT]["status"] == "INACTIVE"
    again = _scim_json(await scim.get(f"/Users/{created['id']}"), 200)
    assert again["active"] is False

    event = await AuditEvent.filter(action="staff.create", target_id=created["id"]).get()
    assert event.api_client_id is not None and event.actor_id is None
    cancelled = await AuditEvent.get(action="staff.cancel_verification")
    assert cancelled.api_client_id == event.api_client_id


async def test_entra_filters_patches_deletes_and_provisions_again(
    scim: httpx.AsyncClient, admin: GraphQLClient, anonymous: GraphQLClient, mailbox: DevMailbox
) -> None:
    by_external = await scim.get(
        "/Users", params={"filter": f'externalId eq "{ENTRA_USER["externalId"]}"'}
    )
    assert _scim_json(by_external, 200)["totalResults"] == 0
    created = _scim_json(await scim.post("/Users", json=ENTRA_USER), 201)
    user_id = created["id"]
    assert created["phoneNumbers"] == [{"value": "+14155550132", "type": "mobile"}]
    for expression in (
        f'externalId eq "{ENTRA_USER["externalId"]}"',
        'emails[type eq "work"].value eq "test_user_fd0ea19b@example.com"',
        'userName eq "Test_User_ab6490ee@example.com" and externalId eq '
        f'"{ENTRA_USER["externalId"]}"',
        'userName sw "test_user" and not (userName eq "owner")',
        'name.familyName co "ee" or userName eq "nobody"',
        'phoneNumbers[type eq "mobile" and value pr]',
        "phoneNumbers pr",
    ):
        listed = _scim_json(await scim.get("/Users", params={"filter": expression}), 200)
        assert [r["id"] for r in listed["Resources"]] == [user_id], expression
    for expression in (
        'externalId eq "0A21F0F2-8D2A-4F8E-BF98-7363C4AED4EF"',  # externalId is caseExact
        'emails[type eq "home"].value eq "test_user_fd0ea19b@example.com"',
        'userName ne "Test_User_ab6490ee@example.com" and userName sw "test"',
    ):
        listed = _scim_json(await scim.get("/Users", params={"filter": expression}), 200)
        assert listed["totalResults"] == 0, expression

    # The person activates from the email, choosing password and PIN.
    token = token_from((await mailbox.wait_for(1))[0].text)
    activated = await anonymous.mutate(
        ACTIVATE,
        {
            "token": token,
            "username": ENTRA_USER["userName"],
            "newPassword": NEW_PASSWORD,
            "newPasswordConfirmation": NEW_PASSWORD,
            "newAppUnlockPin": "4817",
        },
    )
    assert activated["userErrors"] == []

    patch = {
        "schemas": [PATCH_OP],
        "Operations": [
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "robin@example.com"},
            {"op": "Replace", "path": "name.givenName", "value": "Robyn"},
            {"op": "Add", "value": {"displayName": "Robyn Lee", "title": "RN"}},
        ],
    }
    patched = _scim_json(await scim.patch(f"/Users/{user_id}", json=patch), 200)
    assert patched["emails"][0]["value"] == "robin@example.com"
    assert patched["name"]["givenName"] == "Robyn" and patched[EXT]["status"] == "ACTIVE"

    deactivate = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
    }
    off = _scim_json(await scim.patch(f"/Users/{user_id}", json=deactivate), 200)
    assert off["active"] is False
    assert _scim_json(await scim.get(f"/Users/{user_id}"), 200)["active"] is False
    event = await AuditEvent.get(action="staff.deactivate", target_id=user_id)
    assert event.api_client_id is not None and event.actor_id is None

    deleted = await scim.delete(f"/Users/{user_id}")
    assert deleted.status_code == 204
    error = _scim_json(await scim.get(f"/Users/{user_id}"), 404)
    assert error["status"] == "404" and error["schemas"] == [
        "urn:ietf:params:scim:api:messages:2.0:Error"
    ]
    assert _scim_json(await scim.delete(f"/Users/{user_id}"), 404)["status"] == "404"
    listed = _scim_json(await scim.get("/Users", params={"filter": 'userName sw "test"'}), 200)
    assert listed["totalResults"] == 0
    inactive = await admin.data(STAFF_LIST, {"filter": {"status": "INACTIVE"}})
    assert [e["node"]["username"] for e in inactive["staffMembers"]["edges"]] == [
        ENTRA_USER["userName"]
    ]

    # Provisioned again: the same person comes back, active (they had activated).
    back = _scim_json(await scim.post("/Users", json=ENTRA_USER), 201)
    assert back["id"] == user_id and back["active"] is True
    assert back[EXT]["status"] == "ACTIVE"


async def test_errors_are_scim_errors_and_change_nothing(
    scim: httpx.AsyncClient, app: Starlette, admin: GraphQLClient
) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver/scim/v2"
    ) as stranger:
        refused = await stranger.get("/Users")
        assert _scim_json(refused, 401)["status"] == "401"
        assert refused.headers["www-authenticate"] == "Bearer"
    reader = await create_api_client(admin, ["STAFF_READ"], name="Reader")
    forbidden = await scim.get("/Users", headers={"authorization": f"Bearer {reader['secret']}"})
    assert _scim_json(forbidden, 403)["detail"] == "This API client does not have the scim scope."

    taken = _scim_json(await scim.post("/Users", json={**OKTA_USER, "userName": "owner"}), 409)
    assert taken["scimType"] == "uniqueness"
    bad_phone = {**ENTRA_USER, "phoneNumbers": [{"type": "mobile", "value": "12"}]}
    invalid = _scim_json(await scim.post("/Users", json=bad_phone), 400)
    assert invalid["scimType"] == "invalidValue" and "phoneNumbers" in invalid["detail"]
    bad_filter = await scim.get("/Users", params={"filter": "userName eq"})
    assert _scim_json(bad_filter, 400)["scimType"] == "invalidFilter"
    unknown = await scim.get("/Users", params={"filter": 'nickName eq "x"'})
    assert _scim_json(unknown, 400)["scimType"] == "invalidFilter"
    not_json = await scim.post("/Users", content=b"{", headers={"content-type": SCIM})
    assert _scim_json(not_json, 400)["scimType"] == "invalidSyntax"
    assert _scim_json(await scim.get("/Users/not-a-uuid"), 404)["status"] == "404"
    assert await StaffMember.all().count() == 1  # the owner only

    created = _scim_json(await scim.post("/Users", json=OKTA_USER), 201)
    stale = await scim.put(f"/Users/{created['id']}", json=OKTA_USER, headers={"if-match": 'W/"1"'})
    assert _scim_json(stale, 412)["status"] == "412"
    current = await scim.put(
        f"/Users/{created['id']}", json=OKTA_USER, headers={"if-match": created["meta"]["version"]}
    )
    assert current.status_code == 200
    dup = _scim_json(await scim.post("/Users", json=OKTA_USER), 409)
    assert dup["scimType"] == "uniqueness"


async def test_paging_projection_and_discovery(scim: httpx.AsyncClient) -> None:
    for number in range(3):
        user = {
            **OKTA_USER,
            "userName": f"user{number}",
            "externalId": f"ext{number}",
            "emails": [{"value": f"user{number}@example.com", "type": "work"}],
        }
        _scim_json(await scim.post("/Users", json=user), 201)
    page = _scim_json(
        await scim.get(
            "/Users",
            params={
                "filter": 'userName sw "user"',
                "startIndex": 2,
                "count": 1,
                "attributes": "userName,name.givenName",
            },
        ),
        200,
    )
    assert page["totalResults"] == 3 and page["startIndex"] == 2
    (resource,) = page["Resources"]
    assert resource["userName"] == "user1" and resource["name"] == {"givenName": "Isaac"}
    assert "emails" not in resource and "id" in resource
    counted = _scim_json(await scim.get("/Users", params={"count": 0}), 200)
    assert counted["totalResults"] == 4 and counted["Resources"] == []
    lean = _scim_json(await scim.get("/Users", params={"excludedAttributes": "emails," + EXT}), 200)
    assert all("emails" not in r and EXT not in r for r in lean["Resources"])

    config = _scim_json(await scim.get("/ServiceProviderConfig"), 200)
    assert config["patch"]["supported"] and not config["bulk"]["supported"]
    assert config["etag"]["supported"] and not config["sort"]["supported"]
    types = _scim_json(await scim.get("/ResourceTypes"), 200)
    assert [t["id"] for t in types["Resources"]] == ["User"]
    schemas = _scim_json(await scim.get("/Schemas"), 200)
    assert {s["id"] for s in schemas["Resources"]} == {
        "urn:ietf:params:scim:schemas:core:2.0:User",
        EXT,
    }
    assert _scim_json(await scim.get("/Groups"), 404)["status"] == "404"


async def test_concurrent_creates_of_one_person_make_one(scim: httpx.AsyncClient) -> None:
    """Okta retries; Entra runs several workers: the same userName and externalId sent five
    times at once make one person (201) and four 409 uniqueness, never a 500."""
    answers = await asyncio.gather(*(scim.post("/Users", json=ENTRA_USER) for _ in range(5)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409, 409]
    assert all(a.json().get("scimType") == "uniqueness" for a in answers if a.status_code == 409)
    assert await StaffMember.filter(external_id=ENTRA_USER["externalId"]).count() == 1


async def test_concurrent_deactivations_apply_once(scim: httpx.AsyncClient) -> None:
    created = _scim_json(await scim.post("/Users", json=OKTA_USER), 201)
    deactivate = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    answers = await asyncio.gather(
        *(scim.patch(f"/Users/{created['id']}", json=deactivate) for _ in range(4)),
        scim.delete(f"/Users/{created['id']}"),
    )
    assert all(a.status_code < 500 for a in answers), [a.text for a in answers]
    assert await AuditEvent.filter(action="staff.cancel_verification").count() == 1
    staff = await StaffMember.get(id=created["id"])
    assert staff.status == "INACTIVE"


async def test_filters_on_times_status_and_id_and_an_extension_override(
    scim: httpx.AsyncClient, admin: GraphQLClient
) -> None:
    roles = await admin.data("query { roles { id name } }")
    staff_role = next(r["id"] for r in roles["roles"] if r["name"] == "Staff (System)")
    chosen = {**OKTA_USER, EXT: {"roleId": staff_role, "dailyBillingReport": "True"}}
    created = _scim_json(await scim.post("/Users", json=chosen), 201)
    assert created[EXT]["roleId"] == staff_role and created[EXT]["dailyBillingReport"] is True
    since = created["meta"]["created"]
    for expression, expected in (
        (f'meta.created ge "{since}"', [created["id"]]),
        (f'meta.lastModified gt "{since}" and meta.created lt "{since}"', []),
        (f'{EXT}:status eq "PENDING"', [created["id"]]),
        ('status eq "ACTIVE" and active eq true', ["owner"]),
        (f'id eq "{created["id"]}"', [created["id"]]),
        ('id eq "not-a-uuid"', []),
        ("active eq false", []),
        ('externalId pr and emails.value ew "@example.com"', [created["id"]]),
    ):
        listed = _scim_json(await scim.get("/Users", params={"filter": expression}), 200)
        found = ["owner" if r["userName"] == "owner" else r["id"] for r in listed["Resources"]]
        assert found == expected, expression
    one = _scim_json(
        await scim.get(f"/Users/{created['id']}", params={"excludedAttributes": "name,emails"}),
        200,
    )
    assert "name" not in one and "emails" not in one and one["userName"] == OKTA_USER["userName"]
    bad_time = await scim.get("/Users", params={"filter": 'meta.created gt "yesterday"'})
    assert _scim_json(bad_time, 400)["scimType"] == "invalidFilter"
