// The Staff page's status tabs with their counts. Arrow keys, Home and End move between
// them (the ARIA tabs pattern); choosing one dispatches `tab-change` ({ status }).

import { html, render } from "../../html.js";

export const TABS = [
  { status: "ACTIVE", key: "active", label: "Active" },
  { status: "PENDING", key: "pending", label: "Pending" },
  { status: "INACTIVE", key: "inactive", label: "Inactive" },
];

export function tabOf(status) {
  return TABS.find((tab) => tab.status === status);
}

class StaffTabs extends HTMLElement {
  #selected = "ACTIVE";
  #counts = null;

  connectedCallback() {
    render(
      this,
      html`<div class="staff-tabs" role="tablist" aria-label="Staff by status">
        ${TABS.map(
          (tab) => html`<button type="button" role="tab" id="staff-tab-${tab.key}" data-status="${tab.status}"
            aria-controls="staff-panel" aria-selected="false" tabindex="-1">${tab.label}</button>`,
        )}
      </div>`,
    );
    this.addEventListener("click", (event) => {
      const tab = event.target.closest("[role=tab]");
      if (tab) this.#choose(tab.dataset.status, false);
    });
    this.addEventListener("keydown", (event) => this.#onKeydown(event));
    this.#render();
  }

  /** Shows `status` as the selected tab (without dispatching). */
  set selected(status) {
    this.#selected = status;
    this.#render();
  }

  set counts(counts) {
    this.#counts = counts;
    this.#render();
  }

  focusSelected() {
    this.querySelector(`[role=tab][data-status="${this.#selected}"]`)?.focus();
  }

  #render() {
    for (const tab of TABS) {
      const button = this.querySelector(`#staff-tab-${tab.key}`);
      if (!button) return;
      const count = this.#counts?.[tab.key];
      button.textContent = count === undefined ? tab.label : `${tab.label} (${count})`;
      const selected = tab.status === this.#selected;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
    }
  }

  #choose(status, focus) {
    this.selected = status;
    if (focus) this.focusSelected();
    this.dispatchEvent(new CustomEvent("tab-change", { bubbles: true, detail: { status } }));
  }

  #onKeydown(event) {
    const tab = event.target.closest("[role=tab]");
    if (!tab) return;
    const index = TABS.findIndex((t) => t.status === tab.dataset.status);
    const moves = {
      ArrowRight: (index + 1) % TABS.length,
      ArrowLeft: (index - 1 + TABS.length) % TABS.length,
      Home: 0,
      End: TABS.length - 1,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    this.#choose(TABS[moves[event.key]].status, true);
  }
}

export function registerStaffTabs() {
  if (!customElements.get("staff-tabs")) customElements.define("staff-tabs", StaffTabs);
}
