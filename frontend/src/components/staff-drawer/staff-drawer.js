// The "Staff Information" drawer: add a staff member, view one, edit one.
//
// Contract with the Staff page: `openStaffDrawer({ mode: "create" | "view", staffId })`
// opens the one drawer; after a create or an update a `staff-changed` event
// ({ detail: { id, status, fullName, created } }) is dispatched on window, and the page
// announces it; closing dispatches `staff-drawer-closed` ({ detail: { staffId } }).

import { timeOrDash } from "../../dates.js";
import { confirmAction } from "../confirm-dialog/confirm-dialog.js";
import { trapFocus } from "../../focus-trap.js";
import { errorsByField, fieldError, markInvalid } from "../../forms.js";
import { gql, mutate } from "../../gql.js";
import { html, render } from "../../html.js";
import { store } from "../../store.js";
import { canManageStaff } from "../../viewer.js";

const STAFF_FIELDS = `id firstName lastName fullName username email cellPhone homePhone
  role { id name } primaryProvider { id fullName } careTeamRole { code name }
  careTeamIdentifier { type number } emailUpdateEnabled restrictOffices offices { id name }
  dailyBillingReport status twoFactorEnabled loginLocked lastSignInAt passwordChangeRequired
  createdAt activatedAt deactivatedAt
  activationExpiresAt activationEmail { status attempts lastError sentAt }`;

const REFERENCE = `query StaffDrawerReference {
  providers { id fullName } roles { id name } offices { id name } careTeamRoles { code name } }`;
const STAFF_MEMBER = `query StaffDrawerMember($id: ID!) { staffMember(id: $id) { ${STAFF_FIELDS} } }`;
const STAFF_HISTORY = `query StaffDrawerHistory($id: ID!) { staffMember(id: $id) {
  id auditEvents(first: 20) { id createdAt action outcome details { key value } actor { id fullName } actorApiClient { id name } } } }`;
const STAFF_CREATE = `mutation StaffDrawerCreate($input: StaffCreateInput!) {
  staffCreate(input: $input) { staffMember { id status fullName } userErrors { field code message } } }`;
const STAFF_UPDATE = `mutation StaffDrawerUpdate($input: StaffUpdateInput!) {
  staffUpdate(input: $input) { staffMember { ${STAFF_FIELDS} } userErrors { field code message } } }`;
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

