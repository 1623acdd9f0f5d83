// Webhooks (Practice Management): the URLs that receive the practice's staff and role
// events, signed. Managers add one (its signing secret is shown once), change it, rotate
// its secret (the old one keeps signing for an overlap), delete it, send it a test event,
// and read its delivery log (webhook-delivery-log). The form is webhook-endpoint-form, the
// secret shown once is webhook-secret-panel.

import { confirmAction } from "../confirm-dialog/confirm-dialog.js";
import { registerWebhookDeliveryLog } from "../webhook-delivery-log/webhook-delivery-log.js";
import { registerWebhookSecretPanel } from "../webhook-secret-panel/webhook-secret-panel.js";
import { ENDPOINT_FIELDS, registerWebhookEndpointForm } from "../webhook-endpoint-form/webhook-endpoint-form.js";
import { timeOrDash } from "../../dates.js";
import { gql, mutate } from "../../gql.js";
import { loadFailed } from "../../form-fields.js";
import { html, render } from "../../html.js";
import { eventTypeName } from "../../webhook-event-types.js";

const ENDPOINTS = `query WebhookEndpoints { webhookEndpoints(first: 100) { edges { node { ${ENDPOINT_FIELDS} } } } }`;
const ROTATE = `mutation WebhookEndpointRotateSecret($input: WebhookEndpointInput!) {
  webhookEndpointRotateSecret(input: $input) { webhookEndpoint { id } secret previousSecretExpiresAt
  userErrors { field code message } } }`;
const DELETE = `mutation WebhookEndpointDelete($input: WebhookEndpointInput!) {
  webhookEndpointDelete(input: $input) { deletedId userErrors { field code message } } }`;
const PING = `mutation WebhookEndpointPing($input: WebhookEndpointInput!) {
  webhookEndpointPing(input: $input) { event { eventId } userErrors { field code message } } }`;

// backend/services/webhook_endpoints.py ROTATION_OVERLAP.
const OVERLAP_TEXT = "24 hours";
const DISABLED_WHY = {
  GONE: "Disabled: it answered 410 Gone.",
  FAILING: "Disabled: it accepted nothing for 5 days.",
};
const NEW = "new";

class WebhooksPage extends HTMLElement {
  #endpoints = null;
  #loadError = "";
  // The secret just issued, in its panel (webhook-secret-panel), until dismissed.
  #secret = null;
  // Kept between renders (they hold what was typed, what was loaded): key -> element.
  #forms = new Map();
  #logs = new Map();

