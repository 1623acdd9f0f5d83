"""People provisioned over SCIM (issue 13), below the SCIM protocol: created pending with
no password and no PIN, they choose both when activating; the database refuses an active
person without them; externalId is unique per practice; the practice's SCIM defaults."""

from typing import Any
from uuid import UUID

import pytest
from starlette.applications import Starlette
from tortoise.exceptions import IntegrityError

from backend.config import Settings
from backend.mail.dev_mailbox import DevMailbox
from backend.models import ApiClient, AuditEvent, Office, Plan, Provider, Role, StaffMember
from backend.services import scim_defaults
from backend.services.caller import ApiClientCaller, Scope
from backend.services.errors import DomainError, ErrorCode
from backend.services.staff import provision_staff
from backend.services.staff_input import StaffFields
from tests.api.client import GraphQLClient
from tests.api.conftest import make_practice
from tests.api.documents import ACTIVATE, USER_ERRORS
from tests.api.test_activation_link import LINK
from tests.api.test_lifecycle import NEW_PASSWORD, token_from

PIN = "4817"
SET_DEFAULTS = f"""
mutation($input: PracticeSetScimDefaultsInput!) {{
  practiceSetScimDefaults(input: $input) {{
    scimDefaults {{ role {{ name }} primaryProvider {{ lastName }} offices {{ name }} }}
    {USER_ERRORS}
  }}
}}
"""
DEFAULTS = "query { scimDefaults { role { name } primaryProvider { id } offices { name } } }"
LOGIN = """
mutation($input: LoginInput!) { login(input: $input) { token userErrors { code } } }
"""


async def _scim_caller(practice_id: UUID) -> ApiClientCaller:
    client = await ApiClient.create(practice_id=practice_id, name="Okta", scopes=["scim"])
    return ApiClientCaller(
        api_client_id=client.id,
        practice_id=practice_id,
        name=client.name,
        scopes=frozenset({Scope.SCIM, Scope.STAFF_READ, Scope.STAFF_WRITE}),
    )


async def _provision(
    caller: ApiClientCaller, settings: Settings, username: str = "jscim", **more: Any
) -> StaffMember:
    role = await Role.get(name="Nurse (System)")
    provider = await Provider.filter(practice_id=caller.practice_id).first()
    assert provider is not None
    fields: dict[str, Any] = {
        "first_name": "Jo",
        "last_name": "Scim",
        "username": username,
        "email": f"{username}@example.com",
        "role_id": role.id,
        "primary_provider_id": provider.id,
    }
    fields.update(more.pop("fields", {}))
    return await provision_staff(
        caller=caller,
        data=StaffFields(**fields),
        external_id=more.pop("external_id", None),
        settings=settings,
    )


async def test_a_provisioned_person_chooses_password_and_pin_at_activation(
    practice: dict[str, Any],
    anonymous: GraphQLClient,
    mailbox: DevMailbox,
    settings: Settings,
) -> None:
    caller = await _scim_caller(practice["practice"].id)
    staff = await _provision(caller, settings, external_id="00u1")
    assert staff.status == "PENDING" and staff.password_hash is None and staff.pin_hash is None
    created = await AuditEvent.get(action="staff.create", target_id=staff.id)
    assert created.api_client_id == caller.api_client_id and created.actor_id is None

    (message,) = await mailbox.wait_for(1)
    assert "choose your password and your mobile app PIN" in message.text
    assert message.html and "choose your password and your mobile app PIN" in message.html
    token = token_from(message.text)
    # The page learns from the link that this person chooses everything.
    opened = await anonymous.data(LINK, {"token": token})
    assert opened["activationLink"]["givenPassword"] is False
    values = {
        "token": token,
        "username": "jscim",
        "newPassword": NEW_PASSWORD,
        "newPasswordConfirmation": NEW_PASSWORD,
    }
    # No PIN, then a guessable one: nothing changes, the link stays usable.
    missing = await anonymous.mutate(ACTIVATE, values)
    assert [(e["field"], e["code"]) for e in missing["userErrors"]] == [
        (["input", "newAppUnlockPin"], "REQUIRED")
    ]
    weak = await anonymous.mutate(ACTIVATE, {**values, "newAppUnlockPin": "1234"})
    assert [e["code"] for e in weak["userErrors"]] == ["INVALID_PIN"]
    wrong_name = await anonymous.mutate(
        ACTIVATE, {**values, "username": "someone", "newAppUnlockPin": PIN}
    )
    assert [e["code"] for e in wrong_name["userErrors"]] == ["INVALID_CREDENTIALS"]
    await staff.refresh_from_db()
    assert staff.status == "PENDING" and staff.pin_hash is None

    done = await anonymous.mutate(ACTIVATE, {**values, "newAppUnlockPin": PIN})
    assert done["userErrors"] == [] and done["account"]["status"] == "ACTIVE"
    await staff.refresh_from_db()
    assert staff.password_hash and staff.pin_hash and PIN not in staff.pin_hash
    signed_in = await anonymous.mutate(
        LOGIN, {"username": "jscim", "password": NEW_PASSWORD, "session": "BEARER"}
    )
    assert signed_in["userErrors"] == [] and signed_in["token"]