// Field names are the GraphQL input names, so server errors find their field.
const LABELS = {
  firstName: "First Name",
  lastName: "Last Name",
  primaryProviderId: "Primary Provider",
  roleId: "Role",
  careTeamRole: "Care Team Role",
  careTeamIdType: "Care Team Identifier type",
  careTeamIdNumber: "Care Team Identifier number",
  username: "Username",
  email: "Email",
  password: "Password",
  passwordConfirmation: "Confirm Password",
  cellPhone: "Cell Phone",
  homePhone: "Home Phone",
  appUnlockPin: "App Unlock PIN",
  emailUpdateEnabled: "Enable email update",
  restrictOffices: "Restrict Offices",
  officeIds: "Offices",
  dailyBillingReport: "Send daily billing report",
};
const REQUIRED_MESSAGES = {
  firstName: "Enter the first name.",
  lastName: "Enter the last name.",
  primaryProviderId: "Choose the primary provider.",
  roleId: "Choose a role.",
  username: "Enter a username.",
  email: "Enter an email address.",
  password: "Enter a password.",
  passwordConfirmation: "Type the password again to confirm it.",
  appUnlockPin: "Enter a 4-digit PIN.",
};
const CREATE_ONLY = ["password", "passwordConfirmation", "appUnlockPin"];
const OPTIONAL_TEXT = ["careTeamRole", "careTeamIdType", "careTeamIdNumber", "cellPhone", "homePhone"];
const EDITABLE_TEXT = ["firstName", "lastName", "primaryProviderId", "roleId", "username", "email", ...OPTIONAL_TEXT];
const FLAGS = ["emailUpdateEnabled", "restrictOffices", "dailyBillingReport"];
const ID_TYPES = { NPI: "NPI", NCSBN_ID: "NCSBN ID" };
const STATUS_TEXT = { ACTIVE: "Active", PENDING: "Pending", INACTIVE: "Inactive" };
// Audit actions in words; failures of these have their own wording.
const ACTION_TEXT = {
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
const FAILED_ACTION_TEXT = {
  "auth.login": "Sign-in failed",
  "auth.pin_change": "App PIN change failed (wrong password)",
  "auth.app_unlock": "App unlock failed (wrong PIN)",
  "auth.two_factor_disable": "Turning off two-factor sign-in failed (wrong password)",
  "auth.password_change": "Password change failed (wrong password)",
  "auth.password_reset": "Password reset failed (wrong two-factor code)",
  "staff.activate": "Activation failed",
};

function when(value) {
  return timeOrDash(value, "sd-none");
}

// Who did it: a person, a partner system's API client, or nobody signed in.
function actorText(event) {
  if (event.actor) return `by ${event.actor.fullName}`;
  if (event.actorApiClient) return `by the API client ${event.actorApiClient.name}`;
  return "not signed in";
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

function canManage() {
  return canManageStaff(store.state.viewer);
}

class StaffDrawer extends HTMLElement {
  #ready = false;
  #mode = "create";
  #staffId = null;
  #staff = null;
  #reference = null;
  #release = null;
  #inerted = [];
  #loadToken = 0;
  #busy = false;

  connectedCallback() {
    if (this.#ready) return;
    this.#ready = true;
    this.hidden = true;
    render(
      this,
      html`
        <div class="sd-backdrop"></div>
        <section class="sd-panel" role="dialog" aria-modal="true" aria-labelledby="sd-title">
          <header class="sd-header">
            <h2 id="sd-title">Staff Information</h2>
            <button type="button" class="sd-close" data-action="close">
              <span aria-hidden="true">✕</span> Close
            </button>
          </header>
          <div class="sd-content"></div>
        </section>
      `,
    );
    this.addEventListener("click", (event) => this.#onClick(event));
    this.addEventListener("change", (event) => this.#onChange(event));
    this.addEventListener("submit", (event) => this.#onSubmit(event));
    window.addEventListener("session-expired", () => this.close());
    window.addEventListener("popstate", () => this.close());
  }

  get #panel() {
    return this.querySelector(".sd-panel");
  }

  get #content() {
    return this.querySelector(".sd-content");
  }

  get #form() {
    return this.querySelector("form.sd-form");
  }

  /** Opens (or re-targets) the drawer; resolves when its content is shown. */
  async open({ mode = "create", staffId = null } = {}) {
    if (mode !== "create" && mode !== "view") throw new TypeError(`Unknown staff drawer mode: ${mode}`);
    if (mode === "view" && !staffId) throw new TypeError("openStaffDrawer: view needs a staffId");
    this.#mode = mode;
    this.#staffId = staffId;
    this.#staff = null;
    this.dataset.mode = mode;
    this.dataset.state = "loading";
    this.#showLoading();
    if (!this.#release) {
      this.hidden = false;
      document.body.classList.add("staff-drawer-open");
      // Everything behind the drawer is out of reach of the keyboard and screen readers.
      this.#inerted = [...document.body.children].filter((el) => el !== this && !el.inert);
      this.#inerted.forEach((el) => {
        el.inert = true;
      });
      this.#release = trapFocus(this.#panel, () => this.close());
    }
    await this.#load();
  }

  close() {
    if (!this.#release) return;
    this.#loadToken += 1; // an answer still on its way is dropped
    this.hidden = true;
    this.dataset.state = "closed";
    document.body.classList.remove("staff-drawer-open");
    this.#inerted.forEach((el) => {
      el.inert = false;
    });
    this.#inerted = [];
    const release = this.#release;
    this.#release = null;
    // Typed passwords do not linger in the page once the drawer is gone.
    render(this.#content, html``);
    release();
    window.dispatchEvent(new CustomEvent("staff-drawer-closed", { detail: { staffId: this.#staffId } }));
  }

  get isOpen() {
    return Boolean(this.#release);
  }

  #showLoading() {
    render(this.#content, html`<p class="loading sd-loading" role="status">Loading…</p>`);
  }

  async #load() {
    const token = ++this.#loadToken;
    try {
      const [reference, member] = await Promise.all([
        this.#reference ? Promise.resolve(this.#reference) : gql(REFERENCE),
        this.#mode === "view" ? gql(STAFF_MEMBER, { id: this.#staffId }) : Promise.resolve(null),
      ]);
      if (token !== this.#loadToken) return;
      this.#reference = reference;
      if (this.#mode === "view") {
        if (!member.staffMember) {
          this.#showFailure("This staff member does not exist any more.");
          return;
        }
        this.#staff = member.staffMember;
        this.#renderView();
        this.querySelector(".sd-name")?.focus();
      } else {
        this.#renderForm();
      }
    } catch (error) {
      if (token !== this.#loadToken) return;
      this.#showFailure(error.message);
    }
  }

  #showFailure(message) {
    this.dataset.state = "error";
    render(
      this.#content,
      html`<div class="sd-scroll">
        <p class="form-error" role="alert">${message}</p>
        <button type="button" data-action="retry">Try again</button>
      </div>`,
    );
  }

  // ---- View ---------------------------------------------------------------------------

  #renderView(savedMessage = "") {
    const staff = this.#staff;
    this.#mode = "view";
    this.dataset.mode = "view";
    this.dataset.state = "ready";
    const identifier = staff.careTeamIdentifier;
    const email = staff.activationEmail;
    render(
      this.#content,
      html`
        <div class="sd-scroll">
          <p class="sd-status-line" role="status">${savedMessage}</p>
          <div class="sd-person">
            <h3 class="sd-name" tabindex="-1">${staff.fullName}</h3>
            <p class="sd-badge sd-badge-${staff.status.toLowerCase()}">
              ${STATUS_TEXT[staff.status] ?? staff.status}
            </p>
          </div>
          <h4>Person</h4>
          <dl class="sd-details">
            ${row("First Name", staff.firstName)} ${row("Last Name", staff.lastName)}
            ${row("Role", staff.role.name)} ${row("Primary Provider", staff.primaryProvider.fullName)}
            ${row("Care Team Role", staff.careTeamRole?.name)}
            ${row(
              "Care Team Identifier",
              identifier ? `${ID_TYPES[identifier.type] ?? identifier.type} ${identifier.number}` : "",
            )}
          </dl>
          <h4>Sign-in and contact</h4>
          <dl class="sd-details">
            ${row("Username", staff.username)} ${row("Email", staff.email)}
            ${row("Cell Phone", staff.cellPhone)} ${row("Home Phone", staff.homePhone)}
            ${row("2-Factor Auth", staff.twoFactorEnabled ? "✔ Enabled" : "✘ Disabled")}
            ${staff.loginLocked ? row("Sign-in", "🔒 Sign-in locked — too many failed attempts") : ""}
            ${staff.status === "PENDING" ? "" : row("Last sign-in", when(staff.lastSignInAt))}
            ${staff.passwordChangeRequired ? row("Password", "A new password is required at the next sign-in") : ""}
          </dl>
          ${canManage() && (staff.loginLocked || staff.twoFactorEnabled || staff.status === "ACTIVE")
            ? html`<div class="sd-security-actions">
                ${staff.status === "ACTIVE"
                  ? html`<button type="button" data-action="send-password-reset">Send password reset</button>
                      ${staff.passwordChangeRequired
                        ? ""
                        : html`<button type="button" data-action="require-password-change">Require new password</button>`}
                      <button type="button" data-action="sign-out-everywhere">Sign out everywhere</button>`
                  : ""}
                ${staff.loginLocked
                  ? html`<button type="button" data-action="unlock-login">Unlock sign-in</button>`
                  : ""}
                ${staff.twoFactorEnabled
                  ? html`<button type="button" data-action="reset-two-factor">Reset two-factor</button>`
                  : ""}
              </div>`
            : ""}
          <h4>Staff settings</h4>
          <dl class="sd-details">
            ${row("Email update", staff.emailUpdateEnabled ? "✔ Enabled" : "✘ Disabled")}
            ${row(
              "Restrict Offices",
              staff.restrictOffices
                ? `✔ Yes — ${staff.offices.map((office) => office.name).join(", ") || "no office"}`
                : "✘ No — works in every office",
            )}
            ${row("Daily billing report", staff.dailyBillingReport ? "✔ Sent" : "✘ Not sent")}
          </dl>
          <h4>Account</h4>
          <dl class="sd-details">
            ${row("Status", STATUS_TEXT[staff.status] ?? staff.status)} ${row("Added", when(staff.createdAt))}
            ${row("Activated", when(staff.activatedAt))} ${row("Deactivated", when(staff.deactivatedAt))}
            ${staff.status === "PENDING" ? row("Activation link", linkExpiry(staff.activationExpiresAt)) : ""}
            ${row("Activation email", emailDelivery(email))}
          </dl>
          ${canManage()
            ? html`<section class="sd-history" aria-labelledby="sd-history-title">
                <h4 id="sd-history-title">History</h4>
                <div class="sd-history-body" aria-live="polite" aria-busy="true">
                  <p class="sd-none">Loading history…</p>
                </div>
              </section>`
            : ""}
        </div>
        ${canManage()
          ? html`<div class="sd-actions">
              <button type="button" class="primary" data-action="edit">Edit</button>
            </div>`
          : ""}
      `,
    );
    this.#loadHistory();
  }

  // Managers only (the field is FORBIDDEN to others); fetched on each view, so the list
  // also shows what the person just saved.
  async #loadHistory() {
    const staffId = this.#staff?.id;
    const token = this.#loadToken;
    if (!staffId || !canManage()) return;
    let content;
    try {
      const data = await gql(STAFF_HISTORY, { id: staffId });
      content = historyList(data.staffMember?.auditEvents ?? []);
    } catch (error) {
      content = html`<p class="form-error" role="alert">The history could not be loaded: ${error.message}</p>`;
    }
    const body = this.querySelector(".sd-history-body");
    if (token !== this.#loadToken || this.#staff?.id !== staffId || !body) return;
    body.setAttribute("aria-busy", "false");
    render(body, content);
  }

  // ---- Create and edit form -----------------------------------------------------------

  #renderForm() {
    const creating = this.#mode === "create";
    const { providers, roles, offices, careTeamRoles } = this.#reference;
    const staff = this.#staff;
    const value = (name) => (staff ? valuesOf(staff)[name] : "") ?? "";
    const flag = (name, fallback) => (staff ? Boolean(staff[name]) : fallback);
    const chosenOffices = new Set((staff?.offices ?? []).map((office) => office.id));
    const idType = value("careTeamIdType");
    const restrict = flag("restrictOffices", false);
    this.dataset.mode = creating ? "create" : "edit";
    this.dataset.state = "ready";
    render(
      this.#content,
      html`
        <form class="sd-form" novalidate aria-label="${creating ? "Add staff" : `Edit ${staff.fullName}`}">
          <div class="sd-scroll">
            <div class="sd-summary" role="alert" tabindex="-1" hidden></div>
            <p class="sd-intro">
              ${creating ? "Add a staff member." : html`Editing <strong>${staff.fullName}</strong>.`} Fields marked
              <span class="sd-req" aria-hidden="true">*</span> are required.
            </p>
            <h3>Person</h3>
            <div class="sd-grid">
              <div>${textField("firstName", value("firstName"), { required: true, autocomplete: "off" })}</div>
              <div>${textField("lastName", value("lastName"), { required: true, autocomplete: "off" })}</div>
            </div>
            ${selectField(
              "primaryProviderId",
              value("primaryProviderId"),
              providers.map((p) => [p.id, p.fullName]),
              { required: true, placeholder: "Choose a provider" },
            )}
            ${selectField(
              "roleId",
              value("roleId"),
              roles.map((r) => [r.id, r.name]),
              { required: true, placeholder: "Choose a role" },
            )}
            ${selectField(
              "careTeamRole",
              value("careTeamRole"),
              careTeamRoles.map((c) => [c.code, c.name]),
              { placeholder: "None", hint: "Puts the staff member on the care team in patient charts." },
            )}
            <fieldset class="sd-pair">
              <legend>Care Team Identifier</legend>
              <div class="sd-grid sd-grid-id">
                <div>
                  ${selectField("careTeamIdType", idType, Object.entries(ID_TYPES), {
                    placeholder: "None",
                    label: "Type",
                  })}
                </div>
                <div>
                  ${textField("careTeamIdNumber", value("careTeamIdNumber"), {
                    label: "Number",
                    inputmode: "numeric",
                    autocomplete: "off",
                    disabled: !idType,
                    hint: "NPI: 10 digits. NCSBN ID: up to 10 digits.",
                  })}
                </div>
              </div>
            </fieldset>

            <h3>Sign-in</h3>
            ${textField("username", value("username"), {
              required: true,
              autocomplete: "off",
              hint: "At least 3 characters: letters, digits and . _ - @",
            })}
            ${textField("email", value("email"), {
              required: true,
              type: "email",
              autocomplete: "off",
              hint: creating
                ? "The activation link is sent here."
                : staff.status === "PENDING"
                  ? "Changing the username or email sends a new activation link."
                  : "",
            })}
            ${creating
              ? html`<div class="sd-grid">
                  <div>
                    ${textField("password", "", {
                      required: true,
                      type: "password",
                      autocomplete: "new-password",
                      hint: "At least 12 characters. The staff member replaces it when they activate.",
                    })}
                  </div>
                  <div>
                    ${textField("passwordConfirmation", "", {
                      required: true,
                      type: "password",
                      autocomplete: "new-password",
                    })}
                  </div>
                </div>`
              : ""}

            <h3>Phones</h3>
            <div class="sd-grid">
              <div>
                ${textField("cellPhone", value("cellPhone"), {
                  type: "tel",
                  autocomplete: "off",
                  hint: "US number, such as 212-555-0123.",
                })}
              </div>
              <div>${textField("homePhone", value("homePhone"), { type: "tel", autocomplete: "off" })}</div>
            </div>

            <h3>Staff settings</h3>
            ${creating
              ? textField("appUnlockPin", "", {
                  required: true,
                  type: "password",
                  inputmode: "numeric",
                  maxlength: "4",
                  pattern: "[0-9]{4}",
                  autocomplete: "off",
                  narrow: true,
                  hint: "4 digits the mobile app asks for after a period of inactivity.",
                })
              : ""}
            ${checkField("emailUpdateEnabled", flag("emailUpdateEnabled", true), "The staff member may change their own email.")}
            ${checkField("restrictOffices", restrict, "The staff member works only in the offices chosen below.")}
            <fieldset class="sd-offices" id="sd-officeIds" ${restrict ? "" : html`hidden`}>
              <legend>Offices <span class="sd-req" aria-hidden="true">*</span>
                <span class="sd-hint-inline">(choose at least one)</span></legend>
              ${offices.map(
                (office) => html`<div class="sd-check">
                  <input type="checkbox" name="officeIds" value="${office.id}" id="sd-office-${office.id}"
                    ${chosenOffices.has(office.id) ? html`checked` : ""}>
                  <label for="sd-office-${office.id}">${office.name}</label>
                </div>`,
              )}
              <div class="sd-error-slot" data-error-for="officeIds"></div>
            </fieldset>
            ${checkField("dailyBillingReport", flag("dailyBillingReport", false), "")}
            ${creating
              ? html`<p class="notice sd-note">The activation link emailed to the staff member is valid for 3 days.</p>`
              : ""}
          </div>
          <div class="sd-actions">
            <button type="submit" class="primary">${creating ? "Add Staff" : "Save changes"}</button>
            <button type="button" data-action="${creating ? "close" : "cancel-edit"}">Cancel</button>
          </div>
        </form>
      `,
    );
    this.#form.querySelector("#sd-firstName").focus();
  }

  #onChange(event) {
    const form = this.#form;
    if (!form || !form.contains(event.target)) return;
    const { name } = event.target;
    if (name === "restrictOffices") {
      form.querySelector(".sd-offices").hidden = !event.target.checked;
    } else if (name === "careTeamIdType") {
      const number = form.elements.careTeamIdNumber;
      number.disabled = !event.target.value;
      if (!event.target.value) number.value = "";
    }
  }

  #onClick(event) {
    const button = event.target.closest("[data-action]");
    if (!button || !this.contains(button)) return;
    const action = button.dataset.action;
    if (action === "close") this.close();
    else if (action === "retry") this.#load();
    else if (action === "edit") {
      this.#mode = "edit";
      this.#renderForm();
    } else if (action === "cancel-edit") {
      this.#renderView();
      this.querySelector("[data-action=edit]")?.focus();
    } else if (action === "focus-field") {
      this.#fieldFor(button.dataset.field)?.focus();
    } else if (action === "unlock-login") {
      this.#securityAction(button, {
        title: "Unlock sign-in?",
        message: `${this.#staff.fullName} can try to sign in again straight away, and the count of failed attempts starts over.`,
        confirmLabel: "Unlock sign-in",
        mutation: STAFF_UNLOCK_LOGIN,
        done: "✔ Sign-in unlocked.",
      });
    } else if (action === "send-password-reset") {
      this.#securityAction(button, {
        title: "Send a password reset link?",
        message: `${this.#staff.fullName} gets an email at ${this.#staff.email} with a link to choose a new password. It works once, for a limited time; their current password keeps working until they use it.`,
        confirmLabel: "Send reset link",
        mutation: STAFF_SEND_PASSWORD_RESET,
        done: `✔ Password reset link sent to ${this.#staff.email}.`,
      });
    } else if (action === "require-password-change") {
      this.#securityAction(button, {
        title: "Require a new password?",
        message: `${this.#staff.fullName} is signed out everywhere now, and at the next sign-in must choose a new password before doing anything else.`,
        confirmLabel: "Require new password",
        danger: true,
        mutation: STAFF_REQUIRE_PASSWORD_CHANGE,
        done: "✔ A new password is required at the next sign-in.",
      });
    } else if (action === "sign-out-everywhere") {
      this.#securityAction(button, {
        title: "Sign out everywhere?",
        message: `Every session of ${this.#staff.fullName} ends now, in the browser and the mobile app. The account stays active: they can sign in again.`,
        confirmLabel: "Sign out everywhere",
        danger: true,
        mutation: STAFF_SIGN_OUT_EVERYWHERE,
        done: "✔ Signed out everywhere.",
      });
    } else if (action === "reset-two-factor") {
      this.#securityAction(button, {
        title: "Reset two-factor sign-in?",
        message: `${this.#staff.fullName} will sign in with their password alone until they set up two-factor sign-in again. Their recovery codes stop working.`,
        confirmLabel: "Reset two-factor",
        danger: true,
        mutation: STAFF_RESET_TWO_FACTOR,
        done: "✔ Two-factor sign-in reset.",
      });
    }
  }

  // The sign-in actions (unlock, reset two-factor, password reset, required new password,
  // sign out everywhere): confirm, run, then show the person as they are now.
  async #securityAction(button, { title, message, confirmLabel, danger = false, mutation, done }) {
    const staffId = this.#staff?.id;
    if (!staffId) return;
    const confirmed = await confirmAction({ title, message, confirmLabel, danger });
    if (!confirmed || this.#staff?.id !== staffId || !button.isConnected) return;
    button.disabled = true;
    let failure;
    try {
      const payload = await mutate(mutation, { id: staffId });
      if (payload.userErrors.length) failure = payload.userErrors.map((e) => e.message).join(" ");
      else if (this.#staff?.id === staffId) {
        this.#staff = payload.staffMember;
        this.#renderView(done);
        this.querySelector(".sd-name")?.focus();
        window.dispatchEvent(
          new CustomEvent("staff-changed", { detail: { id: staffId, status: payload.staffMember.status } }),
        );
        return;
      }
    } catch (error) {
      failure = error.message;
    }
    if (button.isConnected) button.disabled = false;
    if (failure) {
      const line = this.querySelector(".sd-status-line");
      if (line) {
        line.classList.add("sd-status-error");
        line.textContent = `⚠ ${failure}`;
      }
    }
  }

  // ---- Submitting ---------------------------------------------------------------------

  async #onSubmit(event) {
    event.preventDefault();
    const form = this.#form;
    if (!form || this.#busy) return;
    const creating = this.dataset.mode === "create";
    const values = readForm(form);
    const problems = clientErrors(values, creating);
    if (Object.keys(problems).length) {
      this.#showErrors(problems);
      return;
    }
    const submit = form.querySelector("button[type=submit]");
    this.#busy = true;
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      if (creating) await this.#create(values);
      else await this.#update(values);
    } catch (error) {
      this.#showErrors({ "": error.message });
    } finally {
      this.#busy = false;
      submit.disabled = false;
      form.removeAttribute("aria-busy");
    }
  }

  async #create(values) {
    const payload = await mutate(STAFF_CREATE, createInput(values));
    if (payload.userErrors.length) {
      this.#showErrors(errorsByField(payload.userErrors));
      return;
    }
    const { id, status, fullName } = payload.staffMember;
    this.close();
    window.dispatchEvent(new CustomEvent("staff-changed", { detail: { id, status, fullName, created: true } }));
  }

  async #update(values) {
    const input = updateInput(this.#staff, values);
    if (Object.keys(input).length === 1) {
      this.#renderView("Nothing changed.");
      this.querySelector("[data-action=edit]")?.focus();
      return;
    }
    const payload = await mutate(STAFF_UPDATE, input);
    if (payload.userErrors.length) {
      this.#showErrors(errorsByField(payload.userErrors));
      return;
    }
    this.#staff = payload.staffMember;
    const { id, status } = payload.staffMember;
    window.dispatchEvent(new CustomEvent("staff-changed", { detail: { id, status } }));
    if (!this.isOpen) return;
    this.#renderView("✔ Changes saved.");
    this.querySelector("[data-action=edit]")?.focus();
  }

  /** Shows errors beside their fields without re-rendering: what was typed stays. */
  #showErrors(byField) {
    const form = this.#form;
    if (!form) return;
    const known = new Set([...form.querySelectorAll("[data-error-for]")].map((slot) => slot.dataset.errorFor));
    markInvalid(form, byField);
    for (const slot of form.querySelectorAll("[data-error-for]")) {
      render(slot, fieldError(`sd-${slot.dataset.errorFor}`, byField[slot.dataset.errorFor]) || html``);
    }
    // markInvalid points each element at `<its id>-error`; keep hints, and point the office
    // checkboxes at the one message of their group.
    for (const element of form.querySelectorAll("[name]")) {
      const message = byField[element.name];
      const ids = [];
      if (message) ids.push(element.name === "officeIds" ? "sd-officeIds-error" : `${element.id}-error`);
      if (element.dataset.hint) ids.push(element.dataset.hint);
      if (ids.length) element.setAttribute("aria-describedby", ids.join(" "));
      else element.removeAttribute("aria-describedby");
    }

    const fieldNames = Object.keys(byField).filter((name) => name && known.has(name));
    const general = Object.entries(byField).filter(([name]) => !name || !known.has(name));
    const count = fieldNames.length + general.length;
    const summary = form.querySelector(".sd-summary");
    summary.hidden = count === 0;
    // Field order on the form, not the server's order.
    const ordered = [...form.querySelectorAll("[data-error-for]")]
      .map((slot) => slot.dataset.errorFor)
      .filter((name) => fieldNames.includes(name));
    render(
      summary,
      count
        ? html`<p class="sd-summary-title">
              ${count === 1 ? "There is 1 problem" : `There are ${count} problems`} with this form. Nothing was
              saved.
            </p>
            <ul>
              ${general.map(([, message]) => html`<li>${message}</li>`)}
              ${ordered.map(
                (name) => html`<li>
                  <button type="button" class="link-button" data-action="focus-field" data-field="${name}">
                    ${LABELS[name] ?? name}</button
                  >: ${byField[name]}
                </li>`,
              )}
            </ul>`
        : html``,
    );
    const first = ordered.length ? this.#fieldFor(ordered[0]) : null;
    (first ?? summary).focus();
  }

  #fieldFor(name) {
    const form = this.#form;
    if (!form) return null;
    if (name === "officeIds") return form.querySelector(".sd-offices input");
    return form.querySelector(`#sd-${CSS.escape(name)}`);
  }
}

