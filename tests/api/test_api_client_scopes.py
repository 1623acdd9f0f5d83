"""Scopes by operations: every operation an API client may use is refused with FORBIDDEN
naming the missing scope when the client lacks it, and allowed with it; every operation
only people may use is refused to a client whatever its scopes; and every root field of the
schema is in one of these lists (or open to anyone), so that a new field cannot be missed."""

from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

from starlette.applications import Starlette

from backend.api.schema import schema
from backend.services.caller import PEOPLE_ONLY_MESSAGE, Scope, missing_scope_message
from tests.api.api_clients import ALL_SCOPES, as_api_client, create_api_client, error_codes
from tests.api.client import GraphQLClient
from tests.api.documents import USER_ERRORS

NO_SUCH = "U3RhZmZNZW1iZXI6MDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAw"
ERRORS = USER_ERRORS


@dataclass(frozen=True)
class Operation:
    field: str  # the root field, as the schema names it
    document: str
    scope: str  # the ApiClientScope it needs (beyond `also`)
    also: tuple[str, ...] = ()  # scopes needed to reach it at all
    variables: dict[str, Any] = default(default_factory=dict)


def _action(name: str) -> Operation:
    return Operation(
        name,
        f"mutation($id: ID!) {{ {name}(input: {{id: $id}}) {{ staffMember {{ id }} {ERRORS} }} }}",
        "STAFF_WRITE",
        variables={"id": NO_SUCH},
    )


NEW_STAFF = {
    "firstName": "Camille",
    "lastName": "Nurse",
    "primaryProviderId": NO_SUCH,
    "roleId": NO_SUCH,
    "username": "cnurse",
    "email": "camille@example.com",
    "password": "Copper-Meadow-2291",
    "passwordConfirmation": "Copper-Meadow-2291",
    "appUnlockPin": "0736",
}
OPERATIONS = [
    Operation(
        "staffMembers", "{ staffMembers { totalCount edges { node { id } } } }", "STAFF_READ"
    ),
    Operation("staffCounts", "{ staffCounts { active } }", "STAFF_READ"),
    Operation(
        "staffMember",
        "query($id: ID!) { staffMember(id: $id) { id } }",
        "STAFF_READ",
        variables={"id": NO_SUCH},
    ),
    Operation("providers", "{ providers { id } }", "STAFF_READ"),
    Operation("offices", "{ offices { id } }", "STAFF_READ"),
    Operation("careTeamRoles", "{ careTeamRoles { code } }", "STAFF_READ"),
    Operation("roles", "{ roles { id } }", "ROLES_READ"),
    Operation("auditEvents", "{ auditEvents { edges { node { id } } } }", "AUDIT_READ"),
    # A staff member's own history: reached through the staff list.
    Operation(
        "staffMembers",
        "{ staffMembers { edges { node { auditEvents { id } } } } }",
        "AUDIT_READ",
        also=("STAFF_READ",),
    ),
    Operation(
        "staffCreate",
        f"mutation($input: StaffCreateInput!) {{ staffCreate(input: $input) {{ {ERRORS} }} }}",
        "STAFF_WRITE",
        variables={"input": NEW_STAFF},
    ),
    Operation(
        "staffUpdate",
        f'mutation($id: ID!) {{ staffUpdate(input: {{id: $id, firstName: "A"}}) {{ {ERRORS} }} }}',
        "STAFF_WRITE",
        variables={"id": NO_SUCH},
    ),
    _action("staffResendActivation"),
    _action("staffCancelVerification"),
    _action("staffDeactivate"),
    _action("staffReactivate"),
    *(
        Operation(
            name,
            f"mutation($id: ID!) {{ {name}(input: {{ids: [$id]}}) "
            f"{{ results {{ id }} {ERRORS} }} }}",
            "STAFF_WRITE",
            variables={"id": NO_SUCH},
        )
        for name in (
            "staffBulkResendActivation",
            "staffBulkCancelVerification",
            "staffBulkDeactivate",
        )
    ),
    Operation(
        "staffResendExpiredActivations",
        f"mutation {{ staffResendExpiredActivations(input: {{}}) {{ hasMore {ERRORS} }} }}",
        "STAFF_WRITE",
    ),
    Operation(
        "roleCreate",
        f'mutation {{ roleCreate(input: {{name: "Scheduler", permissions: [SCHEDULING]}}) '
        f"{{ role {{ id }} {ERRORS} }} }}",
        "ROLES_WRITE",
    ),
    Operation(
        "roleUpdate",
        f'mutation($id: ID!) {{ roleUpdate(input: {{id: $id, name: "B"}}) {{ {ERRORS} }} }}',
        "ROLES_WRITE",
        variables={"id": NO_SUCH},
    ),
    Operation(
        "roleDelete",
        f"mutation($id: ID!) {{ roleDelete(input: {{id: $id}}) {{ {ERRORS} }} }}",
        "ROLES_WRITE",
        variables={"id": NO_SUCH},
    ),
]


