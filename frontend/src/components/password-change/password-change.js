// Change password (Your account): the current password and the new one twice. On success
// the server has ended every other session; this one stays. A `password-changed` event
// tells the account page (which frees a session held for a new password).

import { formError } from "../../form-fields.js";
import { mutate } from "../../gql.js";
import { errorsByField, fieldError, formValues, markInvalid } from "../../forms.js";
import { html, render } from "../../html.js";
import { newPasswordFields } from "../../password-fields.js";

const CHANGE = `mutation PasswordChange($input: PasswordChangeInput!) {
  passwordChange(input: $input) { staffMember { id passwordChangeRequired }
    userErrors { field code message retryAfterSeconds } } }`;

class PasswordChange extends HTMLElement {
  connectedCallback() {
    this.addEventListener("submit", (event) => this.#submit(event));
    this.#render();
  }

  #render(errors = {}, status = "") {
    render(
      this,
      html`
        <section class="card" aria-labelledby="password-title">
          <h2 id="password-title" tabindex="-1">Password</h2>
          <form novalidate data-form="password-change">
            <label for="password-current">Current password</label>
            <input id="password-current" name="currentPassword" type="password"
              autocomplete="current-password" required>
            ${fieldError("password-current", errors.currentPassword)}
            ${newPasswordFields("password", errors)}
            ${formError(errors[""])}
            ${status ? html`<p class="success" role="status">${status}</p>` : ""}
            <button type="submit" class="primary">Change password</button>
          </form>
        </section>
      `,
    );
    markInvalid(this.querySelector("form"), errors);
  }

  async #submit(event) {
    event.preventDefault();
    const form = event.target;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    let byField;
    try {
      const payload = await mutate(CHANGE, formValues(form));
      if (!payload.userErrors.length) {
        this.#render({}, "Your password is changed. Any other session of your account has been signed out.");
        this.querySelector("#password-title").focus();
        this.dispatchEvent(new CustomEvent("password-changed", { bubbles: true }));
        return;
      }
      byField = errorsByField(payload.userErrors);
    } catch (failure) {
      byField = { "": failure.message };
    }
    this.#render(byField);
    (this.querySelector("[aria-invalid]") ?? this.querySelector("#password-current")).focus();
  }
}

export function registerPasswordChange() {
  customElements.define("password-change", PasswordChange);
}
