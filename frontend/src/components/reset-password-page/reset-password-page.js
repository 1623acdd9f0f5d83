// Choose a new password: reached from the emailed link /reset-password#token=…. Opening the
// link changes nothing; submitting the form does. When the account has two-factor sign-in
// the server asks for a code too, and the form grows a code field. A reset ends every
// session of the account, this browser's included, so the page ends on "sign in".

import { formError } from "../../form-fields.js";
import { mutate } from "../../gql.js";
import { errorsByField, formValues, markInvalid } from "../../forms.js";
import { html, render } from "../../html.js";
import { newPasswordFields } from "../../password-fields.js";
import { fragmentToken, navigate, onNewFragmentToken } from "../../router.js";
import { store } from "../../store.js";

const RESET = `mutation ResetPassword($input: PasswordResetCompleteInput!) {
  passwordResetComplete(input: $input) { ok twoFactorRequired userErrors { field code message retryAfterSeconds } } }`;

class ResetPasswordPage extends HTMLElement {
  #token = null;
  #unwatch = null;
  // "password": the new password only; "totp" / "recovery": with a two-factor code.
  #step = "password";

  connectedCallback() {
    this.addEventListener("submit", (event) => this.#submit(event));
    this.addEventListener("click", (event) => {
      if (!event.target.closest("[data-action=toggle-recovery]")) return;
      const values = formValues(this.querySelector("form"));
      this.#step = this.#step === "recovery" ? "totp" : "recovery";
      this.#renderForm({}, values);
      this.querySelector("[name=totpCode], [name=recoveryCode]")?.focus();
    });
    this.#unwatch = onNewFragmentToken(() => this.#start());
    this.#start();
  }

  disconnectedCallback() {
    this.#unwatch?.();
  }

  #start() {
    this.#token = fragmentToken();
    this.#step = "password";
    if (this.#token) this.#renderForm();
    else this.#renderUnusable("This page needs the link from your password reset email. Open the link in that email.");
  }

  #page(content) {
    render(this, html`<section class="card narrow" aria-labelledby="reset-title">${content}</section>`);
  }

  #renderForm(errors = {}, values = {}) {
    const code = this.#step !== "password";
    const recovery = this.#step === "recovery";
    this.#page(html`
      <h1 id="reset-title">Choose a new password</h1>
      <form novalidate data-form="reset">
        ${newPasswordFields("reset", errors)}
        ${code
          ? html`
              <p class="notice" role="status">Your account uses two-factor sign-in.
                ${recovery
                  ? "Enter one of your recovery codes."
                  : "Enter the 6-digit code your authenticator app shows."}</p>
              ${recovery
                ? html`<label for="reset-recovery">Recovery code</label>
                    <input id="reset-recovery" name="recoveryCode" autocomplete="off"
                      autocapitalize="none" spellcheck="false" required>`
                : html`<label for="reset-code">Two-factor code</label>
                    <input id="reset-code" name="totpCode" autocomplete="one-time-code"
                      inputmode="numeric" maxlength="6" required>`}
              ${errors.totpCode || errors.recoveryCode
                ? html`<p class="field-error" id="reset-${recovery ? "recovery" : "code"}-error" role="alert">
                    ${errors.totpCode || errors.recoveryCode}</p>`
                : ""}
              <p><button type="button" class="link-button" data-action="toggle-recovery">
                ${recovery ? "Use the authenticator app code instead" : "Use a recovery code instead"}
              </button></p>
            `
          : ""}
        ${formError(errors[""])}
        <button type="submit" class="primary">Set new password</button>
      </form>
    `);
    const form = this.querySelector("form");
    for (const [name, value] of Object.entries(values)) {
      if (form.elements[name]) form.elements[name].value = value;
    }
    markInvalid(form, errors);
  }

  #renderUnusable(message) {
    this.#page(html`
      <h1 id="reset-title">This link cannot be used</h1>
      <p class="form-error" role="alert">${message}</p>
      <p><a href="/forgot-password" data-link>Ask for a new reset link</a> or
        <a href="/sign-in" data-link>sign in</a>.</p>
    `);
  }

  async #submit(event) {
    event.preventDefault();
    const form = event.target;
    const values = formValues(form);
    const input = { token: this.#token, newPassword: values.newPassword,
      newPasswordConfirmation: values.newPasswordConfirmation };
    if (values.totpCode) input.totpCode = values.totpCode.replace(/\s+/g, "");
    if (values.recoveryCode) input.recoveryCode = values.recoveryCode.trim();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    let payload;
    try {
      payload = await mutate(RESET, input);
    } catch (failure) {
      this.#renderForm({ "": failure.message }, values);
      return;
    }
    if (payload.ok) {
      // Every session ended, this browser's too.
      store.set({ viewer: null, notice: "Your password is changed. Sign in with your new password." });
      navigate("/sign-in");
      return;
    }
    const unusable = payload.userErrors.find((e) => e.code === "TOKEN_INVALID_OR_EXPIRED");
    if (unusable) return this.#renderUnusable(unusable.message);
    const byField = errorsByField(payload.userErrors);
    if (payload.twoFactorRequired && this.#step === "password") {
      // Not an error yet: the code is what comes next.
      this.#step = "totp";
      this.#renderForm({}, values);
      this.querySelector("#reset-code").focus();
      return;
    }
    // The two-factor errors name totpCode; shown on whichever code field is showing.
    if (this.#step === "recovery" && byField.totpCode) byField.recoveryCode = byField.totpCode;
    this.#renderForm(byField, values);
    const first = this.querySelector("[aria-invalid]") ?? this.querySelector("[name=newPassword]");
    first.focus();
  }
}

export function registerResetPasswordPage() {
  customElements.define("reset-password-page", ResetPasswordPage);
}