// ---- Markup helpers ---------------------------------------------------------------------

function actionText(event) {
  const failed = event.outcome !== "SUCCESS";
  let text = (failed && FAILED_ACTION_TEXT[event.action]) || ACTION_TEXT[event.action] || event.action;
  if (failed && !FAILED_ACTION_TEXT[event.action]) text = `${text} (failed)`;
  const fields = event.details.find((detail) => detail.key === "fields")?.value;
  return event.action === "staff.update" && fields ? `${text} (${fields})` : text;
}

function historyList(events) {
  if (!events.length) return html`<p class="sd-none">No recorded events yet.</p>`;
  return html`<ol class="sd-history-list">
    ${events.map(
      (event) => html`<li class="sd-history-item${event.outcome === "SUCCESS" ? "" : " sd-history-failed"}">
        <span class="sd-history-time">${when(event.createdAt)}</span>
        <span class="sd-history-action">${event.outcome === "SUCCESS" ? "" : "✘ "}${actionText(event)}</span>
        <span class="sd-history-actor">${actorText(event)}</span>
      </li>`,
    )}
  </ol>`;
}

function row(label, value) {
  const shown = value === null || value === undefined || value === "" ? html`<span class="sd-none">—</span>` : value;
  return html`<div class="sd-row"><dt>${label}</dt><dd>${shown}</dd></div>`;
}

