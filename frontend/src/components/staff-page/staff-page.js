// The Staff page (DESIGN.md §1): status tabs with live counts, search and filters, an
// endless table of staff with the actions of each status, and the Add Staff drawer.

import { gql, mutate } from "../../gql.js";
import { html, render } from "../../html.js";
import { store } from "../../store.js";
import { canManageStaff } from "../../viewer.js";
import { confirmAction, registerConfirmDialog } from "../confirm-dialog/confirm-dialog.js";

const PAGE_SIZE = 25;
const SEARCH_DELAY_MS = 300;

const STAFF_FIELDS = `id fullName username email cellPhone status twoFactorEnabled activationExpiresAt
  role { name } primaryProvider { fullName }`;

const PAGE = `query StaffPage($filter: StaffFilter, $first: Int, $after: String) {
  staffMembers(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ${STAFF_FIELDS} } }
  }
}`;
const COUNTS = `query StaffCounts($filter: StaffCountsFilter) {
  staffCounts(filter: $filter) { active pending inactive }
}`;
const ROLES = `query StaffRoles { roles { id name } }`;

// One constant per document, not a function that builds them: `make documents` reads the
// documents from this source (the server's manifest of trusted documents).
const RESEND = `mutation($input: StaffActionInput!) { staffResendActivation(input: $input) {
    staffMember { ${STAFF_FIELDS} } userErrors { field code message } } }`;
const CANCEL = `mutation($input: StaffActionInput!) { staffCancelVerification(input: $input) {
    staffMember { ${STAFF_FIELDS} } userErrors { field code message } } }`;
const DEACTIVATE = `mutation($input: StaffActionInput!) { staffDeactivate(input: $input) {
    staffMember { ${STAFF_FIELDS} } userErrors { field code message } } }`;
const REACTIVATE = `mutation($input: StaffActionInput!) { staffReactivate(input: $input) {
    staffMember { ${STAFF_FIELDS} } userErrors { field code message } } }`;

const TABS = [
  { status: "ACTIVE", key: "active", label: "Active" },
  { status: "PENDING", key: "pending", label: "Pending" },
  { status: "INACTIVE", key: "inactive", label: "Inactive" },
];

// What each row action sends, whether it asks first, and what it says when done.
const ACTIONS = {
  resend: {
    query: RESEND,
    done: (staff) => `A new activation link was sent to ${staff.fullName}.`,
  },
  cancel: {
    query: CANCEL,
    confirm: (staff) => ({
      title: `Cancel ${staff.fullName}'s verification?`,
      message: `Their activation link stops working and they move to Inactive. You can reactivate them later.`,
      confirmLabel: "Cancel Verification",
      cancelLabel: "Keep pending",
      danger: true,
    }),
    done: (staff) => `${staff.fullName}'s verification was cancelled; they are now inactive.`,
  },
  deactivate: {
    query: DEACTIVATE,
    confirm: (staff) => ({
      title: `Deactivate ${staff.fullName}?`,
      message: `${staff.fullName} is signed out at once and can no longer sign in. You can reactivate them later.`,
      confirmLabel: "Deactivate",
      cancelLabel: "Keep active",
      danger: true,
    }),
    done: (staff) => `${staff.fullName} was deactivated.`,
  },
  reactivate: {
    query: REACTIVATE,
    done: (staff, updated) =>
      updated.status === "ACTIVE"
        ? `${staff.fullName} was reactivated.`
        : `${staff.fullName} was reactivated and sent a new activation link; they are pending until they activate.`,
  },
};

const EXPIRY_FORMAT = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

function normaliseSearch(value) {
  return value.split(/\s+/).filter(Boolean).join(" ") || null;
}

function sameFilters(a, b) {
  return a.search === b.search && a.roleId === b.roleId && a.twoFactorEnabled === b.twoFactorEnabled;
}

function recordsText(shown, total) {
  return `Showing ${shown} of ${total} ${total === 1 ? "record" : "records"}`;
}

class StaffPage extends HTMLElement {
  #status = "ACTIVE";
  #filters = { search: null, roleId: null, twoFactorEnabled: null };
  #roles = [];
  #counts = null;
  #rows = [];
  #cursor = null;
  #hasNext = false;
  #total = 0;
  #loading = false;
  #generation = 0; // bumped by every reset: answers for an older list are dropped
  #countsRequest = 0; // the same for the tab counts
  #busy = new Set();
  #searchTimer = 0;
  #observer = null;
  #onStaffChanged = () => this.#reset();

