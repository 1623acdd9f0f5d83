"""The schema URNs we speak, and our extension's attributes."""

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
EXTENSION = "urn:ietf:params:scim:schemas:extension:staffaccounts:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

# Our extension: (attribute, type, multiValued, mutability, description).
EXTENSION_ATTRIBUTES = (
    ("roleId", "string", False, "readWrite", "The role's ID (GraphQL roles { id })."),
    ("primaryProviderId", "string", False, "readWrite", "The primary provider's ID."),
    ("officeIds", "string", True, "readWrite", "Office IDs; any turns Restrict Offices on."),
    ("restrictOffices", "boolean", False, "readWrite", "Only the offices listed."),
    ("careTeamRole", "string", False, "readWrite", "A care-team role code."),
    ("careTeamIdType", "string", False, "readWrite", "NPI or NCSBN_ID."),
    ("careTeamIdNumber", "string", False, "readWrite", "The identifier's number."),
    ("emailUpdateEnabled", "boolean", False, "readWrite", "The person may change their email."),
    ("dailyBillingReport", "boolean", False, "readWrite", "Receives the daily billing report."),
    ("status", "string", False, "readOnly", "PENDING, ACTIVE or INACTIVE."),
)
