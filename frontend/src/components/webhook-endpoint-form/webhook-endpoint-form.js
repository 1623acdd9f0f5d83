// The form that registers a webhook endpoint or changes one: URL, description, the events
// it receives, enabled. It saves through GraphQL itself and tells the page with an
// `endpoint-saved` event ({ endpoint, secret, changed }); Cancel sends `endpoint-form-closed`.
// Set `endpoint` before it is connected to edit that endpoint; leave it null to register one.

import { formError } from "../../form-fields.js";
import { mutate } from "../../gql.js";
import { errorsByField, fieldError, markInvalid } from "../../forms.js";
import { html, render } from "../../html.js";
import { SUBSCRIBABLE_EVENTS, eventTypeName } from "../../webhook-event-types.js";

export const ENDPOINT_FIELDS = `id url description eventTypes enabled disabledReason failingSince
  previousSecretExpiresAt createdAt`;
const CREATE = `mutation WebhookEndpointCreate($input: WebhookEndpointCreateInput!) {
  webhookEndpointCreate(input: $input) { webhookEndpoint { ${ENDPOINT_FIELDS} } secret
  userErrors { field code message } } }`;
const UPDATE = `mutation WebhookEndpointUpdate($input: WebhookEndpointUpdateInput!) {
  webhookEndpointUpdate(input: $input) { webhookEndpoint { ${ENDPOINT_FIELDS} }
  userErrors { field code message } } }`;

const DESCRIPTION_MAX_LENGTH = 200;

let nextId = 0;

class WebhookEndpointForm extends HTMLElement {
  endpoint = null;
  #prefix = `endpoint-form-${++nextId}`;
  #started = false;

  connectedCallback() {
    // The page moves this element between its renders: start once, keep what was typed.
    if (this.#started) return;
    this.#started = true;
    this.addEventListener("submit", (event) => this.#submit(event));
    this.addEventListener("click", (event) => {
      if (event.target.closest("[data-action=form-cancel]")) {
        this.dispatchEvent(new CustomEvent("endpoint-form-closed", { bubbles: true }));
      }
    });
    const endpoint = this.endpoint;
    this.#render(
      {},
      endpoint
        ? { ...endpoint }
        : { url: "", description: "", eventTypes: Object.keys(SUBSCRIBABLE_EVENTS), enabled: true },
    );
  }

  focus() {
    this.querySelector(`#${this.#prefix}-url`)?.focus();
  }

  #render(errors, values) {
    const id = this.#prefix;
    const editing = Boolean(this.endpoint);
    const chosen = new Set(values.eventTypes);
    render(
      this,
      html`
        <form novalidate class="webhook-endpoint-form" aria-labelledby="${id}-title">
          <h3 id="${id}-title">${editing ? "Edit endpoint" : "Add an endpoint"}</h3>
          <label for="${id}-url">URL</label>
          <input id="${id}-url" name="url" type="url" autocomplete="off" spellcheck="false"
            placeholder="https://hooks.example.com/staff" value="${values.url}">
          ${fieldError(`${id}-url`, errors.url)}
          <label for="${id}-description">Description <span class="muted">(optional)</span></label>
          <input id="${id}-description" name="description" maxlength="${DESCRIPTION_MAX_LENGTH}"
            autocomplete="off" placeholder="e.g. Workday HR sync" value="${values.description}">
          ${fieldError(`${id}-description`, errors.description)}
          <fieldset class="event-choices" id="${id}-eventTypes" tabindex="-1"
            ${errors.eventTypes ? html`aria-describedby="${id}-eventTypes-error"` : ""}>
            <legend>Events to receive</legend>
            <p class="event-bulk">
              <button type="button" class="link-button" data-bulk="all">Select all</button>
              <button type="button" class="link-button" data-bulk="none">Select none</button>
            </p>
            ${Object.entries(SUBSCRIBABLE_EVENTS).map(
              ([value, text]) => html`
                <div class="event-choice">
                  <input type="checkbox" id="${id}-event-${value}" name="eventTypes" value="${value}"
                    ${chosen.has(value) ? html`checked` : ""}>
                  <label for="${id}-event-${value}"><code>${eventTypeName(value)}</code> — ${text}</label>
                </div>
              `,
            )}
          </fieldset>
          ${fieldError(`${id}-eventTypes`, errors.eventTypes)}
          <div class="event-choice">
            <input type="checkbox" id="${id}-enabled" name="enabled" ${values.enabled ? html`checked` : ""}>
            <label for="${id}-enabled">Enabled: deliver events to it</label>
          </div>
          ${fieldError(`${id}-enabled`, errors.enabled)}
          ${formError(errors[""])}
          <div class="form-actions">
            <button type="submit" class="primary">${editing ? "Save changes" : "Add endpoint"}</button>
            <button type="button" data-action="form-cancel">Cancel</button>
          </div>
        </form>
      `,
    );
    const form = this.querySelector("form");
    // The checkboxes share one message, which the fieldset points at (above).
    const { eventTypes: _shared, ...perField } = errors;
    markInvalid(form, perField);
    form.addEventListener("click", (event) => {
      const bulk = event.target.closest("[data-bulk]")?.dataset.bulk;
      if (!bulk) return;
      for (const box of form.querySelectorAll("input[name=eventTypes]")) box.checked = bulk === "all";
    });
  }

