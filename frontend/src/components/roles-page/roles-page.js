// Roles & Permissions: the practice's roles and what each allows. System roles are
// read-only; a viewer with Manage Accounts can create, rename, re-permission and delete
// the practice's own roles, and sees the practice's Security setting (security-settings).

import { confirmDiscard } from "../confirm-dialog/confirm-dialog.js";
import { trapFocus } from "../../focus-trap.js";
import { formError, textField } from "../../form-fields.js";
import { errorsByField, fieldError } from "../../forms.js";
import { gql, mutate } from "../../gql.js";
import { html, render } from "../../html.js";
import { store } from "../../store.js";
import { canManageStaff, loadViewer } from "../../viewer.js";

// The Permission enum in catalogue order, with what a person reads.
export const PERMISSION_LABELS = {
  MANAGE_ACCOUNTS: "Manage Accounts",
  SCHEDULING: "Scheduling",
  CHARTING: "Charting",
  PATIENT_INFORMATION: "Patient Information",
  SETTINGS: "Settings",
  PROFILES: "Profiles",
  REPORTING: "Reporting",
  SIGN_CLINICAL_NOTES: "Sign Clinical Notes (on behalf of primary provider)",
  ELECTRONIC_PRESCRIBING: "Electronic Prescribing (on behalf of primary provider)",
  BILLING: "Billing",
  BUSINESS_INTELLIGENCE: "Business Intelligence",
  SUBMIT_CLAIMS: "Submit Claims",
};

const ROLE_FIELDS = "id name isSystem permissions";
const ROLES = `query { roles { ${ROLE_FIELDS} } }`;
const ROLE_CREATE = `mutation($input: RoleCreateInput!) { roleCreate(input: $input) {
  role { ${ROLE_FIELDS} } userErrors { field code message } } }`;
const ROLE_UPDATE = `mutation($input: RoleUpdateInput!) { roleUpdate(input: $input) {
  role { ${ROLE_FIELDS} } userErrors { field code message } } }`;
const ROLE_DELETE = `mutation($input: RoleDeleteInput!) { roleDelete(input: $input) {
  deletedRoleId userErrors { field code message } } }`;

function label(permission) {
  return PERMISSION_LABELS[permission] ?? permission;
}

function byDisplayOrder(a, b) {
  if (a.isSystem !== b.isSystem) return a.isSystem ? 1 : -1;
  return a.name.localeCompare(b.name, undefined, { sensitivity: "base" });
}

/** What a role form holds now. */
function formValues(form) {
  const permissions = [...form.querySelectorAll("input[name=permissions]:checked")].map((box) => box.value);
  return { name: form.elements.name.value, permissions };
}

function sameValues(a, b) {
  return a.name === b.name && [...a.permissions].sort().join() === [...b.permissions].sort().join();
}

// The page's two role forms: the create form beside the list, and the edit form in place
// of one practice role's card. One builder and one submit routine serve both; this is
// what differs.
const FORMS = {
  create: { prefix: "role-create", mutation: ROLE_CREATE, submitLabel: "Create role", doneVerb: "created" },
  edit: { prefix: "role-edit", mutation: ROLE_UPDATE, submitLabel: "Save changes", doneVerb: "saved" },
};

const emptyDraft = () => ({ roleId: null, values: { name: "", permissions: [] }, errors: {} });

/** The name field, the permission checkboxes and the buttons of a create or edit form. */
function roleForm(kind, { roleId, values, errors }) {
  const { prefix, submitLabel } = FORMS[kind];
  const chosen = new Set(values.permissions);
  return html`
    <form class="role-form" data-form="${kind}" ${roleId ? html`data-role-id="${roleId}"` : ""} novalidate>
      ${textField({
        id: `${prefix}-name`,
        name: "name",
        label: "Role name",
        value: values.name,
        maxlength: "100",
        autocomplete: "off",
        error: errors.name,
      })}
      <fieldset
        class="permission-choices"
        ${errors.permissions ? html`aria-describedby="${prefix}-permissions-error"` : ""}
      >
        <legend>Permissions</legend>
        ${Object.entries(PERMISSION_LABELS).map(
          ([value, text]) => html`
            <div class="permission-choice">
              <input
                type="checkbox"
                id="${prefix}-perm-${value}"
                name="permissions"
                value="${value}"
                ${chosen.has(value) ? html`checked` : ""}
              >
              <label for="${prefix}-perm-${value}">${text}</label>
            </div>
          `,
        )}
      </fieldset>
      ${fieldError(`${prefix}-permissions`, errors.permissions)}
      ${formError(errors[""])}
      <div class="role-actions">
        <button type="submit" class="primary">${submitLabel}</button>
        ${kind === "edit" ? html`<button type="button" data-action="cancel-edit">Cancel</button>` : ""}
      </div>
    </form>
  `;
}

