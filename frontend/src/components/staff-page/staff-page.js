// The Staff page (DESIGN.md §1): it orchestrates the status tabs (staff-tabs), the search
// and filters (staff-filters) and the endless list (staff-list), keeps their state in the
// address (staff-url.js), runs the row and bulk actions, and opens the Staff drawer.
//
// History: a tab, filter or sort change pushes an entry; a search typed pushes one entry
// when the typing starts and then replaces it while the person goes on typing, so that Back
// is not one step per keystroke. Opening a person pushes /staff/<id>; closing the drawer
// goes back to the list's address.

import { gql, mutate } from "../../gql.js";
import { html, render } from "../../html.js";
import { store } from "../../store.js";
import { canManageStaff } from "../../viewer.js";
import { confirmAction, registerConfirmDialog } from "../confirm-dialog/confirm-dialog.js";
import { registerStaffFilters } from "../staff-filters/staff-filters.js";
import { registerStaffList } from "../staff-list/staff-list.js";
import { registerStaffTabs, tabOf } from "../staff-tabs/staff-tabs.js";
import { ACTIONS, STAFF_FIELDS } from "./staff-actions.js";
import { BULK_ACTIONS, BULK_BUTTONS, people, resendAllExpired, runBulk } from "./staff-bulk.js";
import { HeldActions } from "./staff-undo.js";
import {
  DEFAULT_STATE,
  exportUrl,
  filterOf,
  hasFilters,
  listUrl,
  personUrl,
  sameState,
  staffIdFromPath,
  stateFromSearch,
} from "./staff-url.js";

const PAGE_SIZE = 25;

const PAGE = `query StaffPage($filter: StaffFilter, $orderBy: StaffOrderBy, $first: Int, $after: String) {
  staffMembers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ${STAFF_FIELDS} } }
  }
}`;
const COUNTS = `query StaffCounts($filter: StaffCountsFilter) {
  staffCounts(filter: $filter) { active pending inactive }
}`;
const ROLES = `query StaffRoles { roles { id name } }`;

function recordsText(shown, total) {
  return `Showing ${shown} of ${total} ${total === 1 ? "record" : "records"}`;
}

