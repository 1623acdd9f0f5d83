// A staff member as the drawer shows them: person, sign-in, settings and account, the
// sign-in actions a manager may take, and the History.
//
// Edit dispatches `staff-edit-requested` ({ detail: { staff } }, bubbling) with the person
// as last shown; a sign-in action that changed them announces `staff-changed`.

import { confirmAction } from "../confirm-dialog/confirm-dialog.js";
import { timeOrDash } from "../../dates.js";
import { userErrorsText } from "../../forms.js";
import { mutate } from "../../gql.js";
import { html, render } from "../../html.js";
import { announceStaffChange } from "../../staff-events.js";
import { CARE_TEAM_ID_TYPES } from "../../staff-fields.js";
import { store } from "../../store.js";
import { canManageStaff } from "../../viewer.js";
import { registerStaffHistory } from "../staff-history/staff-history.js";
import { SECURITY_ACTIONS, securityActionsFor } from "./security-actions.js";

const STATUS_TEXT = { ACTIVE: "Active", PENDING: "Pending", INACTIVE: "Inactive" };

function when(value) {
  return timeOrDash(value, "sd-none");
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
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

function careTeamIdentifier(identifier) {
  return identifier ? `${CARE_TEAM_ID_TYPES[identifier.type] ?? identifier.type} ${identifier.number}` : "";
}

function offices(staff) {
  if (!staff.restrictOffices) return "✘ No — works in every office";
  return `✔ Yes — ${staff.offices.map((office) => office.name).join(", ") || "no office"}`;
}

function securityButtons(staff) {
  const actions = securityActionsFor(staff);
  if (!actions.length) return "";
  return html`<div class="sd-security-actions">
    ${actions.map(
      (action) => html`<button type="button" data-action="${action}">${SECURITY_ACTIONS[action].label}</button>`,
    )}
  </div>`;
}

class StaffDetails extends HTMLElement {
  #ready = false;
  #staff = null;

  connectedCallback() {
    if (this.#ready) return;
    this.#ready = true;
    this.addEventListener("click", (event) => this.#onClick(event));
  }

  get #canManage() {
    return canManageStaff(store.state.viewer);
  }

  /** Shows `staff`, with `message` on the status line. */
  show(staff, message = "") {
    this.#staff = staff;
    const manager = this.#canManage;
    // The activation link and email only matter until the person has activated: while
    // pending, and for an inactive person who never did (a failed delivery says why).
    const pending = staff.status === "PENDING";
    const unactivated = pending || (staff.status === "INACTIVE" && !staff.activatedAt);
    render(
      this,
      html`
        <div class="sd-scroll">
          <p class="sd-status-line" role="status">${message}</p>
          <div class="sd-person">
            <h3 class="sd-name" tabindex="-1">${staff.fullName}</h3>
            <p class="sd-badge sd-badge-${staff.status.toLowerCase()}">${STATUS_TEXT[staff.status] ?? staff.status}</p>
          </div>
          <h4>Person</h4>
          <dl class="sd-details">
            ${row("First Name", staff.firstName)} ${row("Last Name", staff.lastName)}
            ${row("Role", staff.role.name)} ${row("Primary Provider", staff.primaryProvider.fullName)}
            ${row("Care Team Role", staff.careTeamRole?.name)}
            ${row("Care Team Identifier", careTeamIdentifier(staff.careTeamIdentifier))}
          </dl>
          <h4>Sign-in and contact</h4>
          <dl class="sd-details">
            ${row("Username", staff.username)} ${row("Email", staff.email)}
            ${row("Cell Phone", staff.cellPhone)} ${row("Home Phone", staff.homePhone)}
            ${row("2-Factor Auth", staff.twoFactorEnabled ? "✔ Enabled" : "✘ Disabled")}
            ${staff.loginLocked ? row("Sign-in", "🔒 Sign-in locked — too many failed attempts") : ""}
            ${pending ? "" : row("Last sign-in", when(staff.lastSignInAt))}
            ${staff.passwordChangeRequired ? row("Password", "A new password is required at the next sign-in") : ""}
          </dl>
          ${manager ? securityButtons(staff) : ""}
          <h4>Staff settings</h4>
          <dl class="sd-details">
            ${row("Email update", staff.emailUpdateEnabled ? "✔ Enabled" : "✘ Disabled")}
            ${row("Restrict Offices", offices(staff))}
            ${row("Daily billing report", staff.dailyBillingReport ? "✔ Sent" : "✘ Not sent")}
          </dl>
          <h4>Account</h4>
          <dl class="sd-details">
            ${row("Status", STATUS_TEXT[staff.status] ?? staff.status)} ${row("Added", when(staff.createdAt))}
            ${row("Activated", when(staff.activatedAt))} ${row("Deactivated", when(staff.deactivatedAt))}
            ${pending ? row("Activation link", linkExpiry(staff.activationExpiresAt)) : ""}
            ${unactivated ? row("Activation email", emailDelivery(staff.activationEmail)) : ""}
          </dl>
          ${manager ? html`<staff-history></staff-history>` : ""}
        </div>
        ${manager
          ? html`<div class="sd-actions">
              <button type="button" class="primary" data-action="edit">Edit</button>
            </div>`
          : ""}
      `,
    );
    if (manager) this.querySelector("staff-history").load(staff.id);
  }

  #onClick(event) {
    const button = event.target.closest("button[data-action]");
    if (!button || !this.contains(button)) return;
    const { action } = button.dataset;
    if (action === "edit") {
      this.dispatchEvent(new CustomEvent("staff-edit-requested", { bubbles: true, detail: { staff: this.#staff } }));
    }
    else if (SECURITY_ACTIONS[action]) this.#securityAction(button, SECURITY_ACTIONS[action]);
  }

  // Confirm, run, then show the person as they are now (the button may be gone).
  async #securityAction(button, action) {
    const staff = this.#staff;
    const { title, confirmLabel, danger = false } = action;
    const confirmed = await confirmAction({ title, message: action.message(staff), confirmLabel, danger });
    if (!confirmed || this.#staff !== staff || !button.isConnected) return;
    button.disabled = true;
    let failure;
    try {
      const payload = await mutate(action.mutation, { id: staff.id });
      if (payload.userErrors.length) failure = userErrorsText(payload.userErrors);
      else {
        // Said even when the drawer was closed meanwhile: the change was made.
        announceStaffChange(payload.staffMember, { created: false });
        if (this.#staff === staff && this.isConnected) {
          this.show(payload.staffMember, action.done(staff));
          this.querySelector(".sd-name").focus();
        }
        return;
      }
    } catch (error) {
      failure = error.message;
    }
    if (button.isConnected) button.disabled = false;
    if (failure) this.#showFailure(failure);
  }

  #showFailure(message) {
    const line = this.querySelector(".sd-status-line");
    line.classList.add("sd-status-error");
    line.textContent = `⚠ ${message}`;
  }
}

export function registerStaffDetails() {
  registerStaffHistory();
  if (!customElements.get("staff-details")) customElements.define("staff-details", StaffDetails);
}
