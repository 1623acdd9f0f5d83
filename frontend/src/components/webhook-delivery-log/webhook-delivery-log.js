// One endpoint's delivery log: its deliveries newest first (event, status, attempts, next
// attempt), each expandable to every attempt (time, HTTP status, duration, error, the first
// kilobyte of the answer — the partner's text, shown escaped), a status filter, "Load more",
// and Retry. While a delivery is due soon it looks again every few seconds, so a test event
// or a retry shows its outcome without a reload. What it wants said aloud it sends to the
// page as a bubbling `webhook-status` event ({ text, error }); when it sees a delivery
// settled (delivered, or failed) that it had not seen so, it sends
// `webhook-deliveries-settled`: the endpoint's own state (failing, disabled after a 410)
// may have changed with it.

import { timeOrDash } from "../../dates.js";
import { gql, mutate } from "../../gql.js";
import { html, render } from "../../html.js";
import { eventTypeName } from "../../webhook-event-types.js";

const DELIVERY_FIELDS = `id status nextAttemptAt deliveredAt createdAt event { eventId type }
  attempts { startedAt durationMs httpStatus error responseExcerpt }`;
const DELIVERIES = `query WebhookDeliveries($endpointId: ID!, $filter: WebhookDeliveryFilter, $first: Int,
  $after: String) { webhookDeliveries(endpointId: $endpointId, filter: $filter, first: $first, after: $after) {
  edges { node { ${DELIVERY_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const RETRY = `mutation WebhookDeliveryRetry($input: WebhookDeliveryRetryInput!) {
  webhookDeliveryRetry(input: $input) { delivery { ${DELIVERY_FIELDS} } userErrors { field code message } } }`;

const PAGE_SIZE = 25;
const MAX_PAGE = 100;
const STATUS_TEXT = { PENDING: "Pending", DELIVERED: "Delivered", FAILED: "Failed" };
// Look again while a delivery is due within this long, every POLL_MS, at most POLLS times
// in a row (a disabled endpoint's deliveries wait indefinitely).
const DUE_SOON_MS = 20_000;
const POLL_MS = 1500;
const POLLS = 40;

let nextId = 0;

class WebhookDeliveryLog extends HTMLElement {
  endpointId = "";
  endpointUrl = "";
  // A disabled endpoint's retries wait until it is enabled (the page keeps this current).
  endpointEnabled = true;
  #prefix = `delivery-log-${++nextId}`;
  #started = false;
  #deliveries = null;
  #pageInfo = { hasNextPage: false, endCursor: null };
  #status = "";
  #expanded = new Set();
  #settled = new Set();
  #error = "";
  #timer = null;
  #polls = 0;

  connectedCallback() {
    // The page moves this element between its renders: start once, and poll only while shown.
    if (this.#started) return this.#schedule();
    this.#started = true;
    this.addEventListener("click", (event) => this.#click(event));
    this.addEventListener("change", (event) => {
      if (event.target.name !== "status") return;
      this.#status = event.target.value;
      this.#deliveries = null;
      this.#render();
      this.#load({ focus: `#${this.#prefix}-status` });
    });
    this.#render();
    this.#load();
  }

  disconnectedCallback() {
    clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Looks again now and keeps looking while something is due (after a test event). */
  refresh() {
    this.#polls = 0;
    this.#load();
  }

  async #load({ more = false, focus = null } = {}) {
    clearTimeout(this.#timer);
    const loaded = this.#deliveries?.length ?? 0;
    const variables = {
      endpointId: this.endpointId,
      filter: this.#status ? { status: this.#status } : null,
      // Looking again covers what is shown (up to a page's limit); "Load more" adds a page.
      first: more ? PAGE_SIZE : Math.min(Math.max(loaded, PAGE_SIZE), MAX_PAGE),
      after: more ? this.#pageInfo.endCursor : null,
    };
    let connection;
    try {
      connection = (await gql(DELIVERIES, variables)).webhookDeliveries;
    } catch (failure) {
      this.#error = `The delivery log could not be loaded: ${failure.message}`;
      this.#render(focus);
      return;
    }
    const found = connection.edges.map((edge) => edge.node);
    // Seen settled for the first time, even on the first look: it may have settled
    // between the page's look at the endpoints and this one. A retried one settles anew.
    for (const delivery of found) if (delivery.status === "PENDING") this.#settled.delete(delivery.id);
    const settled = found.filter((delivery) => delivery.status !== "PENDING" && !this.#settled.has(delivery.id));
    for (const delivery of settled) this.#settled.add(delivery.id);
    this.#deliveries = more ? [...(this.#deliveries ?? []), ...found] : found;
    this.#pageInfo = connection.pageInfo;
    this.#error = "";
    this.#render(focus);
    this.#schedule();
    if (settled.length) this.dispatchEvent(new CustomEvent("webhook-deliveries-settled", { bubbles: true }));
  }

  #schedule() {
    clearTimeout(this.#timer);
    this.#timer = null;
    if (!this.isConnected || !this.#deliveries || this.#polls >= POLLS) return;
    const soon = Date.now() + DUE_SOON_MS;
    const due = this.#deliveries.some(
      (delivery) => delivery.status === "PENDING" && (!delivery.nextAttemptAt || new Date(delivery.nextAttemptAt) <= soon),
    );
    if (!due) return;
    this.#timer = setTimeout(() => {
      this.#polls += 1;
      this.#load();
    }, POLL_MS);
  }

  #render(focusSelector = null) {
    // A look again must not take the keyboard away from where it was.
    const active = this.contains(document.activeElement) ? document.activeElement : null;
    const keep = focusSelector ?? (active?.id ? `#${active.id}` : null);
    const id = this.#prefix;
    render(
      this,
      html`
        <section class="delivery-log" aria-labelledby="${id}-title">
          <h3 id="${id}-title" tabindex="-1">Delivery log</h3>
          <div class="delivery-log-controls">
            <label for="${id}-status">Status</label>
            <select id="${id}-status" name="status">
              <option value="">All</option>
              ${Object.entries(STATUS_TEXT).map(
                ([value, text]) => html`<option value="${value}" ${this.#status === value ? html`selected` : ""}>${text}</option>`,
              )}
            </select>
            <button type="button" id="${id}-refresh" data-action="refresh">Refresh</button>
          </div>
          ${this.#error ? html`<p class="form-error" role="alert">${this.#error}</p>` : ""}
          ${this.#table()}
          ${this.#pageInfo.hasNextPage
            ? html`<button type="button" id="${id}-more" data-action="more">Load more</button>`
            : ""}
        </section>
      `,
    );
    if (keep) this.querySelector(keep)?.focus();
  }

  #table() {
    if (this.#deliveries === null) return this.#error ? "" : html`<p class="loading-inline">Loading…</p>`;
    if (!this.#deliveries.length) {
      return html`<p class="muted">${this.#status ? "No deliveries with this status." : "Nothing sent yet. Send a test event to try the endpoint."}</p>`;
    }
    return html`
      <div class="table-wrap">
        <table class="delivery-table">
          <caption class="visually-hidden">Deliveries to ${this.endpointUrl}, newest first</caption>
          <thead><tr><th scope="col">Event</th><th scope="col">Event ID</th><th scope="col">Status</th>
            <th scope="col">Attempts</th><th scope="col">Next attempt</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${this.#deliveries.map((delivery) => this.#rows(delivery))}</tbody>
        </table>
      </div>
    `;
  }

  #rows(delivery) {
    const id = `${this.#prefix}-${delivery.id.replace(/[^A-Za-z0-9_-]/g, "")}`;
    const open = this.#expanded.has(delivery.id);
    const type = eventTypeName(delivery.event.type);
    const count = delivery.attempts.length;
    return html`
      <tr class="delivery-row">
        <th scope="row"><code>${type}</code><div class="muted">${timeOrDash(delivery.createdAt, "muted")}</div></th>
        <td><code class="event-id">${delivery.event.eventId}</code></td>
        <td><span class="delivery-status delivery-status-${delivery.status.toLowerCase()}">${STATUS_TEXT[delivery.status] ?? delivery.status}</span>
          ${delivery.deliveredAt ? html`<div class="muted">${timeOrDash(delivery.deliveredAt, "muted")}</div>` : ""}</td>
        <td>${count}</td>
        <td>${timeOrDash(delivery.nextAttemptAt, "muted")}</td>
        <td class="row-actions">
          <button type="button" id="${id}-toggle" data-action="toggle" data-id="${delivery.id}"
            aria-expanded="${open}" aria-controls="${id}-attempts"
            aria-label="${open ? "Hide" : "Show"} attempts of ${type} ${delivery.event.eventId}">${open ? "Hide" : "Show"} attempts</button>
          <button type="button" id="${id}-retry" data-action="retry" data-id="${delivery.id}"
            aria-label="Retry ${type} ${delivery.event.eventId}">Retry</button>
        </td>
      </tr>
      <tr class="attempts-row" id="${id}-attempts" ${open ? "" : html`hidden`}>
        <td colspan="6">${open ? this.#attempts(delivery, type) : ""}</td>
      </tr>
    `;
  }

  #attempts(delivery, type) {
    if (!delivery.attempts.length) return html`<p class="muted">No attempt yet: it is queued.</p>`;
    return html`
      <table class="attempt-table">
        <caption class="visually-hidden">Attempts of ${type} ${delivery.event.eventId}, oldest first</caption>
        <thead><tr><th scope="col">Started</th><th scope="col">HTTP status</th><th scope="col">Duration</th>
          <th scope="col">Error</th><th scope="col">Response (first kilobyte)</th></tr></thead>
        <tbody>
          ${delivery.attempts.map(
            (attempt) => html`
              <tr>
                <td>${timeOrDash(attempt.startedAt, "muted")}</td>
                <td>${attempt.httpStatus ?? html`<span class="muted">No answer</span>`}</td>
                <td>${attempt.durationMs} ms</td>
                <td>${attempt.error ?? html`<span class="muted">—</span>`}</td>
                <td>${attempt.responseExcerpt
                  ? html`<pre class="response-excerpt">${attempt.responseExcerpt}</pre>`
                  : html`<span class="muted">Empty</span>`}</td>
              </tr>
            `,
          )}
        </tbody>
      </table>
    `;
  }

  async #click(event) {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "refresh") {
      this.#polls = 0;
      await this.#load({ focus: `#${button.id}` });
    } else if (action === "more") {
      const shown = this.#deliveries.length;
      await this.#load({ more: true });
      // The first of the new rows, or Load more's place when nothing came.
      const rows = this.querySelectorAll("tr.delivery-row [data-action=toggle]");
      (rows[shown] ?? this.querySelector(`#${this.#prefix}-title`)).focus();
    } else if (action === "toggle") {
      const id = button.dataset.id;
      if (this.#expanded.has(id)) this.#expanded.delete(id);
      else this.#expanded.add(id);
      this.#render(`#${button.id}`);
    } else if (action === "retry") {
      await this.#retry(button);
    }
  }

  async #retry(button) {
    const delivery = this.#deliveries.find((item) => item.id === button.dataset.id);
    if (!delivery) return;
    const name = `${eventTypeName(delivery.event.type)} ${delivery.event.eventId}`;
    button.disabled = true;
    let payload;
    try {
      payload = await mutate(RETRY, { id: delivery.id });
    } catch (failure) {
      this.#say(`The retry of ${name} was not queued: ${failure.message}`, true);
      button.disabled = false;
      return;
    }
    if (payload.userErrors.length) {
      this.#say(payload.userErrors.map((error) => error.message).join(" "), true);
      button.disabled = false;
      return;
    }
    this.#deliveries = this.#deliveries.map((item) => (item.id === delivery.id ? payload.delivery : item));
    this.#polls = 0;
    this.#render(`#${button.id}`);
    this.#say(
      this.endpointEnabled
        ? `Retry queued: ${name} is delivered again now.`
        : `Retry queued: ${name} is delivered once the endpoint is enabled again.`,
      false,
    );
    this.#schedule();
  }

  #say(text, error) {
    this.dispatchEvent(new CustomEvent("webhook-status", { bubbles: true, detail: { text, error } }));
  }
}

export function registerWebhookDeliveryLog() {
  if (!customElements.get("webhook-delivery-log")) customElements.define("webhook-delivery-log", WebhookDeliveryLog);
}
