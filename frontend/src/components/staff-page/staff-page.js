// The Staff page (DESIGN.md §1). It puts together the status tabs (staff-tabs), the search
// and filters (staff-filters), the endless list (staff-list, fed by staff-pager.js), the
// bulk bar and the live regions (staff-messages); keeps their state in the address
// (staff-history.js); hands the row and bulk actions to staff-runner.js and shows what they
// changed; and opens the Staff drawer.

import { gql } from "../../gql.js";
import { html, render } from "../../html.js";
import { onRoute } from "../../router.js";
import { store } from "../../store.js";
import { canManageStaff } from "../../viewer.js";
import { registerConfirmDialog } from "../confirm-dialog/confirm-dialog.js";
import { registerStaffBulkBar } from "../staff-bulk-bar/staff-bulk-bar.js";
import { registerStaffFilters } from "../staff-filters/staff-filters.js";
import { registerStaffList } from "../staff-list/staff-list.js";
import { registerStaffMessages } from "../staff-messages/staff-messages.js";
import { registerStaffTabs, tabOf } from "../staff-tabs/staff-tabs.js";
import { BULK_ACTIONS } from "./staff-bulk.js";
import { StaffHistory } from "./staff-history.js";
import { StaffPager } from "./staff-pager.js";
import { StaffRunner } from "./staff-runner.js";
import { DEFAULT_STATE, exportUrl, filterOf, hasFilters, sameState } from "./staff-url.js";

const COUNTS = `query StaffCounts($filter: StaffCountsFilter) {
  staffCounts(filter: $filter) { active pending inactive }
}`;
const ROLES = `query StaffRoles { roles { id name } }`;

function recordsText(shown, total) {
  return `Showing ${shown} of ${total} ${total === 1 ? "record" : "records"}`;
}

class StaffPage extends HTMLElement {
  #state = { ...DEFAULT_STATE };
  #pager = new StaffPager();
  #history = new StaffHistory();
  #runner = null;
  #counts = null;
  #countsRequest = 0; // answers for older counts are dropped
  #observer = null;
  #highlightId = null; // a person just added, marked once their row arrives
  #onStaffChanged = (event) => this.#staffChanged(event.detail ?? {});
  #onDrawerClosed = (event) => this.#history.personClosed(event.detail?.staffId, this.#state);
  #stopFollowing = null; // the router's unsubscribe
  #onPageHide = () => this.#runner.flush();
  // Signing out ends the session: what waits is sent first, while it still can be.
  #onSignOut = (event) => event.detail.waitUntil(this.#runner.flush());

