"""The GraphQL operation names that metrics label by name.

Clients choose operation names: labelling by any name would let one client create a
time series per request. Only the names of our own clients' operations are trusted —
those the SPA sends (frontend/src) and those of the README's walk-through; a test keeps
this list equal to them. Any other named operation is counted as `other`."""

KNOWN_OPERATION_NAMES = frozenset(
    {
        # frontend/src
        "AccountDetails",
        "AccountSessions",
        "ActivationLink",
        "ApiClientCreate",
        "ApiClientRevoke",
        "ApiClientRotate",
        "ApiClients",
        "ConfirmEmail",
        "EmailChangeRequest",
        "ForgotPassword",
        "PasswordChange",
        "ResetPassword",
        "SessionRevoke",
        "SignOutEverywhere",
        "StaffCounts",
        "StaffDrawerCreate",
        "StaffDrawerHistory",
        "StaffDrawerMember",
        "StaffDrawerReference",
        "StaffDrawerRequirePasswordChange",
        "StaffDrawerResetTwoFactor",
        "StaffDrawerSendPasswordReset",
        "StaffDrawerSignOutEverywhere",
        "StaffDrawerUnlockLogin",
        "StaffDrawerUpdate",
        "StaffPage",
        "StaffRoles",
        "WebhookDeliveries",
        "WebhookDeliveryRetry",
        "WebhookEndpointCreate",
        "WebhookEndpointDelete",
        "WebhookEndpointPing",
        "WebhookEndpointRotateSecret",
        "WebhookEndpointUpdate",
        "WebhookEndpoints",
        # README.md, "Walk-through with curl"
        "Activate",
        "Add",
        "Login",
        # README.md, "Syncing changes": partners' incremental syncs, as the README shows them
        "StaffSync",
    }
)

OTHER = "other"
# An operation without a name (`{ viewer { … } }`, `mutation { logout … }`).
ANONYMOUS = "anonymous"
# A request refused before any operation ran (not JSON, CSRF, too large, cancelled).
NONE = "none"


def operation_label(name: str | None, *, executed: bool) -> str:
    if not executed:
        return NONE
    if name is None:
        return ANONYMOUS
    return name if name in KNOWN_OPERATION_NAMES else OTHER