function linkExpiry(expiresAt) {
  if (!expiresAt) return "";
  const expired = new Date(expiresAt).getTime() < Date.now();
  return expired
    ? html`<strong>⚠ Expired</strong> ${when(expiresAt)} — send a new one with Resend`
    : html`Valid until ${when(expiresAt)}`;
}

function emailDelivery(email) {
  if (!email) return "Not sent";
  const attempts = plural(email.attempts, "attempt", "attempts");
  const lastError = email.lastError ? `, last error: ${email.lastError}` : "";
  switch (email.status) {
    case "SENT":
      return html`✔ Sent ${when(email.sentAt)}`;
    case "QUEUED":
      return email.attempts ? `⏳ Queued — ${attempts}${lastError}` : "⏳ Queued — waiting to be sent";
    case "FAILED":
      return `✘ Failed — gave up after ${attempts}${lastError}`;
    case "SUPERSEDED":
      return "Replaced by a newer activation email";
    default:
      return email.status;
  }
}

function label(name, text, required) {
  return html`<label for="sd-${name}"
    >${text}${required ? html` <span class="sd-req" aria-hidden="true">*</span>` : ""}</label
  >`;
}

function hintFor(name, hint) {
  return hint ? html`<p class="sd-hint" id="sd-${name}-hint">${hint}</p>` : "";
}

