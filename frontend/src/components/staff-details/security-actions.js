// The sign-in actions of the staff drawer, each asked for in a confirm dialog: what the
// dialog says, the mutation that does it, and the line shown once it is done.

import { STAFF_FIELDS } from "../../staff-fields.js";

const STAFF_UNLOCK_LOGIN = `mutation StaffDrawerUnlockLogin($input: StaffUnlockLoginInput!) {
  staffUnlockLogin(input: $input) { staffMember { ${STAFF_FIELDS} } userErrors { field code message } } }`;
const STAFF_SEND_PASSWORD_RESET = `mutation StaffDrawerSendPasswordReset($input: StaffAccessInput!) {
  staffSendPasswordReset(input: $input) { staffMember { ${STAFF_FIELDS} } userErrors { field code message } } }`;
const STAFF_REQUIRE_PASSWORD_CHANGE = `mutation StaffDrawerRequirePasswordChange($input: StaffAccessInput!) {
  staffRequirePasswordChange(input: $input) { staffMember { ${STAFF_FIELDS} } userErrors { field code message } } }`;
const STAFF_SIGN_OUT_EVERYWHERE = `mutation StaffDrawerSignOutEverywhere($input: StaffAccessInput!) {
  staffSignOutEverywhere(input: $input) { staffMember { ${STAFF_FIELDS} } userErrors { field code message } } }`;
const STAFF_RESET_TWO_FACTOR = `mutation StaffDrawerResetTwoFactor($input: StaffResetTwoFactorInput!) {
  staffResetTwoFactor(input: $input) { staffMember { ${STAFF_FIELDS} } userErrors { field code message } } }`;

/** By the button's data-action; `message` and `done` take the staff member. */
export const SECURITY_ACTIONS = {
  "send-password-reset": {
    label: "Send password reset",
    title: "Send a password reset link?",
    message: (staff) =>
      `${staff.fullName} gets an email at ${staff.email} with a link to choose a new password. It works once, for a limited time; their current password keeps working until they use it.`,
    confirmLabel: "Send reset link",
    mutation: STAFF_SEND_PASSWORD_RESET,
    done: (staff) => `✔ Password reset link sent to ${staff.email}.`,
  },
  "require-password-change": {
    label: "Require new password",
    title: "Require a new password?",
    message: (staff) =>
      `${staff.fullName} is signed out everywhere now, and at the next sign-in must choose a new password before doing anything else.`,
    confirmLabel: "Require new password",
    danger: true,
    mutation: STAFF_REQUIRE_PASSWORD_CHANGE,
    done: () => "✔ A new password is required at the next sign-in.",
  },
  "sign-out-everywhere": {
    label: "Sign out everywhere",
    title: "Sign out everywhere?",
    message: (staff) =>
      `Every session of ${staff.fullName} ends now, in the browser and the mobile app. The account stays active: they can sign in again.`,
    confirmLabel: "Sign out everywhere",
    danger: true,
    mutation: STAFF_SIGN_OUT_EVERYWHERE,
    done: () => "✔ Signed out everywhere.",
  },
  "unlock-login": {
    label: "Unlock sign-in",
    title: "Unlock sign-in?",
    message: (staff) =>
      `${staff.fullName} can try to sign in again straight away, and the count of failed attempts starts over.`,
    confirmLabel: "Unlock sign-in",
    mutation: STAFF_UNLOCK_LOGIN,
    done: () => "✔ Sign-in unlocked.",
  },
  "reset-two-factor": {
    label: "Reset two-factor",
    title: "Reset two-factor sign-in?",
    message: (staff) =>
      `${staff.fullName} will sign in with their password alone until they set up two-factor sign-in again. Their recovery codes stop working.`,
    confirmLabel: "Reset two-factor",
    danger: true,
    mutation: STAFF_RESET_TWO_FACTOR,
    done: () => "✔ Two-factor sign-in reset.",
  },
};

/** The actions that apply to this staff member now, in the order of SECURITY_ACTIONS. */
export function securityActionsFor(staff) {
  const applies = {
    "send-password-reset": staff.status === "ACTIVE",
    "require-password-change": staff.status === "ACTIVE" && !staff.passwordChangeRequired,
    "sign-out-everywhere": staff.status === "ACTIVE",
    "unlock-login": staff.loginLocked,
    "reset-two-factor": staff.twoFactorEnabled,
  };
  return Object.keys(SECURITY_ACTIONS).filter((action) => applies[action]);
}
