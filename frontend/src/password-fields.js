// The new-password pair of the reset page and the password change form: the same advice,
// the same names (the GraphQL input names, so server errors find their field).

import { fieldError } from "./forms.js";
import { html } from "./html.js";

export const PASSWORD_ADVICE =
  "At least 12 characters, not a common password, without your username, and different from " +
  "your current one. A few unrelated words make a good one.";

/** The two fields, with their errors from `errors` (by field name); ids start with `prefix`. */
export function newPasswordFields(prefix, errors = {}) {
  return html`
    <p class="password-advice" id="${prefix}-advice">${PASSWORD_ADVICE}</p>
    <label for="${prefix}-new">New password</label>
    <input id="${prefix}-new" name="newPassword" type="password" autocomplete="new-password"
      required aria-describedby="${prefix}-advice">
    ${fieldError(`${prefix}-new`, errors.newPassword)}
    <label for="${prefix}-confirm">Confirm new password</label>
    <input id="${prefix}-confirm" name="newPasswordConfirmation" type="password"
      autocomplete="new-password" required>
    ${fieldError(`${prefix}-confirm`, errors.newPasswordConfirmation)}
  `;
}