  connectedCallback() {
    registerWebhookEndpointForm();
    registerWebhookDeliveryLog();
    registerWebhookSecretPanel();
    render(
      this,
      html`
        <section class="card webhooks" aria-labelledby="webhooks-title">
          <p class="breadcrumb">Practice Management</p>
          <h1 id="webhooks-title" tabindex="-1">Webhooks</h1>
          <p>A webhook endpoint is a partner's URL that receives what happens to your practice's
            staff and roles as it happens — a person added, activated, deactivated — signed with
            its own secret (Standard Webhooks), and retried for days while it is down.</p>
          <p class="success" data-part="status" role="status"></p>
          <p class="form-error" data-part="alert" role="alert"></p>
          <div data-part="body"></div>
        </section>
      `,
    );
    this.addEventListener("click", (event) => this.#click(event));
    this.addEventListener("endpoint-saved", (event) => this.#saved(event));
    this.addEventListener("endpoint-form-closed", (event) => this.#formClosed(event));
    this.addEventListener("webhook-status", (event) => this.#say(event.detail.text, event.detail.error));
    this.addEventListener("webhook-deliveries-settled", () => this.#load());
    this.addEventListener("secret-dismissed", () => {
      this.#secret = null;
      this.#render();
      this.querySelector("#webhooks-title").focus();
    });
    this.#render();
    this.#load();
  }

  async #load() {
    try {
      this.#endpoints = (await gql(ENDPOINTS)).webhookEndpoints.edges.map((edge) => edge.node);
      this.#loadError = "";
      for (const endpoint of this.#endpoints) {
        if (this.#logs.has(endpoint.id)) this.#logs.get(endpoint.id).endpointEnabled = endpoint.enabled;
      }
    } catch (failure) {
      this.#loadError = `The endpoints could not be loaded: ${failure.message}`;
    }
    this.#render();
  }

  /** Says it in the page's live region (an error in its alert), replacing what was said.
   * Both regions stay in the page (empty ones take no room): a region that appears with
   * its text is not reliably read out. */
  #say(text, error = false) {
    this.querySelector(`[data-part=${error ? "status" : "alert"}]`).textContent = "";
    this.querySelector(`[data-part=${error ? "alert" : "status"}]`).textContent = text;
  }

  #render() {
    // Where the keyboard was: the same control after the render (by id, else by action).
    const active = this.contains(document.activeElement) ? document.activeElement : null;
    const keep = active?.id
      ? `#${CSS.escape(active.id)}`
      : active?.dataset.action
        ? `[data-action="${active.dataset.action}"]${active.dataset.id ? `[data-id="${active.dataset.id}"]` : ""}`
        : null;
    render(
      this.querySelector("[data-part=body]"),
      html`
        ${this.#secret ? html`<div data-slot="secret"></div>` : ""}
        ${this.#forms.has(NEW)
          ? html`<div data-slot="form" data-key="${NEW}"></div>`
          : html`<button type="button" class="primary" data-action="create-open">Add endpoint</button>`}
        ${this.#list()}
      `,
    );
    for (const slot of this.querySelectorAll("[data-slot]")) {
      const { slot: kind, key } = slot.dataset;
      const element = kind === "secret" ? this.#secret : (kind === "form" ? this.#forms : this.#logs).get(key);
      if (element) slot.replaceWith(element);
    }
    if (keep) this.querySelector(keep)?.focus();
  }

  #secretPanel(issued) {
    const panel = document.createElement("webhook-secret-panel");
    panel.issued = { ...issued, overlap: OVERLAP_TEXT };
    return panel;
  }

  #list() {
    if (this.#loadError) {
      return loadFailed(this.#loadError, "reload");
    }
    if (this.#endpoints === null) return html`<p class="loading-inline">Loading…</p>`;
    if (!this.#endpoints.length) return html`<p class="muted">No webhook endpoints yet.</p>`;
    return html`<div class="endpoint-list">${this.#endpoints.map((endpoint, index) => this.#card(endpoint, index))}</div>`;
  }

  #card(endpoint, index) {
    const id = `endpoint-${index}`;
    const logOpen = this.#logs.has(endpoint.id);
    const overlapping = endpoint.previousSecretExpiresAt && new Date(endpoint.previousSecretExpiresAt) > new Date();
    return html`
      <article class="webhook-endpoint" aria-labelledby="${id}-title">
        <h2 id="${id}-title" class="endpoint-url">${endpoint.url}</h2>
        ${endpoint.description ? html`<p>${endpoint.description}</p>` : ""}
        <dl class="endpoint-facts">
          <dt>Status</dt>
          <dd>${endpoint.enabled
            ? html`<span class="endpoint-status endpoint-status-on">Enabled</span>`
            : html`<span class="endpoint-status endpoint-status-off">Disabled</span>
                ${DISABLED_WHY[endpoint.disabledReason] ?? (endpoint.disabledReason ? `Disabled: ${endpoint.disabledReason}.` : "Switched off by a person.")}`}
            ${endpoint.failingSince ? html`<div class="warning-text">Failing since ${timeOrDash(endpoint.failingSince, "muted")}</div>` : ""}</dd>
          <dt>Events</dt>
          <dd>${endpoint.eventTypes.map((type) => html`<code class="event-type">${eventTypeName(type)}</code> `)}</dd>
          <dt>Created</dt>
          <dd>${timeOrDash(endpoint.createdAt, "muted")}</dd>
          ${overlapping ? html`<dt>Previous secret</dt><dd>Signs too until ${timeOrDash(endpoint.previousSecretExpiresAt, "muted")}</dd>` : ""}
        </dl>
        <div class="endpoint-actions">
          <button type="button" data-action="ping" data-id="${endpoint.id}" aria-label="Send test event to ${endpoint.url}">Send test event</button>
          <button type="button" data-action="edit" data-id="${endpoint.id}" aria-label="Edit ${endpoint.url}"
            ${this.#forms.has(endpoint.id) ? html`disabled` : ""}>Edit</button>
          <button type="button" data-action="rotate" data-id="${endpoint.id}" aria-label="Rotate the secret of ${endpoint.url}">Rotate secret</button>
          <button type="button" data-action="delete" data-id="${endpoint.id}" aria-label="Delete ${endpoint.url}">Delete</button>
          <button type="button" data-action="log" data-id="${endpoint.id}" aria-expanded="${logOpen}"
            aria-label="Delivery log of ${endpoint.url}">Delivery log</button>
        </div>
        ${this.#forms.has(endpoint.id) ? html`<div data-slot="form" data-key="${endpoint.id}"></div>` : ""}
        ${logOpen ? html`<div data-slot="log" data-key="${endpoint.id}"></div>` : ""}
      </article>
    `;
  }

  async #click(event) {
    const button = event.target.closest("[data-action]");
    if (!button || button.closest("webhook-delivery-log, webhook-endpoint-form, webhook-secret-panel")) return;
    const action = button.dataset.action;
    const endpoint = this.#endpoints?.find((item) => item.id === button.dataset.id);
    if (action === "create-open") this.#openForm(NEW, null);
    else if (action === "edit" && endpoint) this.#openForm(endpoint.id, endpoint);
    else if (action === "reload") this.#load();
    else if (action === "log" && endpoint) this.#toggleLog(endpoint);
    else if (action === "ping" && endpoint) await this.#ping(endpoint);
    else if (action === "rotate" && endpoint) await this.#rotate(endpoint);
    else if (action === "delete" && endpoint) await this.#delete(endpoint);
  }

  #openForm(key, endpoint) {
    const form = document.createElement("webhook-endpoint-form");
    form.endpoint = endpoint;
    form.dataset.key = key;
    this.#forms.set(key, form);
    this.#say("");
    this.#render();
    form.focus();
  }

  #formClosed(event) {
    const key = event.target.dataset.key;
    this.#forms.delete(key);
    this.#render();
    const back = key === NEW ? "[data-action=create-open]" : `[data-action=edit][data-id="${key}"]`;
    this.querySelector(back)?.focus();
  }