class StaffPage extends HTMLElement {
  #state = { ...DEFAULT_STATE };
  #rows = [];
  #cursor = null;
  #hasNext = false;
  #total = 0;
  #loading = false;
  #generation = 0; // bumped by every reset: answers for an older list are dropped
  #countsRequest = 0; // the same for the tab counts
  #busy = new Set();
  #observer = null;
  #typingEntry = false; // the current history entry was pushed by a search being typed
  #highlightId = null; // a person just added, marked once their row arrives
  #counts = null;
  #held = new HeldActions();
  #holding = new Map(); // id -> status, of people whose Deactivate or Cancel waits to be sent
  #undoable = new Map(); // undo token -> { staff, undone }
  #onPageHide = () => this.#held.flush();
  #onStaffChanged = (event) => this.#staffChanged(event.detail ?? {});
  #onDrawerClosed = (event) => this.#drawerClosed(event.detail?.staffId);
  #onPopState = () => this.#followAddress();

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
    registerConfirmDialog();
    registerStaffTabs();
    registerStaffFilters();
    registerStaffList();
    this.#renderShell();
    this.addEventListener("click", (event) => this.#onClick(event));
    this.addEventListener("tab-change", (event) => this.#selectTab(event.detail.status));
    this.addEventListener("filters-change", (event) =>
      this.#apply({ ...this.#state, ...event.detail.filters }, event.detail.typing),
    );
    this.addEventListener("staff-sort", (event) => this.#apply({ ...this.#state, ...event.detail }, false));
    this.addEventListener("staff-open", (event) => this.#openPerson(event.detail.id));
    this.addEventListener("staff-action", (event) => this.#act(event.detail.action, event.detail.id));
    this.addEventListener("selection-change", () => this.#renderBulkBar());
    this.querySelector("#staff-search").addEventListener("blur", () => {
      this.#typingEntry = false;
    });
    window.addEventListener("staff-changed", this.#onStaffChanged);
    window.addEventListener("staff-drawer-closed", this.#onDrawerClosed);
    window.addEventListener("popstate", this.#onPopState);
    window.addEventListener("pagehide", this.#onPageHide);
    this.#observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) this.#loadMore();
      },
      { rootMargin: "0px 0px 200px 0px" },
    );
    this.#observer.observe(this.querySelector(".staff-sentinel"));
    this.#loadRoles();
    this.#state = stateFromSearch(window.location.search);
    this.#showState();
    this.#reset();
    const staffId = staffIdFromPath(window.location.pathname);
    if (staffId) this.#openDrawer({ mode: "view", staffId });
  }

  disconnectedCallback() {
    this.#generation += 1;
    this.#countsRequest += 1;
    this.#observer?.disconnect();
    window.removeEventListener("staff-changed", this.#onStaffChanged);
    window.removeEventListener("staff-drawer-closed", this.#onDrawerClosed);
    window.removeEventListener("popstate", this.#onPopState);
    window.removeEventListener("pagehide", this.#onPageHide);
    this.#held.flush(); // another route: what waits is sent now
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
            <a class="staff-export" data-region="export" download>Export CSV</a>
            <button type="button" class="primary staff-add" data-action="add">
              <span aria-hidden="true">+</span> Add Staff
            </button>
          </div>
        </div>
        <section class="card staff-card" aria-labelledby="staff-heading">
          <staff-filters></staff-filters>
          <div class="staff-tabs-row">
            <staff-tabs></staff-tabs>
            <div class="staff-toolbar" data-region="toolbar"></div>
          </div>
          <div id="staff-panel" class="staff-panel" role="tabpanel" aria-labelledby="staff-tab-active">
            <div class="staff-messages">
              <div role="status" data-region="status"></div>
              <div role="alert" data-region="alert"></div>
            </div>
            <staff-list></staff-list>
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

  get #list() {
    return this.querySelector("staff-list");
  }

  get #tabs() {
    return this.querySelector("staff-tabs");
  }

  /** Shows the state in the tabs, the form, the panel's name and the export link. */
  #showState() {
    this.#tabs.selected = this.#state.status;
    this.querySelector("staff-filters").state = this.#state;
    this.querySelector("#staff-panel").setAttribute("aria-labelledby", `staff-tab-${tabOf(this.#state.status).key}`);
    this.#region("export").href = exportUrl(this.#state);
  }

  #showList() {
    const { status, sort, direction } = this.#state;
    this.#list.show({
      status,
      sort: { sort, direction },
      rows: this.#rows,
      selfId: store.state.viewer?.account?.id ?? null,
      message: this.#loading ? html`<p class="staff-loading">Loading staff…</p>` : this.#emptyMessage(),
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
    const more = this.querySelector("[data-action=more]");
    const listed = this.#rows.length > 0;
    this.#region("summary").textContent = listed ? recordsText(this.#rows.length, this.#total) : "";
    more.hidden = !listed || !this.#hasNext;
    more.textContent = this.#loading ? "Loading…" : "Load more";
    more.setAttribute("aria-disabled", String(this.#loading));
    this.#region("end").hidden = !listed || this.#hasNext || this.#loading;
  }

  /** The bulk bar when rows are selected; "Resend all expired" on Pending otherwise. */
  #renderBulkBar() {
    const selected = this.#list.selection.length;
    const buttons = BULK_BUTTONS[this.#state.status] ?? [];
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
      this.#state.status === "PENDING"
        ? html`<button type="button" class="staff-action" data-action="resend-expired">Resend all expired</button>`
        : "";
    render(this.#region("toolbar"), html`${bar}${expired}`);
  }

  // Answers can arrive after the page was left (signed out, another route): say nothing then.
  #say(name, template) {
    const region = this.#region(name);
    if (region) render(region, template);
  }

  #announce(message, extra = "") {
    const mark = html`<span aria-hidden="true">✔</span>`;
    this.#say("status", html`<p class="success staff-message">${mark} ${message}${extra}</p>`);
  }

  #alert(message, retry = false) {
    const again = retry ? html` <button type="button" data-action="retry">Try again</button>` : "";
    this.#say("alert", html`<p class="staff-message staff-alert">${message}${again}</p>`);
  }

  #clearMessages() {
    this.#say("status", html``);
    this.#say("alert", html``);
  }

  // ---- the address -----------------------------------------------------------------

  /** Moves to a new list state: pushes (or, while typing a search, replaces) the entry. */
  #apply(next, typing) {
    if (next.status !== "PENDING") next.linkExpired = null;
    if (sameState(next, this.#state)) return;
    const url = listUrl(next);
    if (typing && this.#typingEntry) window.history.replaceState(window.history.state, "", url);
    else window.history.pushState({}, "", url);
    this.#typingEntry = typing;
    this.#state = next;
    this.#showState();
    this.#reset();
  }

  /** Back or Forward: show the list and the person the address names. */
  #followAddress() {
    if (!window.location.pathname.startsWith("/staff")) return;
    this.#typingEntry = false;
    const next = stateFromSearch(window.location.search);
    if (!sameState(next, this.#state)) {
      this.#state = next;
      this.#showState();
      this.#reset();
    }
    const staffId = staffIdFromPath(window.location.pathname);
    // Later than the drawer's own popstate listener, which closes it.
    if (staffId) setTimeout(() => this.isConnected && this.#openDrawer({ mode: "view", staffId }));
  }

  #openPerson(staffId) {
    window.history.pushState({ staffFromList: true }, "", personUrl(staffId, this.#state));
    this.#openDrawer({ mode: "view", staffId });
  }

  #drawerClosed(staffId) {
    if (!staffId || staffIdFromPath(window.location.pathname) !== staffId) return;
    // Opened from the list: Back to its entry. Opened from a link: the list replaces it.
    if (window.history.state?.staffFromList) window.history.back();
    else window.history.replaceState({}, "", listUrl(this.#state));
  }

  // ---- data --------------------------------------------------------------------------

  async #loadRoles() {
    try {
      const { roles } = await gql(ROLES);
      if (!this.isConnected) return;
      this.querySelector("staff-filters").roles = roles;
    } catch (error) {
      if (this.isConnected) this.#alert(error.message);
    }
  }

  async #refreshCounts() {
    const request = ++this.#countsRequest;
    const { status: _status, ...filter } = filterOf(this.#state);
    try {
      const { staffCounts } = await gql(COUNTS, { filter });
      if (request !== this.#countsRequest) return;
      this.#counts = staffCounts;
      this.#showCounts();
    } catch (error) {
      if (request === this.#countsRequest) this.#alert(error.message);
    }
  }

  /** The counts, with the people whose change waits to be sent counted where they go. */
  #showCounts() {
    if (!this.#counts) return;
    const counts = { ...this.#counts };
    for (const status of this.#holding.values()) {
      counts[status.toLowerCase()] -= 1;
      counts.inactive += 1;
    }
    this.#tabs.counts = counts;
  }

  /** Starts the list of the current state again, and refreshes the counts. */
  #reset() {
    const generation = ++this.#generation;
    this.#rows = [];
    this.#cursor = null;
    this.#hasNext = false;
    this.#total = 0;
    this.#say("alert", html``);
    this.#refreshCounts();
    this.#renderBulkBar();
    this.#loadPage(generation, false);
  }

  #loadMore(fromButton = false) {
    if (this.#loading || !this.#hasNext) return;
    this.#loadPage(this.#generation, fromButton);
  }

  async #loadPage(generation, fromButton) {
    this.#loading = true;
    if (!this.#rows.length) this.#showList();
    this.#renderFooter();
    const panel = this.querySelector("#staff-panel");
    panel.setAttribute("aria-busy", "true");
    const { sort, direction } = this.#state;
    const variables = {
      filter: filterOf(this.#state),
      orderBy: { field: sort, direction },
      first: PAGE_SIZE,
      after: this.#cursor,
    };
    try {
      const { staffMembers } = await gql(PAGE, variables);
      if (generation !== this.#generation) return; // a newer search or tab has taken over
      // Someone whose Deactivate or Cancel waits is shown as gone already.
      const added = staffMembers.edges.map((edge) => edge.node).filter((staff) => !this.#holding.has(staff.id));
      const first = !this.#rows.length;
      this.#rows.push(...added);
      this.#cursor = staffMembers.pageInfo.endCursor;
      this.#hasNext = staffMembers.pageInfo.hasNextPage;
      this.#total = staffMembers.totalCount;
      this.#loading = false;
      if (first) this.#showList();
      else {
        const firstNew = this.#list.append(added);
        // A keyboard person who asked for more goes on with the first row that arrived.
        if (fromButton && firstNew) firstNew.focus();
      }
      if (this.#highlightId && this.#list.highlight(this.#highlightId)) this.#highlightId = null;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#loading = false;
      if (!this.#rows.length) this.#list.show({ ...this.#listShape(), rows: [] });
      this.#alert(error.message, true);
    } finally {
      if (generation === this.#generation) {
        panel.removeAttribute("aria-busy");
        this.#renderFooter();
        this.#fillViewport();
      }
    }
  }

  #listShape() {
    const { status, sort, direction } = this.#state;
    return { status, sort: { sort, direction }, selfId: store.state.viewer?.account?.id ?? null };
  }

  /** The observer only reports changes: keep loading while the end of the list is in view. */
  #fillViewport() {
    if (!this.#hasNext || this.#loading || !this.isConnected) return;
    const sentinel = this.querySelector(".staff-sentinel");
    if (sentinel.getBoundingClientRect().top < window.innerHeight + 200) this.#loadMore();
  }

  #selectTab(status) {
    // A search still waiting to be applied goes with the tab.
    const filters = this.querySelector("staff-filters").read();
    this.#apply({ ...this.#state, ...filters, status }, false);
  }

  // ---- events ------------------------------------------------------------------------

  #onClick(event) {
    const button = event.target.closest("button[data-action]");
    if (!button || button.closest("staff-list table")) return; // the list handles its own rows
    const action = button.dataset.action;
    if (action === "add") this.#openDrawer({ mode: "create" });
    else if (action === "more") this.#loadMore(true);
    else if (action === "retry") this.#rows.length ? this.#retryMore() : this.#reset();
    else if (action === "clear-filters") this.#clearFilters();
    else if (action === "open-new") this.#openPerson(button.dataset.id);
    else if (action === "clear-selection") this.#list.clearSelection();
    else if (action === "resend-expired") this.#resendExpired();
    else if (action === "undo") this.#undo(button.dataset.token);
    else if (BULK_ACTIONS[action]) this.#bulk(action);
  }

  #retryMore() {
    this.#say("alert", html``);
    this.#loadMore(true);
  }

  #clearFilters() {
    const { status, sort, direction } = this.#state;
    this.#apply({ ...DEFAULT_STATE, status, sort, direction }, false);
    this.querySelector("#staff-search").focus();
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

  /** The drawer changed someone: after a create, show where the new person is. */
  #staffChanged({ id, status, fullName, created }) {
    if (!created) {
      this.#reset();
      return;
    }
    this.#highlightId = id;
    const open = html` <button type="button" class="staff-open-new" data-action="open-new" data-id="${id}">Open
      <span class="visually-hidden">${fullName}</span></button>`;
    if (status && status !== this.#state.status) this.#apply({ ...this.#state, status }, false);
    else this.#reset();
    this.#announce(`${fullName} was added and sent an activation email.`, open);
  }

  async #act(action, id) {
    const staff = this.#rows.find((row) => row.id === id);
    if (!staff || this.#busy.has(id)) return;
    if (action === "view") {
      this.#openPerson(id);
      return;
    }
    const spec = ACTIONS[action];
    if (spec.confirm && !(await confirmAction(spec.confirm(staff)))) return;
    if (!this.isConnected) return;
    if (spec.held) {
      this.#hold([staff], spec.held(staff), spec.undone(staff), (keepalive) => this.#sendHeld(spec, staff, keepalive));
      return;
    }
    const generation = this.#generation;
    this.#busy.add(id);
    this.#list.markBusy(id, true);
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
      if (generation === this.#generation) this.#showUpdated(updated);
      this.#refreshCounts();
    } catch (error) {
      this.#alert(error.message);
    } finally {
      this.#busy.delete(id);
      this.#list.markBusy(id, false);
    }
  }

  /** A person as an action left them: their row changes, or leaves this tab's list. */
  #showUpdated(updated) {
    if (updated.status === this.#state.status) {
      this.#rows = this.#rows.map((row) => (row.id === updated.id ? updated : row));
      this.#list.replace(updated);
      return;
    }
    this.#removeRow(updated.id);
  }

  #removeRow(id) {
    const row = this.#list.rowElement(id);
    const hadFocus = row && (row.contains(document.activeElement) || document.activeElement === document.body);
    this.#rows = this.#rows.filter((staff) => staff.id !== id);
    this.#total = Math.max(0, this.#total - 1);
    const neighbour = this.#list.remove(id);
    if (hadFocus) (neighbour ?? this.querySelector("[role=tab][aria-selected=true]")).focus();
    if (!this.#rows.length) this.#showList();
    this.#renderFooter();
    if (!this.#rows.length) this.#loadMore();
    else this.#fillViewport();
  }

  async #bulk(action) {
    const ids = this.#list.selection;
    const spec = BULK_ACTIONS[action];
    if (!ids.length) return;
    if (spec.confirm && !(await confirmAction(spec.confirm(ids.length)))) return;
    if (!this.isConnected) return;
    if (spec.held) {
      const staff = this.#rows.filter((row) => ids.includes(row.id));
      this.#list.clearSelection();
      this.#hold(staff, spec.held(ids.length), spec.undone(ids.length), (keepalive) =>
        this.#sendHeldBulk(action, staff, keepalive),
      );
      return;
    }
    this.#clearMessages();
    ids.forEach((id) => this.#list.markBusy(id, true));
    try {
      const outcome = await runBulk(action, ids);
      if (!this.isConnected) return;
      this.#showOutcome(outcome, spec.done);
    } catch (error) {
      this.#alert(error.message);
    } finally {
      ids.forEach((id) => this.#list.markBusy(id, false));
    }
  }

  async #resendExpired() {
    const confirmed = await confirmAction({
      title: "Resend all expired activation links?",
      message: "Everyone pending whose link has expired gets a new activation email, valid for 72 hours.",
      confirmLabel: "Resend all expired",
      cancelLabel: "Back",
    });
    if (!confirmed || !this.isConnected) return;
    this.#clearMessages();
    try {
      const outcome = await resendAllExpired();
      if (!this.isConnected) return;
      if (!outcome.done.length && !outcome.failed.length) this.#announce("No activation link has expired.");
      else this.#showOutcome(outcome, (count) => `A new activation link was sent to ${people(count)}.`);
    } catch (error) {
      this.#alert(error.message);
    }
  }

  // ---- undo --------------------------------------------------------------------------

  /** Shows these people as gone at once, and sends the change only when the moment to undo
   * it has passed (staff-undo.js). */
  #hold(staff, heldText, undoneText, send) {
    this.#clearMessages();
    for (const person of staff) {
      this.#holding.set(person.id, person.status);
      this.#removeRow(person.id);
    }
    this.#showCounts();
    const token = this.#held.hold(async (keepalive) => {
      this.#undoable.delete(token);
      try {
        await send(keepalive);
      } finally {
        staff.forEach((person) => this.#holding.delete(person.id));
        if (this.isConnected) this.#refreshCounts();
      }
    });
    this.#undoable.set(token, { staff, undoneText });
    const undo = html`<button type="button" class="staff-undo" data-action="undo" data-token="${token}">Undo</button>`;
    this.#say("status", html`<p class="staff-message staff-held">${heldText} ${undo}</p>`);
  }

  #undo(token) {
    const held = this.#undoable.get(token);
    this.#undoable.delete(token);
    if (!held || !this.#held.undo(token)) return;
    held.staff.forEach((person) => this.#holding.delete(person.id));
    this.#reset();
    this.#announce(held.undoneText);
    this.#tabs.focusSelected();
  }

  async #sendHeld(spec, staff, keepalive) {
    try {
      const payload = await mutate(spec.query, { id: staff.id }, { keepalive });
      if (!this.isConnected) return;
      if (payload.userErrors.length) {
        this.#reset(); // they are back in the list, as they are
        this.#alert(payload.userErrors.map((error) => error.message).join(" "));
        return;
      }
      this.#announce(spec.done(staff, payload.staffMember));
    } catch (error) {
      if (!this.isConnected) return;
      this.#reset();
      this.#alert(error.message);
    }
  }

  async #sendHeldBulk(action, staff, keepalive) {
    try {
      const outcome = await runBulk(
        action,
        staff.map((person) => person.id),
        { keepalive },
      );
      if (!this.isConnected) return;
      if (outcome.failed.length) this.#reset(); // who was refused is back in the list
      this.#showOutcome(outcome, BULK_ACTIONS[action].done, staff);
    } catch (error) {
      if (!this.isConnected) return;
      this.#reset();
      this.#alert(error.message);
    }
  }

  /** Says what a bulk action did, names who it failed for and why, and updates the rows. */
  #showOutcome({ done, failed }, doneText, known = this.#rows) {
    if (done.length) this.#announce(doneText(done.length));
    if (failed.length) {
      const name = (id) => known.find((row) => row.id === id)?.fullName ?? "Someone not in this list";
      this.#say(
        "alert",
        html`<div class="staff-message staff-alert">
          <p>Not done for ${people(failed.length)}:</p>
          <ul>${failed.map(({ id, message }) => html`<li>${name(id)}: ${message}</li>`)}</ul>
        </div>`,
      );
    }
    for (const staff of done) if (this.#rows.some((row) => row.id === staff.id)) this.#showUpdated(staff);
    this.#list.clearSelection();
    this.#refreshCounts();
  }
}

export function registerStaffPage() {
  customElements.define("staff-page", StaffPage);
}