def _webhooks(field: str, document: str, variables: dict[str, Any] | None = None) -> Operation:
    # An endpoint carries staff records: staff:read is needed beside webhooks:manage.
    return Operation(field, document, "WEBHOOKS_MANAGE", ("STAFF_READ",), variables or {})


OPERATIONS += [
    _webhooks("webhookEndpoints", "{ webhookEndpoints { edges { cursor } } }"),
    _webhooks(
        "webhookDeliveries",
        "query($id: ID!) { webhookDeliveries(endpointId: $id) { edges { cursor } } }",
        {"id": NO_SUCH},
    ),
    _webhooks("webhookEvents", "{ webhookEvents { edges { cursor } } }"),
    _webhooks(
        "webhookEndpointCreate",
        'mutation { webhookEndpointCreate(input: {url: "", eventTypes: [STAFF_CREATED]}) '
        f"{{ secret {ERRORS} }} }}",
    ),
    *(
        _webhooks(
            name,
            f"mutation($id: ID!) {{ {name}(input: {{id: $id}}) {{ {ERRORS} }} }}",
            {"id": NO_SUCH},
        )
        for name in (
            "webhookEndpointUpdate",
            "webhookEndpointRotateSecret",
            "webhookEndpointDelete",
            "webhookEndpointPing",
            "webhookDeliveryRetry",
        )
    ),
]


def _id_mutation(name: str, input_fields: str = "id: $id") -> str:
    return f"mutation($id: ID!) {{ {name}(input: {{{input_fields}}}) {{ {ERRORS} }} }}"


