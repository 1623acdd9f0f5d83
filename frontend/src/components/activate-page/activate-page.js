// Activate account: reached from the emailed link /activate#token=…. The token stays in
// the fragment (browsers never send a fragment to a server) and goes out only inside the
// activationLink query and the accountActivate mutation. The page is public: no signed-in
// viewer is needed. The link says which form to show: a person added in the drawer was
// given a password and a PIN; a person provisioned over SCIM was given neither and
// chooses both here.

import { gql, mutate } from "../../gql.js";
import { errorsByField, fieldError, formValues, markInvalid } from "../../forms.js";
import { html, render } from "../../html.js";
import { fragmentToken, navigate, onNewFragmentToken } from "../../router.js";
import { store } from "../../store.js";
import { canManageStaff, loadViewer, mustEnrolTwoFactor } from "../../viewer.js";

const LINK = `query ActivationLink($token: String!) {
  activationLink(token: $token) { expiresAt givenPassword } }`;

const ACTIVATE = `mutation($input: AccountActivateInput!) { accountActivate(input: $input) {
  account { id fullName username status } userErrors { field code message } } }`;

const LINK_UNUSABLE =
  "This activation link is invalid, already used or expired. Ask your administrator to resend it.";

const USERNAME = ["username", "Username", "username", "text"];
const NEW_PASSWORDS = [
  ["newPassword", "New password", "new-password", "password"],
  ["newPasswordConfirmation", "Confirm new password", "new-password", "password"],
];
const GIVEN_PASSWORD = ["password", "Password from your administrator", "current-password", "password"];
// autocomplete=off: a password manager must not store the PIN as the account's password.
const NEW_PIN = ["newAppUnlockPin", "Mobile app PIN", "off", "password"];

/** The fields of each form, in order: [name, label, autocomplete, type]. */
const FORMS = {
  given: [USERNAME, GIVEN_PASSWORD, ...NEW_PASSWORDS],
  chosen: [USERNAME, ...NEW_PASSWORDS, NEW_PIN],
};

const INTROS = {
  given:
    "Sign in with the username and password your administrator gave you, then choose a " +
    "password of your own.",
  chosen:
    "Your practice created your account for you. Confirm the username from your activation " +
    "email, then choose your password and the PIN that unlocks the mobile app.",
};

// Survives the page being rebuilt when the new session's viewer reaches the store.
let activatedViewer = null;

class ActivatePage extends HTMLElement {
  #token = null;
  #unwatch = null;
  // Which link the page is reading: a newer fragment token makes an older answer stale.
  #reading = 0;

  connectedCallback() {
    this.addEventListener("submit", (event) => this.#submit(event));
    this.addEventListener("click", (event) => {
      if (event.target.closest("[data-action=read-link]")) {
        this.#readLink();
        return;
      }
      const target = event.target.closest("[data-action=continue]")?.dataset.target;
      if (target) navigate(target);
    });
    this.#unwatch = onNewFragmentToken(() => this.#start());
    this.#start();
  }

  disconnectedCallback() {
    this.#unwatch?.();
  }

  #start() {
    this.#token = fragmentToken();
    const justActivated = activatedViewer?.account.id === store.state.viewer?.account?.id;
    if (this.#token) this.#readLink();
    else if (activatedViewer && justActivated) this.#renderSuccess(activatedViewer);
    else this.#renderMissingToken();
  }

  #page(content) {
    render(
      this,
      html`<section class="card narrow activate-card" aria-labelledby="activate-title">${content}</section>`,
    );
  }

