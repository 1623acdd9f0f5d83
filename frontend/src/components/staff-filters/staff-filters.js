// The Staff list's search and filters form (and, for the card view, its sort). It shows a
// list state and dispatches `filters-change` ({ filters, typing }) with what the form now
// says; `typing` is true for a search applied while the person is still typing.

import { html, render } from "../../html.js";
import { normaliseSearch } from "../staff-page/staff-url.js";

const SEARCH_DELAY_MS = 300;

// The sort choices of the card view, where there are no column headers to press: every
// order a header can give too, so that the select can always show the current one.
const SORTS = [
  ["NAME:ASC", "Name (A–Z)"],
  ["NAME:DESC", "Name (Z–A)"],
  ["USERNAME:ASC", "Username (A–Z)"],
  ["USERNAME:DESC", "Username (Z–A)"],
  ["EMAIL:ASC", "Email (A–Z)"],
  ["EMAIL:DESC", "Email (Z–A)"],
  ["PRIMARY_PROVIDER:ASC", "Primary provider (A–Z)"],
  ["PRIMARY_PROVIDER:DESC", "Primary provider (Z–A)"],
  ["CREATED:DESC", "Newest first"],
  ["CREATED:ASC", "Oldest first"],
  ["LAST_SIGN_IN:DESC", "Last signed in first"],
  ["LAST_SIGN_IN:ASC", "Longest since sign-in first"],
];

class StaffFilters extends HTMLElement {
  #searchTimer = 0;
  #roles = [];
  #roleId = null;

  connectedCallback() {
    render(
      this,
      html`<form class="staff-filters" role="search" aria-label="Filter staff" novalidate>
        <div class="staff-filter staff-filter-search">
          <label for="staff-search">Search by staff name, username</label>
          <input id="staff-search" name="search" type="search" autocomplete="off" maxlength="100" spellcheck="false">
        </div>
        <div class="staff-filter">
          <label for="staff-role">Role</label>
          <select id="staff-role" name="roleId"><option value="">All roles</option></select>
        </div>
        <div class="staff-filter">
          <label for="staff-two-factor">2-Factor Auth</label>
          <select id="staff-two-factor" name="twoFactorEnabled">
            <option value="">All</option>
            <option value="true">Enabled</option>
            <option value="false">Disabled</option>
          </select>
        </div>
        <div class="staff-filter staff-filter-sort">
          <label for="staff-sort">Sort by</label>
          <select id="staff-sort" name="sort">
            ${SORTS.map(([value, label]) => html`<option value="${value}">${label}</option>`)}
          </select>
        </div>
        <div class="staff-filter staff-filter-checks">
          <label class="staff-check" data-only="PENDING">
            <input type="checkbox" name="linkExpired"> Link expired
          </label>
          <label class="staff-check"><input type="checkbox" name="loginLocked"> Sign-in locked</label>
        </div>
      </form>`,
    );
    const form = this.#form;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#dispatch(false);
    });
    form.addEventListener("input", (event) => {
      if (event.target.name !== "search") return;
      clearTimeout(this.#searchTimer);
      this.#searchTimer = setTimeout(() => this.#dispatch(true), SEARCH_DELAY_MS);
    });
    form.addEventListener("change", (event) => {
      if (event.target.name !== "search") this.#dispatch(false);
    });
  }

  disconnectedCallback() {
    clearTimeout(this.#searchTimer);
  }

  get #form() {
    return this.querySelector("form");
  }

  /** Shows a list state in the form. */
  set state(state) {
    const form = this.#form;
    if (normaliseSearch(form.search.value) !== state.search) form.search.value = state.search ?? "";
    this.#roleId = state.roleId;
    form.roleId.value = state.roleId ?? "";
    form.twoFactorEnabled.value = state.twoFactorEnabled === null ? "" : String(state.twoFactorEnabled);
    form.linkExpired.checked = Boolean(state.linkExpired);
    form.loginLocked.checked = Boolean(state.loginLocked);
    form.sort.value = `${state.sort}:${state.direction}`;
    for (const only of this.querySelectorAll("[data-only]")) only.hidden = only.dataset.only !== state.status;
  }

  set roles(roles) {
    this.#roles = roles;
    const select = this.#form.roleId;
    render(
      select,
      html`<option value="">All roles</option>
        ${roles.map((role) => html`<option value="${role.id}">${role.name}</option>`)}`,
    );
    select.value = roles.some((role) => role.id === this.#roleId) ? this.#roleId : "";
  }

  /** What the form says now, a search still waiting included. */
  read() {
    clearTimeout(this.#searchTimer);
    const form = this.#form;
    const twoFactor = form.twoFactorEnabled.value;
    const [sort, direction] = form.sort.value.split(":");
    return {
      search: normaliseSearch(form.search.value),
      // Until the roles arrive the select cannot show the address's role: keep it.
      roleId: this.#roles.length ? form.roleId.value || null : this.#roleId,
      twoFactorEnabled: twoFactor === "" ? null : twoFactor === "true",
      linkExpired: form.linkExpired.checked && !form.linkExpired.closest("[hidden]") ? true : null,
      loginLocked: form.loginLocked.checked ? true : null,
      sort,
      direction,
    };
  }

  #dispatch(typing) {
    this.dispatchEvent(new CustomEvent("filters-change", { bubbles: true, detail: { filters: this.read(), typing } }));
  }
}

export function registerStaffFilters() {
  if (!customElements.get("staff-filters")) customElements.define("staff-filters", StaffFilters);
}
