"""What the planner covers, declared once: the root fields it may plan and the object types
whose fields it may select beneath them. Any selection over these types plans; a field of
another type, or a root field not named here, makes the planner refuse the operation.

Each field's value comes from the field's own graphql-core resolver, the one the normal
executor calls: for a plain attribute that is strawberry's attribute read (which the
planner calls without an info object, as strawberry does); for a field with a resolver it
is the resolver with its permission classes, argument conversion and the services behind
it. So the rules (authorization, filters, ordering, keyset cursors) stay in one place and
the planner only replaces graphql-core's per-field completion."""

# Query fields whose whole selection the planner may answer.
PLANNED_ROOT_FIELDS = frozenset({"staffMembers", "staffCounts", "staffMember"})

# The object types reachable from those fields (GraphQL names). auditEvents leads to
# AuditEvent, which is not planned: an operation selecting it runs on the normal executor.
PLANNED_TYPES = frozenset(
    {
        "StaffMemberConnection",
        "StaffMemberEdge",
        "PageInfo",
        "StaffCounts",
        "StaffMember",
        "Role",
        "Provider",
        "Office",
        "CareTeamRole",
        "CareTeamIdentifier",
        "ActivationEmail",
    }
)