  connectedCallback() {
    const viewer = store.state.viewer;
    if (!canManageStaff(viewer)) {
      render(
        this,
        html`<section class="card">
          <h1>Staff</h1>
          <p class="notice">Your role does not include Manage Accounts, so you cannot see or change staff.</p>
        </section>`,
      );
      return;
    }
    registerConfirmDialog();
    this.#renderShell();
    this.addEventListener("click", (event) => this.#onClick(event));
    this.addEventListener("keydown", (event) => this.#onKeydown(event));
    const form = this.querySelector(".staff-filters");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#applyFilters();
    });
    form.addEventListener("input", (event) => {
      if (event.target.name !== "search") return;
      clearTimeout(this.#searchTimer);
      this.#searchTimer = setTimeout(() => this.#applyFilters(), SEARCH_DELAY_MS);
    });
    form.addEventListener("change", (event) => {
      if (event.target.name !== "search") this.#applyFilters();
    });
    window.addEventListener("staff-changed", this.#onStaffChanged);
    this.#observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) this.#loadMore();
      },
      { rootMargin: "0px 0px 200px 0px" },
    );
    this.#observer.observe(this.querySelector(".staff-sentinel"));
    this.#loadRoles();
    this.#reset();
  }

  disconnectedCallback() {
    this.#generation += 1;
    this.#countsRequest += 1;
    clearTimeout(this.#searchTimer);
    this.#observer?.disconnect();
    window.removeEventListener("staff-changed", this.#onStaffChanged);
  }

  // ---- rendering -------------------------------------------------------------------

  #renderShell() {
    render(
      this,
      html`
        <nav class="breadcrumb" aria-label="Breadcrumb">
          <ol>
            <li>Account</li>
            <li>Practice Management</li>
            <li>General Management</li>
            <li><span aria-current="page">Staff</span></li>
          </ol>
        </nav>
        <div class="staff-title">
          <h1 id="staff-heading">Staff</h1>
          <button type="button" class="primary staff-add" data-action="add">
            <span aria-hidden="true">+</span> Add Staff
          </button>
        </div>
        <section class="card staff-card" aria-labelledby="staff-heading">
          <form class="staff-filters" role="search" aria-label="Filter staff" novalidate>
            <div class="staff-filter staff-filter-search">
              <label for="staff-search">Search by staff name, username</label>
              <input id="staff-search" name="search" type="search" autocomplete="off" maxlength="100"
                spellcheck="false">
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
          </form>
          <div class="staff-tabs" role="tablist" aria-label="Staff by status">
            ${TABS.map(
              (tab) => html`<button type="button" role="tab" id="staff-tab-${tab.key}" data-status="${tab.status}"
                aria-controls="staff-panel" aria-selected="${tab.status === this.#status ? "true" : "false"}"
                tabindex="${tab.status === this.#status ? "0" : "-1"}">${tab.label}</button>`,
            )}
          </div>
          <div id="staff-panel" class="staff-panel" role="tabpanel" aria-labelledby="staff-tab-active">
            <div class="staff-messages">
              <div role="status" data-region="status"></div>
              <div role="alert" data-region="alert"></div>
            </div>
            <div data-region="list"></div>
            <div class="staff-list-footer">
              <p class="staff-summary" data-region="summary" aria-live="polite"></p>
              <button type="button" class="staff-more" data-action="more" hidden>Load more</button>
              <p class="staff-end" data-region="end" hidden>You have reached the end.</p>
            </div>
            <div class="staff-sentinel" aria-hidden="true"></div>
          </div>
        </section>
      `,
    );
  }

  #region(name) {
    return this.querySelector(`[data-region="${name}"]`);
  }

  #tab() {
    return TABS.find((tab) => tab.status === this.#status);
  }

