// Beside the Staff tabs: the bulk bar when rows are selected ("3 selected" and the actions
// of the tab), and "Resend all expired" on Pending. Its buttons carry data-action for the
// page to handle (staff-page/staff-bulk.js).

import { html, render } from "../../html.js";
import { BULK_BUTTONS } from "../staff-page/staff-bulk.js";

class StaffBulkBar extends HTMLElement {
  show({ selected, status }) {
    const buttons = BULK_BUTTONS[status] ?? [];
    const bar = selected
      ? html`<div class="staff-bulk" role="group" aria-label="Bulk actions">
          <span class="staff-bulk-count">${selected} selected</span>
          ${buttons.map(
            ([action, label, danger]) =>
              html`<button type="button" class="staff-action${danger ? " staff-action-danger" : ""}"
                data-action="${action}">${label}</button>`,
          )}
          <button type="button" class="link-button" data-action="clear-selection">Clear selection</button>
        </div>`
      : "";
    const expired =
      status === "PENDING"
        ? html`<button type="button" class="staff-action" data-action="resend-expired">Resend all expired</button>`
        : "";
    render(this, html`${bar}${expired}`);
  }
}

export function registerStaffBulkBar() {
  if (!customElements.get("staff-bulk-bar")) customElements.define("staff-bulk-bar", StaffBulkBar);
}
