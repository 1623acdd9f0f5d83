// What each row action of the Staff list sends, whether it asks first, and what it says
// when done; and which actions a row offers.

export const STAFF_ROW_FIELDS = `id fullName username email cellPhone status twoFactorEnabled activationExpiresAt
  lastSignInAt loginLocked role { name } primaryProvider { fullName }`;

// One constant per document, not a function that builds them: `make documents` reads the
// documents from this source (the server's manifest of trusted documents).
const RESEND = `mutation($input: StaffActionInput!) { staffResendActivation(input: $input) {
    staffMember { ${STAFF_ROW_FIELDS} } userErrors { field code message } } }`;
const CANCEL = `mutation($input: StaffActionInput!) { staffCancelVerification(input: $input) {
    staffMember { ${STAFF_ROW_FIELDS} } userErrors { field code message } } }`;
const DEACTIVATE = `mutation($input: StaffActionInput!) { staffDeactivate(input: $input) {
    staffMember { ${STAFF_ROW_FIELDS} } userErrors { field code message } } }`;
const REACTIVATE = `mutation($input: StaffActionInput!) { staffReactivate(input: $input) {
    staffMember { ${STAFF_ROW_FIELDS} } userErrors { field code message } } }`;

// `held`: sent only after the moment to undo it (staff-undo.js).
export const ACTIONS = {
  resend: {
    query: RESEND,
    done: (staff) => `A new activation link was sent to ${staff.fullName}.`,
  },
  cancel: {
    query: CANCEL,
    confirm: (staff) => ({
      title: `Cancel ${staff.fullName}'s verification?`,
      message: `Their activation link stops working and they move to Inactive. You can reactivate them later.`,
      confirmLabel: "Cancel Verification",
      cancelLabel: "Keep pending",
      danger: true,
    }),
    held: (staff) => `${staff.fullName}'s verification will be cancelled.`,
    undone: (staff) => `${staff.fullName}'s verification was not cancelled.`,
    done: (staff) => `${staff.fullName}'s verification was cancelled; they are now inactive.`,
  },
  deactivate: {
    query: DEACTIVATE,
    confirm: (staff) => ({
      title: `Deactivate ${staff.fullName}?`,
      message: `${staff.fullName} is signed out at once and can no longer sign in. You can reactivate them later.`,
      confirmLabel: "Deactivate",
      cancelLabel: "Keep active",
      danger: true,
    }),
    held: (staff) => `${staff.fullName} will be deactivated.`,
    undone: (staff) => `${staff.fullName} was not deactivated.`,
    done: (staff) => `${staff.fullName} was deactivated.`,
  },
  reactivate: {
    query: REACTIVATE,
    done: (staff, updated) =>
      updated.status === "ACTIVE"
        ? `${staff.fullName} was reactivated.`
        : `${staff.fullName} was reactivated and sent a new activation link; they are pending until they activate.`,
  },
};

/** The row's buttons: [action, label, danger] in the order shown. Nobody deactivates themself. */
export function rowActions(staff, self) {
  if (staff.status === "ACTIVE") {
    return self ? [["view", "View"]] : [["view", "View"], ["deactivate", "Deactivate", true]];
  }
  if (staff.status === "PENDING") {
    return [["resend", "Resend"], ["cancel", "Cancel", true]];
  }
  return [["reactivate", "Reactivate"]];
}
