// Audit events in words, as the staff drawer's History shows them. Failures of the
// actions in FAILED_ACTION_TEXT have their own wording.

export const ACTION_TEXT = {
  "auth.login": "Signed in",
  "auth.logout": "Signed out",
  "auth.lock": "Sign-in locked after too many failed attempts",
  "auth.unlock": "Sign-in unlocked",
  "auth.pin_change": "App PIN changed",
  "auth.app_unlock": "App unlocked",
  "auth.two_factor_enroll": "Two-factor sign-in turned on",
  "auth.two_factor_disable": "Two-factor sign-in turned off",
  "auth.password_change": "Password changed",
  "auth.password_reset": "Password reset with an emailed link",
  "auth.password_reset_request": "Password reset link asked for",
  "staff.create": "Added",
  "staff.update": "Details changed",
  "staff.resend_activation": "Activation email resent",
  "staff.cancel_verification": "Verification cancelled",
  "staff.deactivate": "Deactivated",
  "staff.reactivate": "Reactivated",
  "staff.activate": "Activated the account",
  "staff.reset_two_factor": "Two-factor sign-in reset",
  "staff.set_pin": "App PIN set by an administrator",
  "staff.send_password_reset": "Password reset link sent by an administrator",
  "staff.require_password_change": "New password required at next sign-in",
  "staff.sign_out_everywhere": "Signed out everywhere by an administrator",
  "staff.email_change_request": "Email change asked for",
  "staff.email_change": "Email address changed (confirmed)",
  "practice.create": "Practice created",
  "practice.two_factor_requirement": "Two-factor requirement for Manage Accounts changed",
};
export const FAILED_ACTION_TEXT = {
  "auth.login": "Sign-in failed",
  "auth.pin_change": "App PIN change failed (wrong password)",
  "auth.app_unlock": "App unlock failed (wrong PIN)",
  "auth.two_factor_disable": "Turning off two-factor sign-in failed (wrong password)",
  "auth.password_change": "Password change failed (wrong password)",
  "auth.password_reset": "Password reset failed (wrong two-factor code)",
  "staff.activate": "Activation failed",
};

/** What happened: a failure has its own wording, or the action's with "(failed)". */
export function actionText(event) {
  const failed = event.outcome !== "SUCCESS";
  let text = (failed && FAILED_ACTION_TEXT[event.action]) || ACTION_TEXT[event.action] || event.action;
  if (failed && !FAILED_ACTION_TEXT[event.action]) text = `${text} (failed)`;
  // A change of details names the fields that changed.
  const fields = event.details.find((detail) => detail.key === "fields")?.value;
  return event.action === "staff.update" && fields ? `${text} (${fields})` : text;
}

/** Who did it: a person, a partner system's API client, or nobody signed in. */
export function actorText(event) {
  if (event.actor) return `by ${event.actor.fullName}`;
  if (event.actorApiClient) return `by the API client ${event.actorApiClient.name}`;
  return "not signed in";
}