/** Where focus goes after a refused save: the first field the server complained about. */
function firstInvalid(prefix, errors) {
  if (errors.name) return `#${prefix}-name`;
  if (errors.permissions) return `#${prefix}-perm-MANAGE_ACCOUNTS`;
  return null;
}

function editButton(roleId) {
  return `button[data-action=edit][data-role-id="${CSS.escape(roleId)}"]`;
}

class RolesPage extends HTMLElement {
  #state = {
    roles: [],
    loading: true,
    loadError: null,
    // What each form holds between renders: its values and the server's errors.
    drafts: { create: emptyDraft(), edit: null },
  };
  #releaseDialog = null;

  connectedCallback() {
    render(
      this,
      html`
        <section class="roles-page" aria-labelledby="roles-title">
          <div class="roles-intro">
            <h1 id="roles-title">Roles &amp; Permissions</h1>
            <p class="roles-lead">
              A role is a named set of permissions; every staff member has one. System roles are
              fixed. Your practice can add roles of its own.
            </p>
          </div>
          <p class="roles-status" role="status"></p>
          ${this.#canManage ? html`<security-settings></security-settings>` : ""}
          <div class="roles-body"><p class="loading">Loading roles…</p></div>
          <div class="roles-dialog-host"></div>
        </section>
      `,
    );
    this.addEventListener("click", (event) => this.#onClick(event));
    this.addEventListener("submit", (event) => this.#onSubmit(event));
    this.addEventListener("keydown", (event) => this.#onKeydown(event));
    this.#load();
  }

  disconnectedCallback() {
    this.#closeDialog();
  }

  get #canManage() {
    return canManageStaff(store.state.viewer);
  }

  async #load() {
    try {
      const { roles } = await gql(ROLES);
      this.#state.roles = roles;
      this.#state.loadError = null;
    } catch (error) {
      this.#state.loadError = error.message;
    }
    this.#state.loading = false;
    this.#render();
  }

  #announce(message) {
    this.querySelector(".roles-status").textContent = message;
  }

  #role(id) {
    return this.#state.roles.find((role) => role.id === id);
  }

  // ---- rendering ------------------------------------------------------------------------

  #render(focusSelector = null) {
    const body = this.querySelector(".roles-body");
    if (!body) return;
    const { loading, loadError, roles } = this.#state;
    if (loading) return;
    if (loadError) {
      render(body, html`<p class="form-error" role="alert">${loadError}</p>`);
      return;
    }
    const sorted = [...roles].sort(byDisplayOrder);
    const practiceRoles = sorted.filter((role) => !role.isSystem);
    const systemRoles = sorted.filter((role) => role.isSystem);
    const canManage = this.#canManage;
    render(
      body,
      html`
        ${canManage
          ? ""
          : html`<p class="notice roles-read-only">
              You can see the roles, but changing them needs the Manage Accounts permission.
            </p>`}
        <div class="roles-layout ${canManage ? "" : "read-only"}">
          <div class="roles-main">
            <section class="roles-group practice-roles" aria-labelledby="practice-roles-title">
              <h2 id="practice-roles-title" tabindex="-1">Practice roles (${practiceRoles.length})</h2>
              ${practiceRoles.length
                ? html`<ul class="role-list">${practiceRoles.map((role) => this.#roleItem(role, canManage))}</ul>`
                : html`<p class="roles-empty">Your practice has no roles of its own yet.</p>`}
            </section>
            <section class="roles-group system-roles" aria-labelledby="system-roles-title">
              <h2 id="system-roles-title">System roles (${systemRoles.length})</h2>
              <ul class="role-list">${systemRoles.map((role) => this.#roleItem(role, false))}</ul>
            </section>
          </div>
          ${canManage
            ? html`<section class="card role-create" aria-labelledby="role-create-title">
                <h2 id="role-create-title">New practice role</h2>
                ${roleForm("create", this.#state.drafts.create)}
              </section>`
            : ""}
        </div>
      `,
    );
    if (focusSelector) body.querySelector(focusSelector)?.focus();
  }

  #roleItem(role, canManage) {
    const editing = this.#state.drafts.edit;
    if (canManage && editing?.roleId === role.id) {
      return html`<li class="card role-card editing" data-role-id="${role.id}">
        <h3 id="role-edit-title">Edit “${role.name}”</h3>
        ${roleForm("edit", editing)}
      </li>`;
    }
    const titleId = `role-${role.id}-title`;
    return html`
      <li class="card role-card" data-role-id="${role.id}">
        <div class="role-head">
          <h3 id="${titleId}">${role.name}</h3>
          ${role.isSystem
            ? html`<span class="role-badge system">System · read-only</span>`
            : html`<span class="role-badge practice">Practice role</span>`}
        </div>
        ${role.permissions.length
          ? html`<ul class="permission-list" aria-label="Permissions of ${role.name}">
              ${role.permissions.map(
                (permission) => html`<li><span aria-hidden="true">✔</span> ${label(permission)}</li>`,
              )}
            </ul>`
          : html`<p class="permission-none">No permissions</p>`}
        ${canManage && !role.isSystem
          ? html`<div class="role-actions">
              <button type="button" data-action="edit" data-role-id="${role.id}">
                Edit<span class="visually-hidden"> ${role.name}</span>
              </button>
              <button type="button" class="danger-outline" data-action="delete" data-role-id="${role.id}">
                Delete<span class="visually-hidden"> ${role.name}</span>
              </button>
            </div>`
          : ""}
      </li>
    `;
  }

  // ---- events ---------------------------------------------------------------------------

  #onClick(event) {
    const button = event.target.closest("button[data-action]");
    if (!button || !this.contains(button)) return;
    const { action, roleId } = button.dataset;
    if (action === "edit") this.#startEdit(roleId);
    else if (action === "cancel-edit") this.#cancelEdit();
    else if (action === "delete") this.#openDeleteDialog(roleId);
  }

  // Escape leaves the edit form; what was changed in it is discarded only when confirmed.
  // (Cancel is itself the choice to discard: it does not ask.)
  async #onKeydown(event) {
    const form = event.target.closest?.("form[data-form=edit]");
    if (event.key !== "Escape" || !form) return;
    event.preventDefault();
    const role = this.#role(form.dataset.roleId);
    if (role && !sameValues(formValues(form), role)) {
      const discard = await confirmDiscard(`Your changes to the role “${role.name}” have not been saved.`);
      if (!discard || !form.isConnected) return;
    }
    this.#cancelEdit();
  }

  #onSubmit(event) {
    const form = event.target.closest("form[data-form]");
    if (!form) return;
    event.preventDefault();
    this.#save(form.dataset.form, form);
  }

  #startEdit(roleId) {
    const role = this.#role(roleId);
    if (!role || role.isSystem) return;
    this.#state.drafts.edit = { roleId, values: { name: role.name, permissions: [...role.permissions] }, errors: {} };
    this.#announce("");
    this.#render("#role-edit-name");
  }

  #cancelEdit() {
    const roleId = this.#state.drafts.edit?.roleId;
    if (!roleId) return;
    this.#state.drafts.edit = null;
    this.#render(editButton(roleId));
  }

  /** Creates or updates (`kind`) the role of `form`; a refusal is shown on its fields. */
  async #save(kind, form) {
    const { prefix, mutation, doneVerb } = FORMS[kind];
    const draft = this.#state.drafts[kind];
    const before = draft.roleId ? this.#role(draft.roleId) : null;
    const values = formValues(form);
    form.querySelector("button[type=submit]").disabled = true;
    this.#announce("");
    let payload;
    try {
      payload = await mutate(mutation, draft.roleId ? { id: draft.roleId, ...values } : values);
    } catch (error) {
      payload = { userErrors: [{ field: null, message: error.message }] };
    }
    if (!this.isConnected) return;
    draft.values = values;
    if (payload.userErrors.length) {
      draft.errors = errorsByField(payload.userErrors);
      this.#render(firstInvalid(prefix, draft.errors));
      return;
    }
    const saved = payload.role;
    // Shown sorted by name: where it goes in the list does not matter.
    this.#state.roles = [...this.#state.roles.filter((role) => role.id !== saved.id), saved];
    if (kind === "create") this.#state.drafts.create = emptyDraft();
    else if (this.#state.drafts.edit === draft) this.#state.drafts.edit = null;
    this.#render(kind === "create" ? "#role-create-name" : editButton(saved.id));
    this.#announce(`✔ Role “${saved.name}” ${doneVerb}.`);
    // The viewer's own role changed: what they may do here may have changed too.
    if (before && store.state.viewer?.account?.role?.name === before.name) await this.#refreshViewer();
  }

  async #refreshViewer() {
    try {
      const viewer = await loadViewer();
      if (!viewer) return;
      store.set({ viewer });
      if (!this.#canManage) this.querySelector("security-settings")?.remove();
      if (this.isConnected) this.#render();
    } catch {
      // The session-expired flow (if that is what failed) takes over.
    }
  }

  // ---- delete confirmation --------------------------------------------------------------

  #openDeleteDialog(roleId) {
    const role = this.#role(roleId);
    if (!role || role.isSystem) return;
    this.#announce("");
    const host = this.querySelector(".roles-dialog-host");
    render(
      host,
      html`
        <div class="modal-backdrop" data-backdrop>
          <div
            class="modal card"
            role="dialog"
            aria-modal="true"
            aria-labelledby="role-delete-title"
            aria-describedby="role-delete-text"
          >
            <h2 id="role-delete-title">Delete role “${role.name}”?</h2>
            <p id="role-delete-text">
              The role and its permissions will be removed. This cannot be undone. A role that a
              staff member still holds cannot be deleted.
            </p>
            <div class="role-delete-error"></div>
            <div class="modal-actions">
              <button type="button" class="danger" data-dialog="confirm">Delete role</button>
              <button type="button" data-dialog="cancel" autofocus>Cancel</button>
            </div>
          </div>
        </div>
      `,
    );
    const dialog = host.querySelector("[role=dialog]");
    host.querySelector("[data-backdrop]").addEventListener("click", (event) => {
      if (event.target === event.currentTarget) this.#closeDialog();
    });
    dialog.addEventListener("click", (event) => {
      const choice = event.target.closest("[data-dialog]")?.dataset.dialog;
      if (choice === "cancel") this.#closeDialog();
      else if (choice === "confirm") this.#delete(role, dialog);
    });
    this.#releaseDialog = trapFocus(dialog, () => this.#closeDialog());
  }

  #closeDialog() {
    const host = this.querySelector(".roles-dialog-host");
    if (host) render(host, html``);
    const release = this.#releaseDialog;
    this.#releaseDialog = null;
    release?.();
  }

  async #delete(role, dialog) {
    const confirm = dialog.querySelector("[data-dialog=confirm]");
    confirm.disabled = true;
    let payload;
    try {
      payload = await mutate(ROLE_DELETE, { id: role.id });
    } catch (error) {
      payload = { userErrors: [{ field: null, code: "ERROR", message: error.message }] };
    }
    if (!dialog.isConnected) return;
    if (payload.userErrors.length) {
      // Nothing was deleted: say why inside the dialog; only closing is left to do.
      render(
        dialog.querySelector(".role-delete-error"),
        html`<p class="form-error" role="alert">${payload.userErrors.map((e) => e.message).join(" ")}</p>`,
      );
      confirm.remove();
      const cancel = dialog.querySelector("[data-dialog=cancel]");
      cancel.textContent = "Close";
      cancel.focus();
      return;
    }
    this.#state.roles = this.#state.roles.filter((item) => item.id !== role.id);
    if (this.#state.drafts.edit?.roleId === role.id) this.#state.drafts.edit = null;
    this.#closeDialog();
    this.#render("#practice-roles-title");
    this.#announce(`✔ Role “${role.name}” deleted.`);
  }
}

export function registerRolesPage() {
  customElements.define("roles-page", RolesPage);
}
