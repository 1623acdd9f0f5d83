// API clients (Practice Management): the credentials of the practice's partner systems —
// an HR system, an identity provider. Managers create one with the scopes it needs and copy
// its secret, shown once; the list shows who created each, its last use and its expiry;
// Rotate gives a new secret (the old one keeps working for an overlap), Revoke ends it.

import { confirmAction } from "../confirm-dialog/confirm-dialog.js";
import { timeOrDash } from "../../dates.js";
import { formError, loadFailed } from "../../form-fields.js";
import { gql, mutate } from "../../gql.js";
import { errorsByField, fieldError } from "../../forms.js";
import { html, render } from "../../html.js";

const CLIENT_FIELDS = `id name scopes status createdAt expiresAt idleExpiresAt lastUsedAt lastUsedIp
  revokedAt createdBy { id fullName }`;
const CLIENTS = `query ApiClients { apiClients(first: 100) { totalCount edges { node { ${CLIENT_FIELDS} } } } }`;
const CREATE = `mutation ApiClientCreate($input: ApiClientCreateInput!) { apiClientCreate(input: $input) {
  apiClient { ${CLIENT_FIELDS} } secret userErrors { field code message } } }`;
const ROTATE = `mutation ApiClientRotate($input: ApiClientRotateInput!) { apiClientRotate(input: $input) {
  apiClient { ${CLIENT_FIELDS} } secret previousSecretExpiresAt userErrors { field code message } } }`;
const REVOKE = `mutation ApiClientRevoke($input: ApiClientRevokeInput!) { apiClientRevoke(input: $input) {
  apiClient { ${CLIENT_FIELDS} } userErrors { field code message } } }`;

// The ApiClientScope enum, in its order, with what an administrator reads.
export const SCOPES = {
  STAFF_READ: ["staff:read", "Read staff members"],
  STAFF_WRITE: ["staff:write", "Add and change staff members, and their status"],
  ROLES_READ: ["roles:read", "Read roles"],
  ROLES_WRITE: ["roles:write", "Create, change and delete roles"],
  AUDIT_READ: ["audit:read", "Read the audit trail"],
  WEBHOOKS_MANAGE: ["webhooks:manage", "Manage webhook endpoints"],
  SCIM: ["scim", "Provision staff over SCIM 2.0 (Okta, Microsoft Entra ID)"],
};
const EXPIRY_CHOICES = [["", "No fixed expiry"], ["30", "30 days"], ["90", "90 days"], ["365", "1 year"]];
const STATUS_TEXT = { ACTIVE: "Active", EXPIRED: "Expired", REVOKED: "Revoked" };

class ApiClientsPage extends HTMLElement {
  #clients = null;
  #loadError = "";
  // null, or { errors, values } while the create form is open.
  #form = null;
  // The secret just made: { clientName, secret, rotated } until dismissed.
  #secret = null;
  #status = { text: "", error: false };

  connectedCallback() {
    this.addEventListener("click", (event) => this.#click(event));
    this.addEventListener("submit", (event) => this.#submit(event));
    this.#render();
    this.#load();
  }

  async #load() {
    try {
      this.#clients = (await gql(CLIENTS)).apiClients.edges.map((edge) => edge.node);
      this.#loadError = "";
    } catch (failure) {
      this.#loadError = failure.message;
    }
    this.#render();
  }

  #render() {
    const { text, error } = this.#status;
    render(
      this,
      html`
        <section class="card api-clients" aria-labelledby="api-clients-title">
          <p class="breadcrumb">Practice Management</p>
          <h1 id="api-clients-title" tabindex="-1">API clients</h1>
          <p>An API client lets a partner system — an HR system, an identity provider such as Okta
            or Microsoft Entra ID — read and change your practice's staff over the API, within the
            scopes you give it. It is not a staff member: it takes no seat and cannot sign in here.</p>
          ${text ? html`<p class="${error ? "form-error" : "success"}" role="${error ? "alert" : "status"}">${text}</p>` : ""}
          ${this.#secret ? this.#secretPanel() : ""}
          ${this.#form ? this.#createForm() : html`<button type="button" class="primary" data-action="create-open">Create API client</button>`}
          ${this.#list()}
        </section>
      `,
    );
  }