PEOPLE_ONLY = {
    "apiClients": "{ apiClients { totalCount } }",
    "apiClientCreate": 'mutation { apiClientCreate(input: {name: "x", scopes: [STAFF_READ]}) '
    f"{{ secret {ERRORS} }} }}",
    "apiClientRotate": _id_mutation("apiClientRotate"),
    "apiClientRevoke": _id_mutation("apiClientRevoke"),
    "logout": f"mutation {{ logout(input: {{}}) {{ ok {ERRORS} }} }}",
    "passwordChange": 'mutation { passwordChange(input: {currentPassword: "a", '
    f'newPassword: "b", newPasswordConfirmation: "b"}}) {{ {ERRORS} }} }}',
    "emailChangeRequest": 'mutation { emailChangeRequest(input: {newEmail: "a@example.com", '
    f'currentPassword: "a"}}) {{ {ERRORS} }} }}',
    "sessionRevoke": _id_mutation("sessionRevoke"),
    "twoFactorEnrollStart": f"mutation {{ twoFactorEnrollStart(input: {{}}) {{ {ERRORS} }} }}",
    "twoFactorEnrollConfirm": 'mutation { twoFactorEnrollConfirm(input: {code: "123456"}) '
    f"{{ {ERRORS} }} }}",
    "twoFactorDisable": 'mutation { twoFactorDisable(input: {currentPassword: "a"}) '
    f"{{ {ERRORS} }} }}",
    "staffResetTwoFactor": _id_mutation("staffResetTwoFactor"),
    "appUnlock": f'mutation {{ appUnlock(input: {{pin: "1234"}}) {{ {ERRORS} }} }}',
    "pinChange": 'mutation { pinChange(input: {currentPassword: "a", newPin: "1234"}) '
    f"{{ {ERRORS} }} }}",
    "staffSetPin": _id_mutation("staffSetPin", 'id: $id, pin: "1234"'),
    "staffUnlockLogin": _id_mutation("staffUnlockLogin"),
    "staffSendPasswordReset": _id_mutation("staffSendPasswordReset"),
    "staffRequirePasswordChange": _id_mutation("staffRequirePasswordChange"),
    "staffSignOutEverywhere": _id_mutation("staffSignOutEverywhere"),
    "practiceSetTwoFactorRequirement": "mutation { practiceSetTwoFactorRequirement(input: "
    f"{{requireTwoFactorForManagers: false}}) {{ {ERRORS} }} }}",
    # The SCIM defaults are the administrator's, for the partner's clients to follow.
    "scimDefaults": "{ scimDefaults { offices { id } } }",
    "practiceSetScimDefaults": "mutation { practiceSetScimDefaults(input: {}) "
    f"{{ {ERRORS} }} }}",
}
# Open to anyone, signed in or not (a client is answered as an anonymous caller would be,
# or, for viewer and currentApiClient, with what it is).
ANYONE = {
    "viewer",
    "currentApiClient",
    "node",
    "login",
    "accountActivate",
    "activationLink",
    "passwordResetRequest",
    "passwordResetComplete",
    "emailChangeConfirm",
    "sessionRefresh",
}


async def test_every_operation_needs_its_scope(app: Starlette, admin: GraphQLClient) -> None:
    for operation in OPERATIONS:
        needed = {operation.scope, *operation.also}
        without = [scope for scope in ALL_SCOPES if scope != operation.scope]
        refused = await create_api_client(admin, without, name=f"without {operation.scope}")
        allowed = await create_api_client(admin, sorted(needed), name=f"with {operation.scope}")
        variables = operation.variables
        async with as_api_client(app, refused["secret"]) as partner:
            body = await partner.execute(operation.document, variables)
        assert error_codes(body) == ["FORBIDDEN"], (operation.field, body)
        wanted = missing_scope_message(Scope[operation.scope])
        assert {error["message"] for error in body["errors"]} == {wanted}, operation.field
        assert Scope[operation.scope].value in wanted
        async with as_api_client(app, allowed["secret"]) as partner:
            body = await partner.execute(operation.document, variables)
        assert "errors" not in body, (operation.field, body)


async def test_what_only_people_may_do_is_refused_to_any_client(
    app: Starlette, admin: GraphQLClient
) -> None:
    secret = (await create_api_client(admin, ALL_SCOPES))["secret"]
    async with as_api_client(app, secret) as partner:
        for name, document in PEOPLE_ONLY.items():
            body = await partner.execute(document, {"id": NO_SUCH})
            assert error_codes(body) == ["FORBIDDEN"], (name, body)
            assert body["errors"][0]["message"] == PEOPLE_ONLY_MESSAGE, name


async def test_people_keep_their_answers(admin: GraphQLClient) -> None:
    # The administrator (Manage Accounts) may do every operation of the matrix.
    for operation in OPERATIONS:
        body = await admin.execute(operation.document, operation.variables)
        assert "errors" not in body, (operation.field, body)


def test_every_root_field_is_classified() -> None:
    names = set()
    for type_name in ("Query", "Mutation"):
        definition = schema.get_type_by_name(type_name)
        names |= {schema.config.name_converter.get_graphql_name(f) for f in definition.fields}  # type: ignore[union-attr]
    classified = {op.field for op in OPERATIONS} | set(PEOPLE_ONLY) | ANYONE
    assert names == classified
