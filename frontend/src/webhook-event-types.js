// The WebhookEventType enum, in its order, with what an administrator reads. PING is not
// subscribed to (webhookEndpointPing sends it on request), so it is not a choice; a test
// keeps this list equal to the schema's enum.

export const SUBSCRIBABLE_EVENTS = {
  STAFF_CREATED: "A staff member is added",
  STAFF_UPDATED: "A staff member's details change",
  STAFF_ACTIVATED: "A staff member activates their account",
  STAFF_ACTIVATION_RESENT: "A new activation link is sent",
  STAFF_VERIFICATION_CANCELLED: "A pending account's verification is cancelled",
  STAFF_DEACTIVATED: "A staff member is deactivated",
  STAFF_REACTIVATED: "A staff member is reactivated",
  STAFF_LOGIN_LOCKED: "A staff member's sign-in is locked (not sent yet)",
  STAFF_TWO_FACTOR_CHANGED: "Two-factor sign-in is set up, turned off or reset",
  STAFF_EMAIL_CHANGED: "A staff member's email address changes",
  ROLE_CREATED: "A role is created",
  ROLE_UPDATED: "A role is changed",
  ROLE_DELETED: "A role is deleted",
};

/** The payload's `type` of an enum value: STAFF_ACTIVATION_RESENT is staff.activation_resent. */
export function eventTypeName(value) {
  return value.toLowerCase().replace("_", ".");
}