  #renderMissingToken() {
    this.#page(html`
      <h1 id="activate-title">Activate your account</h1>
      <p class="notice" role="status">
        This page needs the activation link from your email. Open the link in the activation
        email your practice sent you. If you cannot find the email, or the link has expired, ask
        your administrator to resend it.
      </p>
      <p class="activate-aside">Already activated? <a href="/sign-in" data-link>Sign in</a>.</p>
    `);
  }

  /** Asks the server which form the link leads to; opening the link changes nothing. */
  async #readLink() {
    const reading = ++this.#reading;
    const token = this.#token;
    this.#page(html`
      <h1 id="activate-title">Activate your account</h1>
      <p class="activate-intro" role="status">Checking your activation link…</p>
    `);
    let link;
    try {
      link = (await gql(LINK, { token })).activationLink;
    } catch (error) {
      if (reading === this.#reading) this.#renderReadFailed(error.message);
      return;
    }
    if (reading !== this.#reading) return;
    if (link === null) {
      this.#forgetToken();
      this.#renderLinkUnusable();
    } else {
      this.#renderForm(link.givenPassword ? "given" : "chosen");
    }
  }

  #renderReadFailed(message) {
    this.#page(html`
      <h1 id="activate-title">Activate your account</h1>
      <p class="form-error" role="alert">${message}</p>
      <button type="button" class="primary" data-action="read-link">Try again</button>
    `);
  }

  #renderForm(kind) {
    this.#page(html`
      <h1 id="activate-title">Activate your account</h1>
      <p class="activate-intro">${INTROS[kind]}</p>
      <form class="activate-form" novalidate>
        ${FORMS[kind].map(
          ([name, text, autocomplete, type]) => html`
            ${name === "newPassword"
              ? html`<p class="activate-hint" id="activate-password-hint">
                  Choose a password of your own: at least 12 characters, not a common password,
                  without your username${kind === "given" ? ", and different from the one you were given" : ""}.
                  A few unrelated words make a good one. Nobody else, not even your
                  administrator, will know it.
                </p>`
              : ""}
            ${name === "newAppUnlockPin"
              ? html`<p class="activate-hint" id="activate-pin-hint">
                  4 digits that unlock the mobile app after a short idle time. Avoid one repeated
                  digit, a run such as 1234, or a common PIN. You can change it later under
                  Your account.
                </p>`
              : ""}
            <div class="activate-field">
              <label for="activate-${name}">${text}</label>
              <input
                id="activate-${name}"
                name="${name}"
                type="${type}"
                autocomplete="${autocomplete}"
                required
                ${type === "text" ? html`autocapitalize="none" spellcheck="false" autofocus` : ""}
                ${name === "newPassword" ? html`aria-describedby="activate-password-hint"` : ""}
                ${name === "newAppUnlockPin"
                  ? html`inputmode="numeric" maxlength="4" aria-describedby="activate-pin-hint"`
                  : ""}
              >
              <div class="activate-error" data-error-for="${name}"></div>
            </div>
          `,
        )}
        <div class="activate-form-error"></div>
        <button type="submit" class="primary">Activate account</button>
      </form>
    `);
    this.querySelector("#activate-username")?.focus();
  }

  #renderLinkUnusable(message) {
    this.#page(html`
      <h1 id="activate-title">This link cannot be used</h1>
      <p class="form-error activate-unusable" role="alert">${message || LINK_UNUSABLE}</p>
      <p class="activate-aside">
        Activation links work once and for 72 hours. If you have already activated your account,
        <a href="/sign-in" data-link>sign in</a> with your own password.
      </p>
    `);
  }

  #renderSuccess(viewer) {
    const name = viewer.account.fullName;
    const canManage = canManageStaff(viewer);
    let next;
    if (mustEnrolTwoFactor(viewer)) {
      next = html`<p class="notice">
          ${viewer.practice.name} requires two-factor sign-in for accounts that manage staff. Set it up
          now to continue.
        </p>
        <button type="button" class="primary" data-action="continue" data-target="/account">
          Set up two-factor sign-in
        </button>`;
    } else if (canManage) {
      next = html`<button type="button" class="primary" data-action="continue" data-target="/staff">
        Continue to Staff
      </button>`;
    } else {
      next = html`<p class="activate-aside">
        From now on, sign in with your username and the password you just chose.
      </p>`;
    }
    this.#page(html`
      <h1 id="activate-title" tabindex="-1">Welcome, ${name}</h1>
      <p class="success" role="status">
        <span aria-hidden="true">✔</span> Your account is active. You are signed in as
        <strong>${viewer.account.username}</strong> at ${viewer.practice.name}.
      </p>
      ${next}
    `);
    this.querySelector("#activate-title").focus();
  }

  #showErrors(form, byField) {
    for (const slot of form.querySelectorAll("[data-error-for]")) {
      const name = slot.dataset.errorFor;
      render(slot, html`${fieldError(`activate-${name}`, byField[name])}`);
    }
    const general = byField[""];
    render(
      form.querySelector(".activate-form-error"),
      general ? html`<p class="form-error" role="alert">${general}</p>` : html``,
    );
    markInvalid(form, byField);
    // The password advice stays attached to the new password, next to any error.
    // The advice stays attached to its field, next to any error.
    for (const [name, hint] of [["newPassword", "activate-password-hint"], ["newAppUnlockPin", "activate-pin-hint"]]) {
      const field = form.elements[name];
      if (!field) continue;
      const described = new Set([...(field.getAttribute("aria-describedby") ?? "").split(" "), hint]);
      field.setAttribute("aria-describedby", [...described].filter(Boolean).join(" "));
    }
  }

  async #submit(event) {
    const form = event.target.closest("form.activate-form");
    if (!form || !this.#token) return;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    this.#showErrors(form, {});
    let payload;
    try {
      payload = await mutate(ACTIVATE, { token: this.#token, ...formValues(form) });
    } catch (error) {
      this.#showErrors(form, { "": error.message });
      button.disabled = false;
      return;
    }
    const errors = payload.userErrors;
    if (errors.some((error) => error.code === "TOKEN_INVALID_OR_EXPIRED")) {
      const message = errors.find((error) => error.code === "TOKEN_INVALID_OR_EXPIRED").message;
      // No form to retry with: the link itself is what failed.
      this.#token = null;
      this.#renderLinkUnusable(message);
      return;
    }
    if (errors.length) {
      const byField = errorsByField(errors);
      if (errors.some((error) => error.code === "INVALID_CREDENTIALS")) {
        // Which of the two was wrong is not said; both fields are the ones to check.
        byField[""] = byField[""] ?? "The username or password is incorrect.";
        if (form.elements.password) form.elements.password.value = "";
      }
      this.#showErrors(form, byField);
      const credentials = form.elements.password ?? form.elements.username;
      if (errors.some((error) => error.code === "INVALID_CREDENTIALS")) {
        credentials.setAttribute("aria-invalid", "true");
        credentials.focus();
      } else {
        form.querySelector("[aria-invalid]")?.focus();
      }
      button.disabled = false;
      return;
    }
    await this.#signedIn();
  }

  async #signedIn() {
    let viewer = null;
    try {
      viewer = await loadViewer();
    } catch {
      viewer = null;
    }
    this.#forgetToken();
    if (!viewer) {
      // Activated, but the new session did not come through: signing in still works.
      this.#page(html`
        <h1 id="activate-title">Your account is active</h1>
        <p class="success" role="status">
          <span aria-hidden="true">✔</span> Your account is active.
          <a href="/sign-in" data-link>Sign in</a> with your username and new password.
        </p>
      `);
      return;
    }
    activatedViewer = viewer;
    // The shell rebuilds this page when a viewer appears; the new one shows the success.
    store.set({ viewer, notice: null });
    if (this.isConnected) this.#renderSuccess(viewer);
  }

  /** Takes the used (or unusable) token out of the address bar and the history entry. */
  #forgetToken() {
    this.#token = null;
    if (window.location.hash) window.history.replaceState({}, "", window.location.pathname);
  }
}

export function registerActivatePage() {
  customElements.define("activate-page", ActivatePage);
}