function textField(name, value, options = {}) {
  const { required, type = "text", autocomplete, inputmode, maxlength, pattern, disabled, hint, narrow } = options;
  return html`<div class="sd-field${narrow ? " sd-narrow" : ""}">
    ${label(name, options.label ?? LABELS[name], required)}
    <input id="sd-${name}" name="${name}" type="${type}" value="${value}"
      ${required ? html`required aria-required="true"` : ""}
      ${autocomplete ? html`autocomplete="${autocomplete}"` : ""}
      ${inputmode ? html`inputmode="${inputmode}"` : ""}
      ${maxlength ? html`maxlength="${maxlength}"` : ""}
      ${pattern ? html`pattern="${pattern}"` : ""}
      ${disabled ? html`disabled` : ""}
      ${hint ? html`data-hint="sd-${name}-hint" aria-describedby="sd-${name}-hint"` : ""}>
    ${hintFor(name, hint)}
    <div class="sd-error-slot" data-error-for="${name}"></div>
  </div>`;
}

function selectField(name, value, options, settings = {}) {
  const { required, placeholder, hint } = settings;
  return html`<div class="sd-field">
    ${label(name, settings.label ?? LABELS[name], required)}
    <select id="sd-${name}" name="${name}"
      ${required ? html`required aria-required="true"` : ""}
      ${hint ? html`data-hint="sd-${name}-hint" aria-describedby="sd-${name}-hint"` : ""}>
      <option value="" ${value ? "" : html`selected`}>${placeholder}</option>
      ${options.map(
        ([optionValue, text]) =>
          html`<option value="${optionValue}" ${optionValue === value ? html`selected` : ""}>${text}</option>`,
      )}
    </select>
    ${hintFor(name, hint)}
    <div class="sd-error-slot" data-error-for="${name}"></div>
  </div>`;
}