  async #saved(event) {
    const key = event.target.dataset.key;
    const { endpoint, secret, changed } = event.detail;
    this.#forms.delete(key);
    if (secret) {
      this.#secret = this.#secretPanel({ url: endpoint.url, secret, rotated: false });
      this.#say(`${endpoint.url} is added. Its signing secret is shown below, this once: copy it now.`);
    } else {
      this.#say(changed ? `${endpoint.url} is saved.` : "Nothing changed.");
    }
    await this.#load();
    (secret ? this.#secret : this.querySelector(`[data-action=edit][data-id="${endpoint.id}"]`))?.focus();
  }

  #toggleLog(endpoint) {
    if (this.#logs.has(endpoint.id)) {
      this.#logs.delete(endpoint.id);
    } else {
      const log = document.createElement("webhook-delivery-log");
      log.endpointId = endpoint.id;
      log.endpointUrl = endpoint.url;
      log.endpointEnabled = endpoint.enabled;
      this.#logs.set(endpoint.id, log);
    }
    this.#render();
  }

  async #ping(endpoint) {
    let payload;
    try {
      payload = await mutate(PING, { id: endpoint.id });
    } catch (failure) {
      return this.#say(`The test event was not sent: ${failure.message}`, true);
    }
    if (payload.userErrors.length) return this.#say(payload.userErrors.map((error) => error.message).join(" "), true);
    this.#say(`Test event ${payload.event.eventId} is queued for ${endpoint.url}. Its delivery shows in the log below.`);
    if (this.#logs.has(endpoint.id)) this.#logs.get(endpoint.id).refresh();
    else this.#toggleLog(endpoint);
  }

  async #rotate(endpoint) {
    const confirmed = await confirmAction({
      title: `Rotate the signing secret of ${endpoint.url}?`,
      message: `A new secret is made and shown once. The current secret keeps signing beside it for ${OVERLAP_TEXT} (each request carries both signatures), so the receiver can switch without missing an event; then only the new one signs.`,
      confirmLabel: "Rotate secret",
    });
    if (!confirmed) return;
    this.#secret = null; // an older secret's panel must not stay beside this answer
    let payload;
    try {
      payload = await mutate(ROTATE, { id: endpoint.id });
    } catch (failure) {
      this.#render();
      return this.#say(`The secret was not rotated: ${failure.message}`, true);
    }
    if (payload.userErrors.length) {
      this.#render();
      return this.#say(payload.userErrors.map((error) => error.message).join(" "), true);
    }
    this.#secret = this.#secretPanel({
      url: endpoint.url,
      secret: payload.secret,
      rotated: true,
      previousUntil: payload.previousSecretExpiresAt,
    });
    this.#say(`${endpoint.url} has a new signing secret, shown below this once: copy it now.`);
    await this.#load();
    this.#secret.focus();
  }

  async #delete(endpoint) {
    const confirmed = await confirmAction({
      title: `Delete ${endpoint.url}?`,
      message: "It stops receiving events at once, and its delivery log is deleted. This cannot be undone.",
      confirmLabel: "Delete endpoint",
      danger: true,
    });
    if (!confirmed) return;
    let payload;
    try {
      payload = await mutate(DELETE, { id: endpoint.id });
    } catch (failure) {
      return this.#say(`${endpoint.url} was not deleted: ${failure.message}`, true);
    }
    if (payload.userErrors.length) return this.#say(payload.userErrors.map((error) => error.message).join(" "), true);
    this.#forms.delete(endpoint.id);
    this.#logs.delete(endpoint.id);
    this.#say(`${endpoint.url} is deleted.`);
    await this.#load();
    this.querySelector("#webhooks-title").focus();
  }
}

export function registerWebhooksPage() {
  customElements.define("webhooks-page", WebhooksPage);
}
