// Your details (Your account): what the practice has on record, read-only except the email
// address, which the person may change when their account has "Enable email update" on —
// through a link sent to the new address; until it is confirmed the old one stays.

import { formError } from "../../form-fields.js";
import { gql, mutate } from "../../gql.js";
import { errorsByField, fieldError, formValues, markInvalid } from "../../forms.js";
import { timeOrDash } from "../../dates.js";
import { html, render } from "../../html.js";
import { store } from "../../store.js";
import { canManageStaff, isHeld } from "../../viewer.js";

const DETAILS = `query AccountDetails { viewer { pendingEmail account { id fullName username email
  cellPhone homePhone role { name } primaryProvider { fullName } restrictOffices offices { name }
  emailUpdateEnabled lastSignInAt } } }`;
const EMAIL_CHANGE = `mutation EmailChangeRequest($input: EmailChangeRequestInput!) {
  emailChangeRequest(input: $input) { staffMember { id email } userErrors { field code message retryAfterSeconds } } }`;

function row(label, value) {
  return html`<div><dt>${label}</dt><dd>${value || html`<span class="muted">—</span>`}</dd></div>`;
}

class AccountDetails extends HTMLElement {
  #details = null;
  #error = "";
  // The email change form: null (closed) or { errors, values }.
  #emailForm = null;
  #status = "";

  connectedCallback() {
    this.addEventListener("click", (event) => this.#click(event));
    this.addEventListener("submit", (event) => this.#submit(event));
    this.#render();
    this.#load();
  }

  async #load() {
    try {
      this.#details = (await gql(DETAILS)).viewer;
      this.#error = "";
    } catch (failure) {
      this.#error = failure.message;
    }
    this.#render();
  }

  #render() {
    const viewer = store.state.viewer;
    if (!viewer) return; // signed out meanwhile: the shell is leaving this page
    const details = this.#details;
    const account = details?.account;
    render(
      this,
      html`
        <section class="card" aria-labelledby="account-title">
          <h1 id="account-title">Your account</h1>
          <p>Signed in as <strong>${viewer.account.fullName}</strong> (${viewer.account.username}),
            ${viewer.account.role.name}, at ${viewer.practice.name}.</p>
          ${isHeld(viewer) || canManageStaff(viewer)
            ? ""
            : html`<p>Your role does not include managing staff accounts. Ask a practice administrator
                if you need to add or change staff, or any of the details below.</p>`}
          ${this.#error ? html`<p class="form-error" role="alert">${this.#error}</p>` : ""}
          ${this.#error && !account ? html`<button type="button" data-action="details-retry">Try again</button>` : ""}
          ${account
            ? html`
                <dl class="account-details">
                  ${row("Name", account.fullName)} ${row("Username", account.username)}
                  ${row("Email", html`${account.email}${details.pendingEmail
                    ? html`<span class="pending-email">Waiting for confirmation: <strong>${details.pendingEmail}</strong>.
                        Open the link sent to that address.</span>`
                    : ""}`)}
                  ${row("Role", account.role.name)} ${row("Primary provider", account.primaryProvider?.fullName)}
                  ${row("Cell phone", account.cellPhone)} ${row("Home phone", account.homePhone)}
                  ${row("Offices", account.restrictOffices
                    ? account.offices.map((office) => office.name).join(", ") || "None"
                    : "Every office")}
                  ${row("Last sign-in", timeOrDash(account.lastSignInAt, "muted"))}
                </dl>
                ${isHeld(viewer) ? "" : this.#emailSection(account)}
              `
            : this.#error ? "" : html`<p class="loading-inline">Loading…</p>`}
        </section>
      `,
    );
    if (this.#emailForm) markInvalid(this.querySelector("[data-form=email-change]"), this.#emailForm.errors);
  }

  #emailSection(account) {
    const status = this.#status ? html`<p class="success" role="status">${this.#status}</p>` : "";
    if (!account.emailUpdateEnabled) {
      return html`${status}<p class="muted">Your practice administrator manages your email address: ask them to
        change it.</p>`;
    }
    const form = this.#emailForm;
    if (!form) {
      return html`${status}<button type="button" data-action="email-open">Change email address</button>`;
    }
    const { errors } = form;
    return html`
      <form novalidate data-form="email-change">
        <h2 id="email-change-title">Change email address</h2>
        <p>We send a confirmation link to the new address. Your account keeps
          <strong>${account.email}</strong> until you open it.</p>
        <label for="email-new">New email address</label>
        <input id="email-new" name="newEmail" type="email" autocomplete="email" required>
        ${fieldError("email-new", errors.newEmail)}
        <label for="email-password">Current password</label>
        <input id="email-password" name="currentPassword" type="password" autocomplete="current-password" required>
        ${fieldError("email-password", errors.currentPassword)}
        ${formError(errors[""])}
        <div class="form-actions">
          <button type="submit" class="primary">Send confirmation link</button>
          <button type="button" data-action="email-cancel">Cancel</button>
        </div>
      </form>
    `;
  }

  #click(event) {
    const action = event.target.closest("[data-action]")?.dataset.action;
    if (action === "email-open") {
      this.#emailForm = { errors: {} };
      this.#status = "";
      this.#render();
      this.querySelector("#email-new").focus();
    } else if (action === "email-cancel") {
      this.#emailForm = null;
      this.#render();
      this.querySelector("[data-action=email-open]")?.focus();
    } else if (action === "details-retry") {
      this.#error = "";
      this.#render(); // "Loading…" while it asks again
      this.#load();
    }
  }

  async #submit(event) {
    event.preventDefault();
    const form = event.target;
    const values = formValues(form);
    form.querySelector("button[type=submit]").disabled = true;
    let errors;
    try {
      const payload = await mutate(EMAIL_CHANGE, values);
      if (!payload.userErrors.length) {
        this.#emailForm = null;
        this.#status = `We sent a confirmation link to ${values.newEmail}. Your email stays ${payload.staffMember.email} until you open it.`;
        await this.#load();
        this.querySelector("[data-action=email-open]")?.focus();
        return;
      }
      errors = errorsByField(payload.userErrors);
    } catch (failure) {
      errors = { "": failure.message };
    }
    this.#emailForm = { errors };
    this.#render();
    const again = this.querySelector("[data-form=email-change]");
    again.newEmail.value = values.newEmail;
    (again.querySelector("[aria-invalid]") ?? again.newEmail).focus();
  }
}

export function registerAccountDetails() {
  customElements.define("account-details", AccountDetails);
}
