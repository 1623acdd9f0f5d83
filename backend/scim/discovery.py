"""What we support, said truthfully (RFC 7644 §4): ServiceProviderConfig, ResourceTypes
and Schemas. Groups are not offered: roles are managed in the SPA or over GraphQL."""

from typing import Any

from backend.scim.schemas import EXTENSION, EXTENSION_ATTRIBUTES, USER

MAX_RESULTS = 100
_SPC = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
_RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"


def _meta(base_url: str, resource_type: str, path: str) -> dict[str, str]:
    return {"resourceType": resource_type, "location": f"{base_url}/{path}"}


def service_provider_config(base_url: str) -> dict[str, Any]:
    return {
        "schemas": [_SPC],
        "documentationUri": f"{base_url.removesuffix('/scim/v2')}/#scim-provisioning",
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "API client secret",
                "description": "Authorization: Bearer sa_live_... of an API client with the "
                "scim scope.",
                "primary": True,
            }
        ],
        "meta": _meta(base_url, "ServiceProviderConfig", "ServiceProviderConfig"),
    }


def user_resource_type(base_url: str) -> dict[str, Any]:
    return {
        "schemas": [_RESOURCE_TYPE],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "A staff member of the practice.",
        "schema": USER,
        "schemaExtensions": [{"schema": EXTENSION, "required": False}],
        "meta": _meta(base_url, "ResourceType", "ResourceTypes/User"),
    }


def _attribute(
    name: str,
    kind: str = "string",
    *,
    required: bool = False,
    multi: bool = False,
    mutability: str = "readWrite",
    uniqueness: str = "none",
    case_exact: bool = False,
    description: str = "",
    sub: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": description or name,
        "required": required,
        "caseExact": case_exact,
        "mutability": mutability,
        "returned": "default",
        "uniqueness": uniqueness,
    }
    if sub is not None:
        attribute["subAttributes"] = sub
    return attribute


def _typed_values(types: list[str], description: str) -> list[dict[str, Any]]:
    type_attribute = _attribute("type", description="The kind of value.")
    type_attribute["canonicalValues"] = types
    return [
        _attribute("value", required=True, description=description),
        type_attribute,
        _attribute("primary", "boolean", description="The primary value."),
    ]


def schemas(base_url: str, choices: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
    """The User schema and ours; `choices` gives an extension attribute's canonicalValues
    (the caller's practice's role, provider and office IDs, the care-team codes)."""
    choices = choices or {}
    user_attributes = [
        _attribute("userName", required=True, uniqueness="server", description="Sign-in name."),
        _attribute(
            "name",
            "complex",
            required=True,
            sub=[
                _attribute("givenName", required=True, description="First name."),
                _attribute("familyName", required=True, description="Last name."),
            ],
        ),
        _attribute("displayName", mutability="readOnly", description="The full name."),
        _attribute("active", "boolean", description="False once deactivated."),
        _attribute(
            "emails",
            "complex",
            required=True,
            multi=True,
            sub=_typed_values(["work"], "The one work email (unique across the service)."),
        ),
        _attribute(
            "phoneNumbers",
            "complex",
            multi=True,
            sub=_typed_values(["mobile", "home"], "A phone number (E.164 of a valid number)."),
        ),
    ]
    extension_attributes = []
    for name, kind, multi, mutability, description in EXTENSION_ATTRIBUTES:
        attribute = _attribute(
            name, kind, multi=multi, mutability=mutability, description=description
        )
        if name in choices:
            attribute["canonicalValues"] = choices[name]
        extension_attributes.append(attribute)
    return [
        {
            "schemas": [_SCHEMA],
            "id": USER,
            "name": "User",
            "description": "A staff member.",
            "attributes": user_attributes,
            "meta": _meta(base_url, "Schema", f"Schemas/{USER}"),
        },
        {
            "schemas": [_SCHEMA],
            "id": EXTENSION,
            "name": "StaffAccountsUser",
            "description": "What a staff member has beyond the core User.",
            "attributes": extension_attributes,
            "meta": _meta(base_url, "Schema", f"Schemas/{EXTENSION}"),
        },
    ]