  connectedCallback() {
    if (!canManageStaff(store.state.viewer)) {
      render(
        this,
        html`<section class="card">
          <h1>Staff</h1>
          <p class="notice">Your role does not include Manage Accounts, so you cannot see or change staff.</p>
        </section>`,
      );
      return;
    }
    [registerConfirmDialog, registerStaffTabs, registerStaffFilters, registerStaffList, registerStaffMessages,
      registerStaffBulkBar].forEach((register) => register());
    this.#renderShell();
    this.#runner = new StaffRunner(this.#runnerHost());
    this.addEventListener("click", (event) => this.#onClick(event));
    this.addEventListener("tab-change", (event) => this.#selectTab(event.detail.status));
    this.addEventListener("filters-change", (event) =>
      this.#apply({ ...this.#state, ...event.detail.filters }, event.detail.typing),
    );
    this.addEventListener("staff-sort", (event) => this.#apply({ ...this.#state, ...event.detail }, false));
    this.addEventListener("staff-open", (event) => this.#openPerson(event.detail.id));
    this.addEventListener("staff-action", (event) => {
      const { action, id } = event.detail;
      if (action === "view") this.#openPerson(id);
      else this.#runner.row(action, id);
    });
    this.addEventListener("selection-change", () => this.#showBulkBar());
    this.querySelector("#staff-search").addEventListener("blur", () => this.#history.endTyping());
    window.addEventListener("staff-changed", this.#onStaffChanged);
    window.addEventListener("staff-drawer-closed", this.#onDrawerClosed);
    // Back and Forward, and the app's own links to /staff (the navigation's "Staff").
    this.#stopFollowing = onRoute(() => this.#followAddress());
    window.addEventListener("pagehide", this.#onPageHide);
    window.addEventListener("before-sign-out", this.#onSignOut);
    this.#observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) this.#loadMore();
      },
      { rootMargin: "0px 0px 200px 0px" },
    );
    this.#observer.observe(this.querySelector(".staff-sentinel"));
    this.#loadRoles();
    const { state, staffId } = this.#history.current();
    this.#state = state;
    this.#showState();
    this.#reset();
    if (staffId) this.#openDrawer({ mode: "view", staffId });
  }

  disconnectedCallback() {
    this.#pager.restart();
    this.#countsRequest += 1;
    this.#observer?.disconnect();
    window.removeEventListener("staff-changed", this.#onStaffChanged);
    window.removeEventListener("staff-drawer-closed", this.#onDrawerClosed);
    this.#stopFollowing?.();
    window.removeEventListener("pagehide", this.#onPageHide);
    window.removeEventListener("before-sign-out", this.#onSignOut);
    this.#runner?.flush(); // another route: what waits is sent now
  }

  // ---- rendering -------------------------------------------------------------------

  #renderShell() {
    render(
      this,
      html`
        <div class="staff-title">
          <div class="staff-title-text">
            <nav class="breadcrumb" aria-label="Breadcrumb">
              <ol>
                <li>Account</li>
                <li>Practice Management</li>
                <li>General Management</li>
                <li><span aria-current="page">Staff</span></li>
              </ol>
            </nav>
            <h1 id="staff-heading">Staff</h1>
          </div>
          <div class="staff-title-actions">
            <a class="staff-export" download>Export CSV</a>
            <button type="button" class="primary staff-add" data-action="add">
              <span aria-hidden="true">+</span> Add Staff
            </button>
          </div>
        </div>
        <section class="card staff-card" aria-labelledby="staff-heading">
          <staff-filters></staff-filters>
          <div class="staff-tabs-row">
            <staff-tabs></staff-tabs>
            <staff-bulk-bar></staff-bulk-bar>
          </div>
          <div id="staff-panel" class="staff-panel" role="tabpanel" aria-labelledby="staff-tab-active">
            <staff-messages></staff-messages>
            <staff-list></staff-list>
            <div class="staff-list-footer">
              <p class="staff-summary" aria-live="polite"></p>
              <button type="button" class="staff-more" data-action="more" hidden>Load more</button>
              <p class="staff-end" hidden>You have reached the end.</p>
            </div>
            <div class="staff-sentinel" aria-hidden="true"></div>
          </div>
        </section>
      `,
    );
  }

  get #list() {
    return this.querySelector("staff-list");
  }

  get #tabs() {
    return this.querySelector("staff-tabs");
  }

  get #messages() {
    return this.querySelector("staff-messages");
  }

  /** Shows the state in the tabs, the form, the panel's name and the export link. */
  #showState() {
    this.#tabs.selected = this.#state.status;
    this.querySelector("staff-filters").state = this.#state;
    this.querySelector("#staff-panel").setAttribute("aria-labelledby", `staff-tab-${tabOf(this.#state.status).key}`);
    this.querySelector(".staff-export").href = exportUrl(this.#state);
  }

  #showList() {
    const { status, sort, direction } = this.#state;
    this.#list.show({
      status,
      sort: { sort, direction },
      rows: this.#pager.rows,
      selfId: store.state.viewer?.account?.id ?? null,
      message: this.#pager.loading ? html`<p class="staff-loading">Loading staff…</p>` : this.#emptyMessage(),
    });
  }

  #emptyMessage() {
    const word = tabOf(this.#state.status).label.toLowerCase();
    if (!hasFilters(this.#state)) return html`<p class="staff-empty">There are no ${word} staff.</p>`;
    return html`<div class="staff-empty">
      <p>No ${word} staff match your search.</p>
      <button type="button" data-action="clear-filters">Clear filters</button>
    </div>`;
  }

  #renderFooter() {
    const { rows, total, hasNext, loading } = this.#pager;
    const more = this.querySelector("[data-action=more]");
    const listed = rows.length > 0;
    this.querySelector(".staff-summary").textContent = listed ? recordsText(rows.length, total) : "";
    more.hidden = !listed || !hasNext;
    more.textContent = loading ? "Loading…" : "Load more";
    more.setAttribute("aria-disabled", String(loading));
    this.querySelector(".staff-end").hidden = !listed || hasNext || loading;
  }

  #showBulkBar() {
    this.querySelector("staff-bulk-bar").show({ selected: this.#list.selection.length, status: this.#state.status });
  }

  /** The counts, with the people whose change waits to be sent counted where they go
   * (as if they matched the search: the counts are right again once the change is sent). */
  #showCounts() {
    if (!this.#counts) return;
    const counts = { ...this.#counts };
    for (const person of this.#runner.waiting) {
      counts[person.status.toLowerCase()] -= 1;
      counts.inactive += 1;
    }
    this.#tabs.counts = counts;
  }

  // ---- the address -----------------------------------------------------------------

  /** Moves to a new list state and records it in the history. */
  #apply(next, typing) {
    if (next.status !== "PENDING") next.linkExpired = null; // expired links exist only there
    if (sameState(next, this.#state)) return;
    this.#history.showList(next, typing);
    this.#state = next;
    this.#showState();
    this.#reset();
  }

  /** Back or Forward: show the list and the person the address names. */
  #followAddress() {
    if (!window.location.pathname.startsWith("/staff")) return;
    this.#history.endTyping();
    const { state, staffId } = this.#history.current();
    if (!sameState(state, this.#state)) {
      this.#state = state;
      this.#showState();
      this.#reset();
    }
    // Later than the drawer's own popstate listener, which closes it.
    if (staffId) setTimeout(() => this.isConnected && this.#openDrawer({ mode: "view", staffId }));
  }

  #openPerson(staffId) {
    this.#history.showPerson(staffId, this.#state);
    this.#openDrawer({ mode: "view", staffId });
  }

  #selectTab(status) {
    // A search still waiting to be applied goes with the tab.
    const filters = this.querySelector("staff-filters").read();
    this.#apply({ ...this.#state, ...filters, status }, false);
  }

  #clearFilters() {
    const { status, sort, direction } = this.#state;
    this.#apply({ ...DEFAULT_STATE, status, sort, direction }, false);
    this.querySelector("#staff-search").focus();
  }

  // ---- data --------------------------------------------------------------------------

  async #loadRoles() {
    try {
      const { roles } = await gql(ROLES);
      if (this.isConnected) this.querySelector("staff-filters").roles = roles;
    } catch (error) {
      if (this.isConnected) this.#messages.alert(error.message);
    }
  }

  async #refreshCounts() {
    const request = ++this.#countsRequest;
    const { status: _all, ...filter } = filterOf(this.#state);
    try {
      const { staffCounts } = await gql(COUNTS, { filter });
      if (request !== this.#countsRequest) return;
      this.#counts = staffCounts;
      this.#showCounts();
    } catch (error) {
      if (request === this.#countsRequest) this.#messages.alert(error.message);
    }
  }

  /** Starts the list of the current state again, and refreshes the counts. */
  #reset() {
    this.#pager.restart();
    this.#messages.clearAlert();
    this.#refreshCounts();
    this.#showBulkBar();
    this.#loadPage(false);
  }

  #loadMore(fromButton = false) {
    if (this.#pager.canLoadMore) this.#loadPage(fromButton);
  }

  async #loadPage(fromButton) {
    const first = !this.#pager.rows.length;
    const { sort, direction } = this.#state;
    const loaded = this.#pager.next(
      { filter: filterOf(this.#state), orderBy: { field: sort, direction } },
      // Someone whose Deactivate or Cancel waits is shown as gone already.
      (staff) => !this.#runner.isHeld(staff.id),
    );
    if (first) this.#showList();
    this.#renderFooter();
    const panel = this.querySelector("#staff-panel");
    panel.setAttribute("aria-busy", "true");
    let added;
    try {
      added = await loaded;
      if (added === null) return; // a newer search or tab has taken over
    } catch (error) {
      if (first) this.#showList();
      this.#messages.alert(error.message, { retry: true });
    }
    if (added && first) this.#showList();
    else if (added) {
      const firstNew = this.#list.append(added);
      // A keyboard person who asked for more goes on with the first row that arrived.
      if (fromButton && firstNew) firstNew.focus();
    }
    if (this.#highlightId && this.#list.highlight(this.#highlightId)) this.#highlightId = null;
    panel.removeAttribute("aria-busy");
    this.#renderFooter();
    this.#fillViewport();
  }

  /** The observer only reports changes: keep loading while the end of the list is in view. */
  #fillViewport() {
    if (!this.#pager.canLoadMore || !this.isConnected) return;
    const sentinel = this.querySelector(".staff-sentinel");
    if (sentinel.getBoundingClientRect().top < window.innerHeight + 200) this.#loadMore();
  }

  // ---- events ------------------------------------------------------------------------

  #onClick(event) {
    const button = event.target.closest("button[data-action]");
    if (!button || button.closest("staff-list table")) return; // the list handles its own rows
    const action = button.dataset.action;
    if (action === "add") this.#openDrawer({ mode: "create" });
    else if (action === "more") this.#loadMore(true);
    else if (action === "retry") this.#retry();
    else if (action === "clear-filters") this.#clearFilters();
    else if (action === "open-new") this.#openPerson(button.dataset.id);
    else if (action === "clear-selection") this.#list.clearSelection();
    else if (action === "resend-expired") this.#runner.resendExpired();
    else if (action === "undo" && this.#runner.undo(button.dataset.token)) this.#tabs.focusSelected();
    else if (BULK_ACTIONS[action]) this.#runner.bulk(action);
  }

  #retry() {
    if (!this.#pager.rows.length) {
      this.#reset();
      return;
    }
    this.#messages.clearAlert();
    this.#loadMore(true);
  }

  async #openDrawer(options) {
    try {
      // Loaded on first use, so the page works (and loads nothing extra) without it.
      const drawer = await import("../staff-drawer/staff-drawer.js");
      if (!customElements.get("staff-drawer")) drawer.registerStaffDrawer();
      drawer.openStaffDrawer(options);
    } catch {
      this.#messages.alert("The staff form could not be opened. Reload the page and try again.");
    }
  }

  /** The drawer changed someone: after a create, show where the new person is. */
  #staffChanged({ id, status, fullName, created }) {
    if (!created) {
      this.#reset();
      return;
    }
    this.#highlightId = id;
    if (status && status !== this.#state.status) this.#apply({ ...this.#state, status }, false);
    else this.#reset();
    const open = html` <button type="button" class="staff-open-new" data-action="open-new" data-id="${id}">Open
      <span class="visually-hidden">${fullName}</span></button>`;
    this.#messages.announce(`${fullName} was added and sent an activation email.`, open);
  }

  // ---- what the actions changed (staff-runner.js) -------------------------------------

  #runnerHost() {
    return {
      find: (id) => this.#pager.find(id),
      selection: () => this.#list.selection,
      clearSelection: () => this.#list.clearSelection(),
      markBusy: (id, busy) => this.#list.markBusy(id, busy),
      messages: this.#messages,
      updated: (staff) => this.#showUpdated(staff),
      gone: (id) => {
        this.#removeRow(id);
        this.#showCounts();
      },
      restart: () => this.#reset(),
      countsChanged: () => this.#refreshCounts(),
      connected: () => this.isConnected,
    };
  }

  /** A person as an action left them: their row changes, or leaves this tab's list. */
  #showUpdated(updated) {
    if (!this.#pager.find(updated.id)) return; // another list by now
    if (updated.status === this.#state.status) {
      this.#pager.replace(updated);
      this.#list.replace(updated);
      return;
    }
    this.#removeRow(updated.id);
  }

  #removeRow(id) {
    const row = this.#list.rowElement(id);
    const hadFocus = row && (row.contains(document.activeElement) || document.activeElement === document.body);
    this.#pager.remove(id);
    const neighbour = this.#list.remove(id);
    if (hadFocus) (neighbour ?? this.querySelector("[role=tab][aria-selected=true]")).focus();
    const empty = !this.#pager.rows.length;
    if (empty) this.#showList();
    this.#renderFooter();
    if (empty) this.#loadMore();
    else this.#fillViewport();
  }
}

export function registerStaffPage() {
  customElements.define("staff-page", StaffPage);
}
