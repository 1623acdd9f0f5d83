// Confirm a new email address: reached from the link sent to it, /confirm-email#token=….
// Opening the link changes nothing (mail scanners open links too); the button does.

import { mutate } from "../../gql.js";
import { html, render } from "../../html.js";
import { fragmentToken, onNewFragmentToken } from "../../router.js";
import { store } from "../../store.js";

const CONFIRM = `mutation ConfirmEmail($input: EmailChangeConfirmInput!) {
  emailChangeConfirm(input: $input) { ok email userErrors { field code message } } }`;

class ConfirmEmailPage extends HTMLElement {
  #unwatch = null;

  connectedCallback() {
    this.addEventListener("submit", (event) => this.#submit(event));
    this.#unwatch = onNewFragmentToken(() => this.#render());
    this.#render();
  }

  disconnectedCallback() {
    this.#unwatch?.();
  }

  #render(result = null) {
    const token = fragmentToken();
    const next = store.state.viewer
      ? html`<a href="/account" data-link>Go to your account</a>`
      : html`<a href="/sign-in" data-link>Sign in</a>`;
    let body;
    if (result?.ok) {
      body = html`<p class="success" role="status">Your email address is now
          <strong>${result.email}</strong>. Your old address has been told of the change.</p>
        <p>${next}</p>`;
    } else if (result?.error || !token) {
      body = html`<p class="form-error" role="alert">${result?.error ??
        "This page needs the link from your confirmation email. Open the link in that email."}</p>
        <p>Confirmation links work once and expire; you can ask for a new one from Your account. ${next}</p>`;
    } else {
      body = html`<p>Confirm that this is the new email address of your staff account. Until you
          do, your account keeps its old address.</p>
        <form novalidate><button type="submit" class="primary">Confirm email address</button></form>`;
    }
    render(this, html`
      <section class="card narrow" aria-labelledby="confirm-email-title">
        <h1 id="confirm-email-title" tabindex="-1">Confirm your new email address</h1>
        ${body}
      </section>
    `);
  }

  async #submit(event) {
    event.preventDefault();
    const button = event.target.querySelector("button[type=submit]");
    button.disabled = true;
    let result;
    try {
      const payload = await mutate(CONFIRM, { token: fragmentToken() });
      result = payload.ok ? { ok: true, email: payload.email } : { error: payload.userErrors.map((e) => e.message).join(" ") };
    } catch (failure) {
      result = { error: failure.message };
    }
    this.#render(result);
    this.querySelector("#confirm-email-title").focus();
  }
}

export function registerConfirmEmailPage() {
  customElements.define("confirm-email-page", ConfirmEmailPage);
}