function checkField(name, checked, hint) {
  return html`<div class="sd-field sd-check-field">
    <div class="sd-check">
      <input type="checkbox" id="sd-${name}" name="${name}" ${checked ? html`checked` : ""}
        ${hint ? html`data-hint="sd-${name}-hint" aria-describedby="sd-${name}-hint"` : ""}>
      <label for="sd-${name}">${LABELS[name]}</label>
    </div>
    ${hintFor(name, hint)}
    <div class="sd-error-slot" data-error-for="${name}"></div>
  </div>`;
}

// ---- Form values ------------------------------------------------------------------------

function readForm(form) {
  const values = {};
  for (const name of [...EDITABLE_TEXT, ...CREATE_ONLY]) {
    const element = form.elements[name];
    if (!element) continue;
    // Passwords are taken as typed: spaces are part of a passphrase.
    values[name] = element.type === "password" && name !== "appUnlockPin" ? element.value : element.value.trim();
  }
  for (const name of FLAGS) values[name] = form.elements[name].checked;
  values.officeIds = [...form.querySelectorAll("input[name=officeIds]:checked")].map((box) => box.value);
  return values;
}

function clientErrors(values, creating) {
  const errors = {};
  for (const [name, message] of Object.entries(REQUIRED_MESSAGES)) {
    if (!creating && CREATE_ONLY.includes(name)) continue;
    if (!values[name]) errors[name] = message;
  }
  if (creating && values.password && values.passwordConfirmation && values.password !== values.passwordConfirmation) {
    errors.passwordConfirmation = "The two passwords do not match. Type the same password in both fields.";
  }
  if (creating && values.appUnlockPin && !/^[0-9]{4}$/.test(values.appUnlockPin)) {
    errors.appUnlockPin = "Use exactly 4 digits for the PIN.";
  }
  if (values.restrictOffices && !values.officeIds.length) {
    errors.officeIds = "Choose at least one office when Restrict Offices is on.";
  }
  return errors;
}