async def test_the_database_refuses_an_active_person_without_password_or_pin(
    practice: dict[str, Any], settings: Settings
) -> None:
    caller = await _scim_caller(practice["practice"].id)
    staff = await _provision(caller, settings)
    with pytest.raises(IntegrityError):
        await StaffMember.filter(id=staff.id).update(status="ACTIVE")
    owner = practice["owner"]
    with pytest.raises(IntegrityError):
        await StaffMember.filter(id=owner.id).update(pin_hash=None)
    await staff.refresh_from_db()
    assert staff.status == "PENDING"


async def test_external_id_is_unique_per_practice(
    app: Starlette, practice: dict[str, Any], settings: Settings
) -> None:
    caller = await _scim_caller(practice["practice"].id)
    await _provision(caller, settings, "first", external_id="00u7")
    with pytest.raises(DomainError) as taken:
        await _provision(caller, settings, "second", external_id="00u7")
    assert [(e.code, e.field) for e in taken.value.errors] == [(ErrorCode.TAKEN, ("externalId",))]
    # The database holds it too, whatever a service checks first.
    with pytest.raises(IntegrityError):
        await StaffMember.filter(id=practice["owner"].id).update(external_id="00u7")
    elsewhere = await make_practice(settings, "Lakeside", "lakeowner", Plan.INVOICED)
    other_caller = await _scim_caller(elsewhere["practice"].id)
    same = await _provision(other_caller, settings, "third", external_id="00u7")
    assert same.external_id == "00u7"


async def test_managers_set_the_scim_defaults_and_a_create_uses_them(
    admin: GraphQLClient, practice: dict[str, Any], settings: Settings
) -> None:
    assert (await admin.data(DEFAULTS))["scimDefaults"] == {
        "role": None,
        "primaryProvider": None,
        "offices": [],
    }
    bad = await admin.mutate(SET_DEFAULTS, {"roleId": "nonsense", "officeIds": ["x"]})
    assert sorted(e["code"] for e in bad["userErrors"]) == ["NOT_FOUND", "NOT_FOUND"]
    assert (await admin.data(DEFAULTS))["scimDefaults"]["role"] is None

    roles = await admin.data("query { roles { id name } }")
    nurse = next(r["id"] for r in roles["roles"] if r["name"] == "Nurse (System)")
    reference = await admin.data("query { providers { id } offices { id name } }")
    north = next(o for o in reference["offices"] if o["name"] == "North Office")
    done = await admin.mutate(
        SET_DEFAULTS,
        {
            "roleId": nurse,
            "primaryProviderId": reference["providers"][0]["id"],
            "officeIds": [north["id"]],
        },
    )
    assert done["userErrors"] == []
    assert done["scimDefaults"]["role"]["name"] == "Nurse (System)"
    assert done["scimDefaults"]["offices"] == [{"name": "North Office"}]
    event = await AuditEvent.get(action="practice.scim_defaults")
    assert event.actor_id == practice["owner"].id

    caller = await _scim_caller(practice["practice"].id)
    defaults = await scim_defaults.scim_defaults(caller.practice_id)
    data = scim_defaults.with_defaults(
        StaffFields(first_name="Al", last_name="Lee", username="alee", email="al@example.com"),
        defaults,
    )
    staff = await provision_staff(caller=caller, data=data, external_id=None, settings=settings)
    await staff.fetch_related("role", "offices")
    assert staff.role.name == "Nurse (System)" and staff.restrict_offices
    assert [office.name for office in staff.offices] == ["North Office"]
    # What the client sends wins over the defaults.
    owner_role = await Role.get(name="Practice Administrator (System)")
    chosen = scim_defaults.with_defaults(StaffFields(role_id=owner_role.id), defaults)
    assert chosen.role_id == owner_role.id
    assert await Office.filter(practice_id=caller.practice_id).count() == 2
