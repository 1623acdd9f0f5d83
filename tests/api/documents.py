"""GraphQL documents shared by the API tests, as API users would keep them."""

USER_ERRORS = "userErrors { field code message }"

STAFF_FIELDS = """
id firstName lastName fullName username email status cellPhone homePhone
emailUpdateEnabled restrictOffices dailyBillingReport twoFactorEnabled
createdAt activatedAt deactivatedAt activationExpiresAt
role { id name } primaryProvider { id fullName } offices { id name }
careTeamRole { code name } careTeamIdentifier { type number }
activationEmail { status attempts lastError sentAt }
"""

REFERENCE_DATA = """
query { roles { id name isSystem permissions } providers { id fullName } offices { id name }
        careTeamRoles { code name } }
"""

STAFF_CREATE = f"""
mutation Create($input: StaffCreateInput!) {{
  staffCreate(input: $input) {{ staffMember {{ {STAFF_FIELDS} }} {USER_ERRORS} }}
}}
"""

STAFF_UPDATE = f"""
mutation Update($input: StaffUpdateInput!) {{
  staffUpdate(input: $input) {{ staffMember {{ {STAFF_FIELDS} }} {USER_ERRORS} }}
}}
"""


def lifecycle_mutation(name: str) -> str:
    return f"""
mutation Act($input: StaffActionInput!) {{
  {name}(input: $input) {{ staffMember {{ id status activatedAt deactivatedAt activationExpiresAt }}
  {USER_ERRORS} }}
}}
"""


RESEND = lifecycle_mutation("staffResendActivation")
CANCEL = lifecycle_mutation("staffCancelVerification")
DEACTIVATE = lifecycle_mutation("staffDeactivate")
REACTIVATE = lifecycle_mutation("staffReactivate")

ACTIVATE = f"""
mutation Activate($input: AccountActivateInput!) {{
  accountActivate(input: $input) {{ account {{ id status username activatedAt }} {USER_ERRORS} }}
}}
"""

STAFF_LIST = f"""
query List($filter: StaffFilter, $first: Int, $after: String) {{
  staffMembers(filter: $filter, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{ {STAFF_FIELDS} }} }}
  }}
}}
"""

STAFF_COUNTS = """
query Counts($filter: StaffCountsFilter) {
  staffCounts(filter: $filter) { active pending inactive }
}
"""

VIEWER = """
query { viewer { account { id username status role { name } }
                 practice { id name plan seatLimit seatsUsed } permissions } }
"""

LOGOUT = f"mutation {{ logout(input: {{}}) {{ ok {USER_ERRORS} }} }}"

ROLE = "role { id name isSystem permissions }"

ROLE_CREATE = f"""
mutation($input: RoleCreateInput!) {{ roleCreate(input: $input) {{ {ROLE} {USER_ERRORS} }} }}
"""

ROLE_UPDATE = f"""
mutation($input: RoleUpdateInput!) {{ roleUpdate(input: $input) {{ {ROLE} {USER_ERRORS} }} }}
"""

ROLE_DELETE = f"""
mutation($input: RoleDeleteInput!) {{ roleDelete(input: $input) {{ deletedRoleId {USER_ERRORS} }} }}
"""