  #secretPanel() {
    const { clientName, secret, rotated, previousUntil } = this.#secret;
    return html`
      <div class="secret-panel" role="region" aria-labelledby="secret-title">
        <h2 id="secret-title" tabindex="-1">${rotated ? "New secret" : "Secret"} of ${clientName}</h2>
        <p><strong>Copy it now: it is shown only this once.</strong> Give it to the partner system, which
          sends it as <code>Authorization: Bearer …</code>.
          ${rotated
            ? html`The previous secret keeps working until ${timeOrDash(previousUntil, "muted")}, then stops.`
            : ""}</p>
        <p class="secret-line">
          <code class="secret-value" aria-label="Secret">${secret}</code>
          <button type="button" data-action="copy-secret">Copy</button>
        </p>
        <p class="copy-status" role="status"></p>
        <button type="button" data-action="secret-done">I have stored the secret</button>
      </div>
    `;
  }

  #createForm() {
    const { errors, values } = this.#form;
    const chosen = new Set(values.scopes ?? []);
    return html`
      <form novalidate data-form="create" aria-labelledby="create-title">
        <h2 id="create-title">Create API client</h2>
        <label for="api-client-name">Name</label>
        <input id="api-client-name" name="name" maxlength="100" autocomplete="off"
          placeholder="e.g. Workday HR sync" value="${values.name ?? ""}">
        ${fieldError("api-client-name", errors.name)}
        <fieldset class="scope-choices">
          <legend>Scopes</legend>
          ${Object.entries(SCOPES).map(
            ([value, [name, text]]) => html`
              <div class="scope-choice">
                <input type="checkbox" id="scope-${value}" name="scopes" value="${value}"
                  ${chosen.has(value) ? html`checked` : ""}>
                <label for="scope-${value}"><code>${name}</code> — ${text}</label>
              </div>
            `,
          )}
        </fieldset>
        ${fieldError("api-client-scopes", errors.scopes)}
        <label for="api-client-expiry">Expires</label>
        <select id="api-client-expiry" name="expiresInDays">
          ${EXPIRY_CHOICES.map(
            ([value, text]) => html`<option value="${value}" ${values.expiresInDays === value ? html`selected` : ""}>${text}</option>`,
          )}
        </select>
        <p class="muted">Whatever you choose, a client unused for 90 days stops working.</p>
        ${fieldError("api-client-expiresInDays", errors.expiresInDays)}
        ${formError(errors[""])}
        <div class="form-actions">
          <button type="submit" class="primary">Create</button>
          <button type="button" data-action="create-cancel">Cancel</button>
        </div>
      </form>
    `;
  }

  #list() {
    if (this.#loadError) {
      return loadFailed(this.#loadError, "retry");
    }
    if (this.#clients === null) return html`<p class="loading-inline">Loading…</p>`;
    if (!this.#clients.length) return html`<p class="muted">No API clients yet.</p>`;
    return html`
      <div class="table-wrap">
        <table class="api-client-table">
          <caption class="visually-hidden">API clients of the practice</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Status</th>
            <th scope="col">Created</th><th scope="col">Last use</th><th scope="col">Expires</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            ${this.#clients.map((client) => this.#row(client))}
          </tbody>
        </table>
      </div>
    `;
  }

  #row(client) {
    const active = client.status === "ACTIVE";
    // Whichever comes first: its fixed expiry, or the end of its idle period.
    const expires = client.expiresAt && client.idleExpiresAt
      ? (new Date(client.expiresAt) < new Date(client.idleExpiresAt) ? client.expiresAt : client.idleExpiresAt)
      : client.expiresAt ?? client.idleExpiresAt;
    return html`
      <tr>
        <th scope="row">${client.name}</th>
        <td>${client.scopes.map((scope) => html`<code class="scope">${SCOPES[scope]?.[0] ?? scope}</code> `)}</td>
        <td><span class="api-client-status api-client-status-${client.status.toLowerCase()}">${STATUS_TEXT[client.status] ?? client.status}</span></td>
        <td>${timeOrDash(client.createdAt, "muted")}<div class="muted">${client.createdBy ? `by ${client.createdBy.fullName}` : "from the command line"}</div></td>
        <td>${client.lastUsedAt
          ? html`${timeOrDash(client.lastUsedAt, "muted")}<div class="muted">${client.lastUsedIp ?? ""}</div>`
          : html`<span class="muted">Never used</span>`}</td>
        <td>${client.status === "REVOKED"
          ? html`Revoked ${timeOrDash(client.revokedAt, "muted")}`
          : timeOrDash(expires, "muted")}</td>
        <td class="row-actions">${active
          ? html`<button type="button" data-action="rotate" data-id="${client.id}" aria-label="Rotate the secret of ${client.name}">Rotate</button>
              <button type="button" data-action="revoke" data-id="${client.id}" aria-label="Revoke ${client.name}">Revoke</button>`
          : ""}</td>
      </tr>
    `;
  }

  async #click(event) {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "create-open") {
      this.#form = { errors: {}, values: {} };
      this.#status = { text: "", error: false };
      this.#render();
      this.querySelector("#api-client-name").focus();
    } else if (action === "create-cancel") {
      this.#form = null;
      this.#render();
      this.querySelector("[data-action=create-open]").focus();
    } else if (action === "copy-secret") {
      await this.#copySecret();
    } else if (action === "secret-done") {
      this.#secret = null;
      this.#render();
      this.querySelector("#api-clients-title").focus();
    } else if (action === "retry") {
      this.#load();
    } else if (action === "rotate" || action === "revoke") {
      await this.#change(button, action);
    }
  }

  async #copySecret() {
    const status = this.querySelector(".copy-status");
    try {
      await navigator.clipboard.writeText(this.#secret.secret);
      status.textContent = "Copied to the clipboard.";
    } catch {
      // No clipboard access (a plain-http address, or refused): select it for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(this.querySelector(".secret-value"));
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      status.textContent = "Selected: press Ctrl+C (⌘C) to copy it.";
    }
  }

  async #change(button, action) {
    const client = this.#clients.find((item) => item.id === button.dataset.id);
    if (!client) return;
    const rotate = action === "rotate";
    const confirmed = await confirmAction(
      rotate
        ? {
            title: `Rotate the secret of ${client.name}?`,
            message: "A new secret is made and shown once. The current one keeps working for an overlap (24 hours by default), so the partner can switch without an outage.",
            confirmLabel: "Rotate secret",
          }
        : {
            title: `Revoke ${client.name}?`,
            message: "Its secrets stop working at once, and it cannot be used again. The partner system loses access.",
            confirmLabel: "Revoke",
            danger: true,
          },
    );
    if (!confirmed) return;
    this.#secret = null; // an older secret's panel must not stay beside this answer
    let payload;
    try {
      payload = await mutate(rotate ? ROTATE : REVOKE, { id: client.id });
    } catch (failure) {
      this.#status = { text: failure.message, error: true };
      return this.#render();
    }
    if (payload.userErrors.length) {
      this.#status = { text: payload.userErrors.map((e) => e.message).join(" "), error: true };
    } else {
      this.#status = { text: rotate ? `${client.name} has a new secret.` : `${client.name} is revoked.`, error: false };
      if (rotate) {
        this.#secret = {
          clientName: client.name,
          secret: payload.secret,
          rotated: true,
          previousUntil: payload.previousSecretExpiresAt,
        };
      }
    }
    await this.#load();
    this.querySelector(rotate && this.#secret ? "#secret-title" : "#api-clients-title").focus();
  }

  async #submit(event) {
    event.preventDefault();
    const form = event.target;
    const values = {
      name: form.name.value.trim(),
      scopes: [...form.querySelectorAll("input[name=scopes]:checked")].map((box) => box.value),
      expiresInDays: form.expiresInDays.value,
    };
    const local = {};
    if (!values.name) local.name = "Enter a name, e.g. the partner system's.";
    if (!values.scopes.length) local.scopes = "Choose at least one scope.";
    if (Object.keys(local).length) {
      this.#form = { errors: local, values };
      this.#render();
      this.querySelector(local.name ? "#api-client-name" : "#scope-STAFF_READ").focus();
      return;
    }
    form.querySelector("button[type=submit]").disabled = true;
    let payload;
    try {
      payload = await mutate(CREATE, {
        name: values.name,
        scopes: values.scopes,
        expiresInDays: values.expiresInDays ? Number(values.expiresInDays) : null,
      });
    } catch (failure) {
      this.#form = { errors: { "": failure.message }, values };
      return this.#render();
    }
    if (payload.userErrors.length) {
      this.#form = { errors: errorsByField(payload.userErrors), values };
      this.#render();
      this.querySelector("#api-client-name").focus();
      return;
    }
    this.#form = null;
    this.#secret = { clientName: payload.apiClient.name, secret: payload.secret, rotated: false };
    this.#status = { text: `${payload.apiClient.name} is created.`, error: false };
    await this.#load();
    this.querySelector("#secret-title").focus();
  }
}

export function registerApiClientsPage() {
  customElements.define("api-clients-page", ApiClientsPage);
}