  #renderTabs() {
    for (const tab of TABS) {
      const button = this.querySelector(`#staff-tab-${tab.key}`);
      const count = this.#counts?.[tab.key];
      button.textContent = count === undefined ? tab.label : `${tab.label} (${count})`;
      const selected = tab.status === this.#status;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
    }
    this.querySelector("#staff-panel").setAttribute("aria-labelledby", `staff-tab-${this.#tab().key}`);
  }

  #renderRoles() {
    const select = this.querySelector("#staff-role");
    const chosen = select.value;
    render(
      select,
      html`<option value="">All roles</option>
        ${this.#roles.map((role) => html`<option value="${role.id}">${role.name}</option>`)}`,
    );
    select.value = this.#roles.some((role) => role.id === chosen) ? chosen : "";
  }

  #renderList() {
    const list = this.#region("list");
    if (!this.#rows.length) {
      if (this.#loading) {
        render(list, html`<p class="staff-loading">Loading staff…</p>`);
      } else {
        render(list, html`<p class="staff-empty">${this.#emptyText()}</p>`);
      }
      return;
    }
    const tab = this.#tab();
    const pending = this.#status === "PENDING";
    render(
      list,
      html`
        <div class="staff-table-scroll" tabindex="0" role="region" aria-label="${tab.label} staff (scrolls sideways)">
          <table class="staff-table">
            <caption class="visually-hidden">${tab.label} staff</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Username</th>
                <th scope="col">Email</th>
                <th scope="col">Cell phone</th>
                <th scope="col">Primary provider</th>
                <th scope="col">2-Factor Auth</th>
                ${pending ? html`<th scope="col">Activation link</th>` : ""}
                <th scope="col"><span class="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>${this.#rows.map((staff) => this.#rowTemplate(staff))}</tbody>
          </table>
        </div>
      `,
    );
  }

  #emptyText() {
    const word = this.#tab().label.toLowerCase();
    const { search, roleId, twoFactorEnabled } = this.#filters;
    if (search || roleId || twoFactorEnabled !== null) return `No ${word} staff match your search.`;
    return `There are no ${word} staff.`;
  }

  #rowTemplate(staff) {
    const self = store.state.viewer?.account?.id === staff.id;
    return html`
      <tr data-id="${staff.id}">
        <th scope="row">
          <span class="staff-name">${staff.fullName}${self ? html` <span class="staff-you">(you)</span>` : ""}</span>
          <span class="staff-role">${staff.role.name}</span>
        </th>
        <td>${staff.username}</td>
        <td class="staff-email">${staff.email}</td>
        <td class="staff-phone">${staff.cellPhone ?? this.#none()}</td>
        <td>${staff.primaryProvider.fullName}</td>
        <td>${this.#twoFactor(staff.twoFactorEnabled)}</td>
        ${staff.status === "PENDING" ? html`<td>${this.#expiry(staff.activationExpiresAt)}</td>` : ""}
        <td class="staff-actions">${this.#actions(staff, self)}</td>
      </tr>
    `;
  }

  #none() {
    return html`<span aria-hidden="true">—</span><span class="visually-hidden">None</span>`;
  }

  #twoFactor(enabled) {
    return enabled
      ? html`<span class="staff-2fa staff-2fa-on"><span aria-hidden="true">✔</span> Enabled</span>`
      : html`<span class="staff-2fa staff-2fa-off"><span aria-hidden="true">✘</span> Disabled</span>`;
  }

  #expiry(iso) {
    if (!iso) return this.#none();
    const when = new Date(iso);
    if (when.getTime() <= Date.now()) {
      return html`<span class="staff-expired"><span aria-hidden="true">⚠</span> Link expired</span>`;
    }
    const time = html`<time datetime="${iso}">${EXPIRY_FORMAT.format(when)}</time>`;
    return html`<span class="staff-expiry">Link expires ${time}</span>`;
  }

  #actions(staff, self) {
    const who = html`<span class="visually-hidden"> ${staff.fullName}</span>`;
    const button = (action, label, extra = "") =>
      html`<button type="button" class="staff-action ${extra}" data-action="${action}">${label}${who}</button>`;
    if (staff.status === "ACTIVE") {
      return [button("view", "View"), self ? "" : button("deactivate", "Deactivate", "staff-action-danger")];
    }
    if (staff.status === "PENDING") {
      return [button("resend", "Resend"), button("cancel", "Cancel", "staff-action-danger")];
    }
    return [button("reactivate", "Reactivate")];
  }

  #renderFooter() {
    const summary = this.#region("summary");
    const more = this.querySelector("[data-action=more]");
    const end = this.#region("end");
    const listed = this.#rows.length > 0;
    summary.textContent = listed ? recordsText(this.#rows.length, this.#total) : "";
    more.hidden = !listed || !this.#hasNext;
    more.textContent = this.#loading ? "Loading…" : "Load more";
    more.setAttribute("aria-disabled", String(this.#loading));
    end.hidden = !listed || this.#hasNext || this.#loading;
  }

  // Answers can arrive after the page was left (signed out, another route): say nothing then.
  #say(name, template) {
    const region = this.#region(name);
    if (region) render(region, template);
  }

  #announce(message) {
    const mark = html`<span aria-hidden="true">✔</span>`;
    this.#say("status", html`<p class="success staff-message">${mark} ${message}</p>`);
  }

  #alert(message) {
    this.#say("alert", html`<p class="staff-message staff-alert">${message}</p>`);
  }

  #clearMessages() {
    this.#say("status", html``);
    this.#say("alert", html``);
  }

  // ---- data --------------------------------------------------------------------------

  async #loadRoles() {
    try {
      const { roles } = await gql(ROLES);
      if (!this.isConnected) return;
      this.#roles = roles;
      this.#renderRoles();
    } catch (error) {
      if (this.isConnected) this.#alert(error.message);
    }
  }

  async #refreshCounts() {
    const request = ++this.#countsRequest;
    try {
      const { staffCounts } = await gql(COUNTS, { filter: { ...this.#filters } });
      if (request !== this.#countsRequest) return;
      this.#counts = staffCounts;
      this.#renderTabs();
    } catch (error) {
      if (request === this.#countsRequest) this.#alert(error.message);
    }
  }

  /** Starts the list of the current tab and filters again, and refreshes the counts. */
  #reset() {
    const generation = ++this.#generation;
    this.#rows = [];
    this.#cursor = null;
    this.#hasNext = false;
    this.#total = 0;
    this.#say("alert", html``);
    this.#refreshCounts();
    this.#loadPage(generation, false);
  }

  #loadMore(fromButton = false) {
    if (this.#loading || !this.#hasNext) return;
    this.#loadPage(this.#generation, fromButton);
  }

  async #loadPage(generation, fromButton) {
    this.#loading = true;
    if (!this.#rows.length) this.#renderList();
    this.#renderFooter();
    this.querySelector("#staff-panel").setAttribute("aria-busy", "true");
    const filter = { ...this.#filters, status: this.#status };
    try {
      const { staffMembers } = await gql(PAGE, { filter, first: PAGE_SIZE, after: this.#cursor });
      if (generation !== this.#generation) return; // a newer search or tab has taken over
      const added = staffMembers.edges.map((edge) => edge.node);
      const first = !this.#rows.length;
      this.#rows.push(...added);
      this.#cursor = staffMembers.pageInfo.endCursor;
      this.#hasNext = staffMembers.pageInfo.hasNextPage;
      this.#total = staffMembers.totalCount;
      this.#loading = false;
      if (first) this.#renderList();
      else this.#appendRows(added, fromButton);
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#loading = false;
      if (!this.#rows.length) render(this.#region("list"), html``);
      this.#alert(error.message);
    } finally {
      if (generation === this.#generation) {
        this.querySelector("#staff-panel")?.removeAttribute("aria-busy");
        this.#renderFooter();
        this.#fillViewport();
      }
    }
  }

  #appendRows(added, fromButton) {
    const holder = document.createElement("tbody");
    render(holder, html`${added.map((staff) => this.#rowTemplate(staff))}`);
    const firstNew = holder.querySelector("button");
    this.querySelector(".staff-table tbody").append(...holder.children);
    // A keyboard person who asked for more goes on with the first row that arrived.
    if (fromButton && firstNew) firstNew.focus();
  }

  /** The observer only reports changes: keep loading while the end of the list is in view. */
  #fillViewport() {
    if (!this.#hasNext || this.#loading || !this.isConnected) return;
    const sentinel = this.querySelector(".staff-sentinel");
    if (sentinel.getBoundingClientRect().top < window.innerHeight + 200) this.#loadMore();
  }

  /** Takes the filters as they are in the form now (a search still waiting included). */
  #readFilters() {
    clearTimeout(this.#searchTimer);
    const form = this.querySelector(".staff-filters");
    const twoFactor = form.twoFactorEnabled.value;
    const next = {
      search: normaliseSearch(form.search.value),
      roleId: form.roleId.value || null,
      twoFactorEnabled: twoFactor === "" ? null : twoFactor === "true",
    };
    const changed = !sameFilters(next, this.#filters);
    this.#filters = next;
    return changed;
  }

  #applyFilters() {
    if (this.#readFilters()) this.#reset();
  }

  #selectTab(status, focus) {
    const changed = status !== this.#status;
    this.#status = status;
    this.#renderTabs();
    if (focus) this.querySelector(`[role=tab][data-status="${status}"]`).focus();
    if (this.#readFilters() || changed) this.#reset();
  }

  // ---- events ------------------------------------------------------------------------

  #onClick(event) {
    const tab = event.target.closest("[role=tab]");
    if (tab) return this.#selectTab(tab.dataset.status, false);
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "add") return this.#openDrawer({ mode: "create" });
    if (action === "more") return this.#loadMore(true);
    const id = button.closest("tr")?.dataset.id;
    if (!id) return;
    if (action === "view") return this.#openDrawer({ mode: "view", staffId: id });
    if (ACTIONS[action]) this.#act(action, id);
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
    this.#selectTab(TABS[moves[event.key]].status, true);
  }

  async #openDrawer(options) {
    try {
      // Loaded on first use, so the page works (and loads nothing extra) without it.
      const drawer = await import("../staff-drawer/staff-drawer.js");
      if (!customElements.get("staff-drawer")) drawer.registerStaffDrawer();
      drawer.openStaffDrawer(options);
    } catch {
      this.#alert("The staff form could not be opened. Reload the page and try again.");
    }
  }

  async #act(action, id) {
    const staff = this.#rows.find((row) => row.id === id);
    if (!staff || this.#busy.has(id)) return;
    const spec = ACTIONS[action];
    if (spec.confirm && !(await confirmAction(spec.confirm(staff)))) return;
    if (!this.isConnected) return;
    const generation = this.#generation;
    this.#busy.add(id);
    this.#markBusy(id, true);
    this.#clearMessages();
    try {
      const payload = await mutate(spec.query, { id });
      if (!this.isConnected) return;
      if (payload.userErrors.length) {
        this.#alert(payload.userErrors.map((error) => error.message).join(" "));
        return;
      }
      const updated = payload.staffMember;
      this.#announce(spec.done(staff, updated));
      if (generation === this.#generation) {
        if (updated.status === this.#status) this.#replaceRow(updated);
        else this.#removeRow(id);
      }
      this.#refreshCounts();
    } catch (error) {
      this.#alert(error.message);
    } finally {
      this.#busy.delete(id);
      this.#markBusy(id, false);
    }
  }

  #rowElement(id) {
    return [...this.querySelectorAll(".staff-table tbody tr")].find((row) => row.dataset.id === id);
  }

  #markBusy(id, busy) {
    const row = this.#rowElement(id);
    if (!row) return;
    row.toggleAttribute("aria-busy", busy);
    for (const button of row.querySelectorAll("button")) button.setAttribute("aria-disabled", String(busy));
  }

  #replaceRow(updated) {
    this.#rows = this.#rows.map((row) => (row.id === updated.id ? updated : row));
    const old = this.#rowElement(updated.id);
    if (!old) return;
    const focused = old.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    const holder = document.createElement("tbody");
    render(holder, this.#rowTemplate(updated));
    const row = holder.firstElementChild;
    old.replaceWith(row);
    if (focused) row.querySelector(`[data-action="${focused}"]`)?.focus();
  }

  #removeRow(id) {
    const row = this.#rowElement(id);
    this.#rows = this.#rows.filter((staff) => staff.id !== id);
    this.#total = Math.max(0, this.#total - 1);
    if (row) {
      const hadFocus = row.contains(document.activeElement) || document.activeElement === document.body;
      const neighbour = row.nextElementSibling ?? row.previousElementSibling;
      row.remove();
      if (hadFocus) {
        const target = neighbour?.querySelector("button") ?? this.querySelector("[role=tab][aria-selected=true]");
        target.focus();
      }
    }
    if (!this.#rows.length) this.#renderList();
    this.#renderFooter();
    if (!this.#rows.length) this.#loadMore();
    else this.#fillViewport();
  }
}

export function registerStaffPage() {
  customElements.define("staff-page", StaffPage);
}