  #values(form) {
    return {
      url: form.url.value.trim(),
      description: form.description.value.trim(),
      eventTypes: [...form.querySelectorAll("input[name=eventTypes]:checked")].map((box) => box.value),
      enabled: form.enabled.checked,
    };
  }

  #showErrors(errors, values) {
    this.#render(errors, values);
    const first = ["url", "description", "eventTypes", "enabled"].find((name) => errors[name]);
    const target = first ? this.querySelector(`#${this.#prefix}-${first}`) : this.querySelector("[role=alert]");
    (target ?? this.querySelector(`#${this.#prefix}-url`)).focus();
  }

  async #submit(event) {
    event.preventDefault();
    const form = event.target;
    const values = this.#values(form);
    const local = {};
    if (!values.url) local.url = "Enter the URL that receives the events, e.g. https://hooks.example.com/staff.";
    if (!values.eventTypes.length) local.eventTypes = "Choose at least one event.";
    if (Object.keys(local).length) return this.#showErrors(local, values);
    const input = this.endpoint ? this.#changes(values) : values;
    if (this.endpoint && Object.keys(input).length === 1) {
      this.dispatchEvent(new CustomEvent("endpoint-saved", { bubbles: true, detail: { endpoint: this.endpoint, changed: false } }));
      return;
    }
    form.querySelector("button[type=submit]").disabled = true;
    let payload;
    try {
      payload = await mutate(this.endpoint ? UPDATE : CREATE, input);
    } catch (failure) {
      return this.#showErrors({ "": failure.message }, values);
    }
    if (payload.userErrors.length) return this.#showErrors(errorsByField(payload.userErrors), values);
    const detail = { endpoint: payload.webhookEndpoint, secret: payload.secret ?? null, changed: true };
    this.dispatchEvent(new CustomEvent("endpoint-saved", { bubbles: true, detail }));
  }

  // Only what changed: `enabled: true` on an enabled endpoint would restart its failure
  // clock, and an omitted field stays as it is.
  #changes(values) {
    const before = this.endpoint;
    const input = { id: before.id };
    if (values.url !== before.url) input.url = values.url;
    if (values.description !== before.description) input.description = values.description;
    const sameEvents = values.eventTypes.length === before.eventTypes.length
      && values.eventTypes.every((value) => before.eventTypes.includes(value));
    if (!sameEvents) input.eventTypes = values.eventTypes;
    if (values.enabled !== before.enabled) input.enabled = values.enabled;
    return input;
  }
}

export function registerWebhookEndpointForm() {
  if (!customElements.get("webhook-endpoint-form")) customElements.define("webhook-endpoint-form", WebhookEndpointForm);
}
