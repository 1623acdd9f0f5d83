// The Staff list: a table of one status's staff (a card per person on narrow screens, by
// CSS), sortable by its column headers, with a checkbox per row for the bulk actions.
//
// It only shows what it is given. It dispatches `staff-sort` ({ sort, direction }),
// `staff-open` ({ id }), `staff-action` ({ action, id }) and `selection-change`.

import { relativeTimeElement } from "../../dates.js";
import { html, render } from "../../html.js";
import { staffPath } from "../staff-page/staff-url.js";
import { rowActions } from "../staff-page/staff-actions.js";
import { tabOf } from "../staff-tabs/staff-tabs.js";

// The column headers that sort, and the direction a first press sorts in.
const FIRST_DIRECTION = { NAME: "ASC", USERNAME: "ASC", EMAIL: "ASC", PRIMARY_PROVIDER: "ASC", LAST_SIGN_IN: "DESC" };

// Statuses whose rows can be selected for a bulk action (staff-page/staff-bulk.js).
const SELECTABLE = ["ACTIVE", "PENDING"];

function none() {
  return html`<span aria-hidden="true">—</span><span class="visually-hidden">None</span>`;
}

function twoFactor(enabled) {
  return enabled
    ? html`<span class="staff-2fa staff-2fa-on"><span aria-hidden="true">✔</span> Enabled</span>`
    : html`<span class="staff-2fa staff-2fa-off"><span aria-hidden="true">✘</span> Disabled</span>`;
}

function expiry(iso) {
  if (!iso) return none();
  if (new Date(iso).getTime() <= Date.now()) {
    return html`<span class="staff-expired"><span aria-hidden="true">⚠</span> Link expired ${relativeTimeElement(iso)}</span>`;
  }
  return html`<span class="staff-expiry">Link expires ${relativeTimeElement(iso)}</span>`;
}

function lastSignIn(iso) {
  return iso ? relativeTimeElement(iso) : html`<span class="staff-never">Never</span>`;
}

class StaffList extends HTMLElement {
  #status = "ACTIVE";
  #sort = { sort: "NAME", direction: "ASC" };
  #selfId = null;
  #selected = new Set();

