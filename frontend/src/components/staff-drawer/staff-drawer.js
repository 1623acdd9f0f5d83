// The "Staff Information" drawer: a modal panel that adds a staff member (staff-form),
// shows one (staff-details) and edits one (staff-form). This shell opens and closes it,
// keeps focus inside and the page behind inert, loads what its content needs, and shows
// loading and failure.
//
// Contract with the Staff page: `openStaffDrawer({ mode: "create" | "view", staffId })`
// opens the one drawer; the window events of staff-events.js say what happened:
// `staff-changed` after a create or an update, `staff-drawer-closed` whenever it closes.

import { confirmDiscard } from "../confirm-dialog/confirm-dialog.js";
import { trapFocus } from "../../focus-trap.js";
import { gql } from "../../gql.js";
import { loadFailed } from "../../form-fields.js";
import { html, render } from "../../html.js";
import { announceDrawerClosed } from "../../staff-events.js";
import { STAFF_FIELDS } from "../../staff-fields.js";
import { registerStaffDetails } from "../staff-details/staff-details.js";
import { registerStaffForm } from "../staff-form/staff-form.js";

const REFERENCE = `query StaffDrawerReference {
  providers { id fullName } roles { id name } offices { id name } careTeamRoles { code name } }`;
const STAFF_MEMBER = `query StaffDrawerMember($id: ID!) { staffMember(id: $id) { ${STAFF_FIELDS} } }`;

class StaffDrawer extends HTMLElement {
  #ready = false;
  #mode = "create";
  #staffId = null;
  #staff = null;
  #reference = null;
  #release = null;
  #inerted = [];
  #loadToken = 0;

  connectedCallback() {
    if (this.#ready) return;
    this.#ready = true;
    this.hidden = true;
    render(
      this,
      html`
        <div class="sd-backdrop" data-action="close"></div>
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
    this.addEventListener("staff-edit-requested", (event) => this.#showForm(event.detail.staff));
    this.addEventListener("staff-saved", (event) => this.#onSaved(event.detail));
    this.addEventListener("staff-form-cancelled", (event) => this.#onCancelled(event.detail));
    // The session is gone: nothing typed can be saved any more, so nothing is asked.
    window.addEventListener("session-expired", () => this.close());
    // The page decides what to show after navigation (it may open the drawer again).
    window.addEventListener("popstate", () => this.close());
  }

  get #panel() {
    return this.querySelector(".sd-panel");
  }

  get #content() {
    return this.querySelector(".sd-content");
  }

  /** Opens (or re-targets) the drawer; resolves when its content is shown. */
  async open({ mode = "create", staffId = null } = {}) {
    if (mode !== "create" && mode !== "view") throw new TypeError(`Unknown staff drawer mode: ${mode}`);
    if (mode === "view" && !staffId) throw new TypeError("openStaffDrawer: view needs a staffId");
    this.#mode = mode;
    this.#staffId = staffId;
    this.#staff = null;
    this.dataset.mode = mode;
    this.#showLoading();
    if (!this.#release) {
      this.hidden = false;
      document.body.classList.add("staff-drawer-open");
      // Everything behind the drawer is out of reach of the keyboard and screen readers.
      this.#inerted = [...document.body.children].filter((el) => el !== this && !el.inert);
      this.#inerted.forEach((el) => {
        el.inert = true;
      });
      this.#release = trapFocus(this.#panel, () => this.requestClose());
    }
    await this.#load();
  }

  /** Closes at once, whatever was typed. */
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
    announceDrawerClosed(this.#mode === "create" ? null : this.#staffId);
  }

  /** Closes, after asking whether to discard a form with changes (Close, Escape, backdrop). */
  async requestClose() {
    const form = this.querySelector("staff-form");
    if (form?.hasChanges) {
      const discard = await confirmDiscard("What you typed in this form has not been saved.");
      if (!form.isConnected) return;
      if (!discard) {
        // A click on the backdrop left focus on the page behind: bring it back in.
        if (!this.#panel.contains(document.activeElement)) this.querySelector(".sd-close").focus();
        return;
      }
    }
    this.close();
  }

  #showLoading() {
    this.dataset.state = "loading";
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
      if (this.#mode === "create") {
        this.#showForm(null);
      } else if (member.staffMember) {
        this.#showDetails(member.staffMember);
        this.querySelector(".sd-name").focus();
      } else {
        this.#showFailure("This staff member does not exist any more.");
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
        ${loadFailed(message, "retry")}
      </div>`,
    );
    // The button that was pressed is gone (Try again): focus stays in the drawer.
    if (!this.#panel.contains(document.activeElement)) this.querySelector("[data-action=retry]").focus();
  }

  #showDetails(staff, message = "") {
    this.#staff = staff;
    this.#mode = "view";
    this.dataset.mode = "view";
    this.dataset.state = "ready";
    render(this.#content, html`<staff-details></staff-details>`);
    this.querySelector("staff-details").show(staff, message);
  }

  /** The create form (no `staff`) or the edit form of `staff`. */
  #showForm(staff) {
    this.#staff = staff;
    this.#mode = staff ? "edit" : "create";
    this.dataset.mode = this.#mode;
    this.dataset.state = "ready";
    render(this.#content, html`<staff-form></staff-form>`);
    this.querySelector("staff-form").start({ staff, reference: this.#reference });
  }

  #onSaved({ staff, created }) {
    if (created) {
      this.close();
      return;
    }
    this.#showDetails(staff, "✔ Changes saved.");
    this.querySelector("[data-action=edit]")?.focus();
  }

  #onCancelled({ message }) {
    if (this.#mode === "create") {
      this.close();
      return;
    }
    this.#showDetails(this.#staff, message);
    this.querySelector("[data-action=edit]")?.focus();
  }

  #onClick(event) {
    const button = event.target.closest("[data-action]");
    if (!button || !this.contains(button)) return;
    if (button.dataset.action === "close") this.requestClose();
    else if (button.dataset.action === "retry") {
      this.querySelector(".sd-close").focus(); // the Try again button is about to go
      this.#showLoading();
      this.#load();
    }
  }
}

// ---- Public API -------------------------------------------------------------------------

export function registerStaffDrawer() {
  registerStaffDetails();
  registerStaffForm();
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
