// The signed-in person as the shell needs them: one query for every page that (re)loads
// the viewer into the store, so they all see the same fields.

import { gql } from "./gql.js";

export const VIEWER = `query { viewer { account { id fullName username role { name } }
  practice { name plan seatLimit seatsUsed requireTwoFactorForManagers }
  permissions twoFactorEnrollmentRequired passwordChangeRequired } }`;

/** The viewer of the current session, or null when nobody is signed in. */
export async function loadViewer() {
  const { viewer } = await gql(VIEWER);
  return viewer;
}

export function canManageStaff(viewer) {
  return Boolean(viewer?.permissions?.includes("MANAGE_ACCOUNTS"));
}

/** Signed in, but held to two-factor enrolment by the practice until it is done. */
export function mustEnrolTwoFactor(viewer) {
  return Boolean(viewer?.twoFactorEnrollmentRequired);
}

/** Signed in, but held until they choose a new password (an administrator required one). */
export function mustChangePassword(viewer) {
  return Boolean(viewer?.passwordChangeRequired);
}

/** Held either way: the session can use the account page only. */
export function isHeld(viewer) {
  return mustEnrolTwoFactor(viewer) || mustChangePassword(viewer);
}
