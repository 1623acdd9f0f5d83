// Forgot password: asks for a reset link by username or email. The answer is the same
// whether or not an account matched (the server reveals nothing), so the page says what
// happens if one did, and where to look.

import { mutate } from "../../gql.js";
import { html, render } from "../../html.js";

const REQUEST = `mutation ForgotPassword($input: PasswordResetRequestInput!) {
  passwordResetRequest(input: $input) { ok userErrors { field code message } } }`;

class ForgotPasswordPage extends HTMLElement {
  connectedCallback() {
    this.addEventListener("submit", (event) => this.#submit(event));
    this.#renderForm();
  }

  #renderForm(error = "") {
    render(
      this,
      html`
        <section class="card narrow" aria-labelledby="forgot-title">
          <h1 id="forgot-title">Reset your password</h1>
          <p>Enter your username or the email address of your account. If it matches an active
            account, we email you a link to choose a new password.</p>
          <form novalidate>
            <label for="forgot-identifier">Username or email</label>
            <input id="forgot-identifier" name="usernameOrEmail" autocomplete="username"
              autocapitalize="none" spellcheck="false" required
              ${error ? html`aria-invalid="true" aria-describedby="forgot-identifier-error"` : ""}>
            ${error ? html`<p class="field-error" id="forgot-identifier-error" role="alert">${error}</p>` : ""}
            <button type="submit" class="primary">Email me a reset link</button>
          </form>
          <p class="sign-in-alternatives"><a href="/sign-in" data-link>Back to sign in</a></p>
        </section>
      `,
    );
    this.querySelector("#forgot-identifier").focus();
  }

  #renderSent() {
    render(
      this,
      html`
        <section class="card narrow" aria-labelledby="forgot-title">
          <h1 id="forgot-title" tabindex="-1">Check your email</h1>
          <p class="success" role="status">If that matches an active account, we have sent a link
            to its email address. The link works once, until the time the email gives.</p>
          <p>No email after a few minutes? Check your spam folder, or ask your practice
            administrator: they can send you a reset link too.</p>
          <p class="sign-in-alternatives"><a href="/sign-in" data-link>Back to sign in</a></p>
        </section>
      `,
    );
    this.querySelector("#forgot-title").focus();
  }

  async #submit(event) {
    event.preventDefault();
    const form = event.target;
    const usernameOrEmail = form.usernameOrEmail.value.trim();
    if (!usernameOrEmail) return this.#renderForm("Enter your username or email address.");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const payload = await mutate(REQUEST, { usernameOrEmail });
      if (payload.userErrors.length) {
        this.#renderForm(payload.userErrors.map((e) => e.message).join(" "));
        return;
      }
      this.#renderSent();
    } catch (failure) {
      this.#renderForm(failure.message);
      this.querySelector("#forgot-identifier").value = usernameOrEmail;
    }
  }
}

export function registerForgotPasswordPage() {
  customElements.define("forgot-password-page", ForgotPasswordPage);
}