function createInput(values) {
  const input = {};
  for (const name of [...EDITABLE_TEXT, ...CREATE_ONLY]) input[name] = values[name];
  for (const name of OPTIONAL_TEXT) input[name] = values[name] || null;
  for (const name of FLAGS) input[name] = values[name];
  input.officeIds = values.restrictOffices ? values.officeIds : [];
  return input;
}

/** The staff member's editable fields, as the form holds them. */
function valuesOf(staff) {
  return {
    firstName: staff.firstName,
    lastName: staff.lastName,
    primaryProviderId: staff.primaryProvider.id,
    roleId: staff.role.id,
    careTeamRole: staff.careTeamRole?.code ?? "",
    careTeamIdType: staff.careTeamIdentifier?.type ?? "",
    careTeamIdNumber: staff.careTeamIdentifier?.number ?? "",
    username: staff.username,
    email: staff.email,
    cellPhone: staff.cellPhone ?? "",
    homePhone: staff.homePhone ?? "",
  };
}

/** Only what changed, so an unchanged field never trips a rule or overwrites anything. */
function updateInput(staff, values) {
  const before = valuesOf(staff);
  const input = { id: staff.id };
  for (const name of EDITABLE_TEXT) {
    if ((values[name] ?? "") !== (before[name] ?? "")) {
      input[name] = OPTIONAL_TEXT.includes(name) ? values[name] || null : values[name];
    }
  }
  if ("careTeamIdType" in input || "careTeamIdNumber" in input) {
    input.careTeamIdType = values.careTeamIdType || null;
    input.careTeamIdNumber = values.careTeamIdNumber || null;
  }
  for (const name of FLAGS) {
    if (values[name] !== staff[name]) input[name] = values[name];
  }
  const officesBefore = staff.offices.map((office) => office.id).sort().join(",");
  const officesNow = values.restrictOffices ? [...values.officeIds].sort().join(",") : "";
  if ("restrictOffices" in input || (values.restrictOffices && officesNow !== officesBefore)) {
    input.restrictOffices = values.restrictOffices;
    input.officeIds = values.restrictOffices ? values.officeIds : [];
  }
  return input;
}

// ---- Public API -------------------------------------------------------------------------

export function registerStaffDrawer() {
  if (!customElements.get("staff-drawer")) customElements.define("staff-drawer", StaffDrawer);
}

/** Opens the one Staff Information drawer: `{ mode: "create" }` or `{ mode: "view", staffId }`. */
export function openStaffDrawer({ mode = "create", staffId } = {}) {
  registerStaffDrawer();
  let drawer = document.querySelector("staff-drawer");
  if (!drawer) {
    drawer = document.createElement("staff-drawer");
    document.body.append(drawer);
  }
  return drawer.open({ mode, staffId: staffId ?? null });
}
