// The Staff page's live regions: a status for what was done (with an Open button when
// there is one) and for each change that waits to be sent (with its Undo), an alert for
// what went wrong (with Try again when it helps).
// The buttons carry data-action for the page to handle.

import { html, render } from "../../html.js";
import { people } from "../staff-page/staff-bulk.js";

class StaffMessages extends HTMLElement {
  connectedCallback() {
    // Held changes keep their line (and Undo) whatever is announced meanwhile.
    render(
      this,
      html`<div role="status"><div data-region="held"></div><div data-region="status"></div></div>
        <div role="alert" data-region="alert"></div>`,
    );
  }

  #region(name) {
    return this.querySelector(`[data-region="${name}"]`);
  }

  announce(message, extra = "") {
    const mark = html`<span aria-hidden="true">✔</span>`;
    render(this.#region("status"), html`<p class="success staff-message">${mark} ${message}${extra}</p>`);
  }

  /** A change that waits to be sent, with its Undo (staff-undo.js), until release(token). */
  held(message, token) {
    const undo = html`<button type="button" class="staff-undo" data-action="undo" data-token="${token}">Undo</button>`;
    const holder = document.createElement("div");
    render(holder, html`<p class="staff-message staff-held" data-token="${token}">${message} ${undo}</p>`);
    render(this.#region("status"), html``);
    this.#region("held").append(...holder.children);
  }

  /** The held change `token` is sent or undone: its line goes. */
  release(token) {
    for (const line of this.#region("held").querySelectorAll(".staff-held")) {
      if (line.dataset.token === token) line.remove();
    }
  }

  alert(message, { retry = false } = {}) {
    const again = retry ? html` <button type="button" data-action="retry">Try again</button>` : "";
    render(this.#region("alert"), html`<p class="staff-message staff-alert">${message}${again}</p>`);
  }

  /** Who a bulk action was not done for, and why: [{ name, message }]. */
  failures(items) {
    render(
      this.#region("alert"),
      html`<div class="staff-message staff-alert">
        <p>Not done for ${people(items.length)}:</p>
        <ul>${items.map(({ name, message }) => html`<li>${name}: ${message}</li>`)}</ul>
      </div>`,
    );
  }

  clearAlert() {
    render(this.#region("alert"), html``);
  }

  clear() {
    render(this.#region("status"), html``);
    this.clearAlert();
  }
}

export function registerStaffMessages() {
  if (!customElements.get("staff-messages")) customElements.define("staff-messages", StaffMessages);
}