  connectedCallback() {
    this.addEventListener("click", (event) => this.#onClick(event));
    this.addEventListener("change", (event) => this.#onChange(event));
  }

  /** Shows these rows (or a message when there are none), replacing what was there. */
  show({ status, sort, rows, selfId, message = null }) {
    this.#status = status;
    this.#sort = sort;
    this.#selfId = selfId;
    this.#selected.clear();
    if (!rows.length) {
      render(this, message ?? html``);
      this.#selectionChanged();
      return;
    }
    const label = tabOf(status).label;
    const pending = status === "PENDING";
    const selectable = SELECTABLE.includes(status);
    render(
      this,
      html`
        <table class="staff-table" data-status="${status}">
          <caption class="visually-hidden">${label} staff</caption>
          <thead>
            <tr>
              ${selectable
                ? html`<td class="staff-select"><label class="staff-select-all"><input type="checkbox"
                    data-select="all" aria-label="Select all loaded ${label.toLowerCase()} staff"><span
                    class="staff-select-all-text" aria-hidden="true">Select all</span></label></td>`
                : ""}
              ${this.#header("Name", "NAME", "staff-col-name")}
              ${this.#header("Username", "USERNAME", "staff-col-username")}
              ${this.#header("Email", "EMAIL", "staff-col-email")}
              <th scope="col" class="staff-col-phone">Cell phone</th>
              ${this.#header("Primary provider", "PRIMARY_PROVIDER", "staff-col-provider")}
              <th scope="col" class="staff-col-2fa">2-Factor Auth</th>
              ${pending
                ? html`<th scope="col" class="staff-col-when">Activation link</th>`
                : this.#header("Last sign-in", "LAST_SIGN_IN", "staff-col-when")}
              <th scope="col" class="staff-col-actions"><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>${rows.map((staff) => this.#row(staff))}</tbody>
        </table>
      `,
    );
    this.#selectionChanged();
  }

  append(rows) {
    const holder = document.createElement("tbody");
    render(holder, html`${rows.map((staff) => this.#row(staff))}`);
    const firstNew = holder.querySelector("button");
    this.querySelector("tbody")?.append(...holder.children);
    this.#syncSelectAll();
    return firstNew;
  }

  replace(staff) {
    const old = this.rowElement(staff.id);
    if (!old) return;
    const focused = old.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    const holder = document.createElement("tbody");
    render(holder, this.#row(staff));
    const row = holder.firstElementChild;
    old.replaceWith(row);
    if (focused) row.querySelector(`[data-action="${focused}"]`)?.focus();
  }

  /** Removes a row; returns the element focus should go to if it was in the row, or null. */
  remove(id) {
    const row = this.rowElement(id);
    this.#selected.delete(id);
    if (!row) return null;
    const neighbour = row.nextElementSibling ?? row.previousElementSibling;
    row.remove();
    this.#selectionChanged();
    return neighbour?.querySelector("button") ?? null;
  }

  rowElement(id) {
    return [...this.querySelectorAll("tbody tr")].find((row) => row.dataset.id === id) ?? null;
  }

  markBusy(id, busy) {
    const row = this.rowElement(id);
    if (!row) return;
    row.toggleAttribute("aria-busy", busy);
    for (const button of row.querySelectorAll("button")) button.setAttribute("aria-disabled", String(busy));
  }

  /** Marks a row as just added or changed (a tint that fades), and brings it into view. */
  highlight(id) {
    const row = this.rowElement(id);
    if (!row) return false;
    row.classList.add("staff-row-new");
    row.scrollIntoView({ block: "nearest" });
    return true;
  }

  get selection() {
    return [...this.#selected];
  }

  clearSelection() {
    this.#selected.clear();
    for (const box of this.querySelectorAll("input[data-select]")) box.checked = false;
    this.#selectionChanged();
  }

  #header(label, field, className) {
    const sorted = this.#sort.sort === field;
    const ascending = this.#sort.direction === "ASC";
    const sortState = sorted ? (ascending ? "ascending" : "descending") : null;
    const arrow = sorted ? (ascending ? "▲" : "▼") : "";
    return html`<th scope="col" class="${className}" aria-sort="${sortState ?? "none"}">
      <button type="button" class="staff-sort" data-sort="${field}">${label}<span class="staff-sort-mark"
        aria-hidden="true">${arrow}</span></button>
    </th>`;
  }

  #row(staff) {
    const self = this.#selfId === staff.id;
    const selectable = SELECTABLE.includes(this.#status) && !(self && staff.status === "ACTIVE");
    const who = html`<span class="visually-hidden"> ${staff.fullName}</span>`;
    const buttons = rowActions(staff, self).map(
      ([action, label, danger]) =>
        html`<button type="button" class="staff-action${danger ? " staff-action-danger" : ""}"
          data-action="${action}">${label}${who}</button>`,
    );
    return html`
      <tr data-id="${staff.id}">
        ${SELECTABLE.includes(this.#status)
          ? html`<td class="staff-select">${selectable
              ? html`<input type="checkbox" data-select="row" aria-label="Select ${staff.fullName}"
                  ${this.#selected.has(staff.id) ? "checked" : ""}>`
              : ""}</td>`
          : ""}
        <th scope="row" class="staff-col-name">
          <a class="staff-name" href="${staffPath(staff.id)}">${staff.fullName}</a>${self
            ? html` <span class="staff-you">(you)</span>`
            : ""}${staff.loginLocked ? html` <span class="staff-locked">Sign-in locked</span>` : ""}
          <span class="staff-role">${staff.role.name}<span class="staff-provider-inline"> · for
            ${staff.primaryProvider.fullName}</span></span>
        </th>
        <td class="staff-col-username">${staff.username}</td>
        <td class="staff-col-email">${staff.email}</td>
        <td class="staff-col-phone">${staff.cellPhone ?? none()}</td>
        <td class="staff-col-provider">${staff.primaryProvider.fullName}</td>
        <td class="staff-col-2fa">${twoFactor(staff.twoFactorEnabled)}</td>
        <td class="staff-col-when">${staff.status === "PENDING"
          ? expiry(staff.activationExpiresAt)
          : lastSignIn(staff.lastSignInAt)}</td>
        <td class="staff-col-actions staff-actions">${buttons}</td>
      </tr>
    `;
  }

  #onClick(event) {
    const sort = event.target.closest("button[data-sort]");
    if (sort) {
      const field = sort.dataset.sort;
      const direction =
        this.#sort.sort === field ? (this.#sort.direction === "ASC" ? "DESC" : "ASC") : FIRST_DIRECTION[field];
      this.#emit("staff-sort", { sort: field, direction });
      return;
    }
    const id = event.target.closest("tr[data-id]")?.dataset.id;
    if (!id) return;
    const link = event.target.closest("a.staff-name");
    // A new tab or window opens the person's address on its own (a fresh page load).
    if (link && !(event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)) {
      event.preventDefault();
      this.#emit("staff-open", { id });
      return;
    }
    const button = event.target.closest("button[data-action]");
    if (button) this.#emit("staff-action", { action: button.dataset.action, id });
  }

  #onChange(event) {
    const box = event.target.closest("input[data-select]");
    if (!box) return;
    const rows = [...this.querySelectorAll("tbody input[data-select=row]")];
    const targets = box.dataset.select === "all" ? rows : [box];
    for (const target of targets) {
      target.checked = box.checked;
      const id = target.closest("tr").dataset.id;
      if (box.checked) this.#selected.add(id);
      else this.#selected.delete(id);
    }
    this.#selectionChanged();
  }

  #syncSelectAll() {
    const all = this.querySelector("input[data-select=all]");
    if (!all) return;
    const rows = this.querySelectorAll("tbody input[data-select=row]").length;
    all.checked = rows > 0 && this.#selected.size === rows;
    all.indeterminate = this.#selected.size > 0 && !all.checked;
  }

  #selectionChanged() {
    this.#syncSelectAll();
    this.#emit("selection-change", { ids: this.selection });
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, detail }));
  }
}

export function registerStaffList() {
  if (!customElements.get("staff-list")) customElements.define("staff-list", StaffList);
}
