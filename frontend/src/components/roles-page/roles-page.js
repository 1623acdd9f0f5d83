// Roles & Permissions: the practice's roles and what each allows. System roles are
// read-only; a viewer with Manage Accounts can create, rename, re-permission and delete
// the practice's own roles, and sees the practice's Security setting (security-settings).

import { trapFocus } from "../../focus-trap.js";
import { gql, mutate } from "../../gql.js";
import { errorsByField, fieldError } from "../../forms.js";
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

function checkedPermissions(form) {
  return [...form.querySelectorAll("input[name=permissions]:checked")].map((box) => box.value);
}

/** Name field and permission checkboxes, shared by the create and the edit form. */
function roleFields(prefix, values, byField) {
  const nameError = byField.name;
  const permissionsError = byField.permissions;
  const chosen = new Set(values.permissions ?? []);
  return html`
    <label for="${prefix}-name">Role name</label>
    <input
      id="${prefix}-name"
      name="name"
      maxlength="100"
      autocomplete="off"
      value="${values.name ?? ""}"
      ${nameError ? html`aria-invalid="true" aria-describedby="${prefix}-name-error"` : ""}
    >
    ${fieldError(`${prefix}-name`, nameError)}
    <fieldset
      class="permission-choices"
      ${permissionsError ? html`aria-describedby="${prefix}-permissions-error"` : ""}
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
    ${fieldError(`${prefix}-permissions`, permissionsError)}
    ${byField[""] ? html`<p class="form-error" role="alert">${byField[""]}</p>` : ""}
  `;
}

class RolesPage extends HTMLElement {
  #state = {
    roles: [],
    loading: true,
    loadError: null,
    createValues: { name: "", permissions: [] },
    createErrors: {},
    editingId: null,
    editValues: null,
    editErrors: {},
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
          ${canManage ? this.#createForm() : ""}
        </div>
      `,
    );
    if (focusSelector) body.querySelector(focusSelector)?.focus();
  }

  #createForm() {
    const { createValues, createErrors } = this.#state;
    return html`
      <section class="card role-create" aria-labelledby="role-create-title">
        <h2 id="role-create-title">New practice role</h2>
        <form class="role-form" data-form="create" novalidate>
          ${roleFields("role-create", createValues, createErrors)}
          <button type="submit" class="primary">Create role</button>
        </form>
      </section>
    `;
  }

  #roleItem(role, canManage) {
    if (canManage && this.#state.editingId === role.id) return this.#editItem(role);
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

  #editItem(role) {
    const { editValues, editErrors } = this.#state;
    return html`
      <li class="card role-card editing" data-role-id="${role.id}">
        <h3 id="role-edit-title">Edit “${role.name}”</h3>
        <form class="role-form" data-form="edit" data-role-id="${role.id}" novalidate>
          ${roleFields("role-edit", editValues, editErrors)}
          <div class="role-actions">
            <button type="submit" class="primary">Save changes</button>
            <button type="button" data-action="cancel-edit">Cancel</button>
          </div>
        </form>
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

  #onKeydown(event) {
    if (event.key === "Escape" && event.target.closest?.("form[data-form=edit]")) {
      event.preventDefault();
      this.#cancelEdit();
    }
  }

  #onSubmit(event) {
    const form = event.target.closest("form[data-form]");
    if (!form) return;
    event.preventDefault();
    if (form.dataset.form === "create") this.#create(form);
    else if (form.dataset.form === "edit") this.#update(form);
  }

  #startEdit(roleId) {
    const role = this.#role(roleId);
    if (!role || role.isSystem) return;
    this.#state.editingId = roleId;
    this.#state.editValues = { name: role.name, permissions: [...role.permissions] };
    this.#state.editErrors = {};
    this.#announce("");
    this.#render("#role-edit-name");
  }

  #cancelEdit() {
    const roleId = this.#state.editingId;
    if (!roleId) return;
    this.#state.editingId = null;
    this.#state.editErrors = {};
    this.#render(`button[data-action=edit][data-role-id="${CSS.escape(roleId)}"]`);
  }

  async #create(form) {
    const values = { name: form.elements.name.value, permissions: checkedPermissions(form) };
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    this.#announce("");
    let payload;
    try {
      payload = await mutate(ROLE_CREATE, values);
    } catch (error) {
      payload = { userErrors: [{ field: null, message: error.message }] };
    }
    if (!this.isConnected) return;
    this.#state.createValues = values;
    if (payload.userErrors.length) {
      this.#state.createErrors = errorsByField(payload.userErrors);
      this.#render(this.#firstInvalid("role-create", this.#state.createErrors));
      return;
    }
    this.#state.roles = [...this.#state.roles, payload.role];
    this.#state.createValues = { name: "", permissions: [] };
    this.#state.createErrors = {};
    this.#render("#role-create-name");
    this.#announce(`✔ Role “${payload.role.name}” created.`);
  }

  async #update(form) {
    const roleId = form.dataset.roleId;
    const before = this.#role(roleId);
    const values = { name: form.elements.name.value, permissions: checkedPermissions(form) };
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    this.#announce("");
    let payload;
    try {
      payload = await mutate(ROLE_UPDATE, { id: roleId, ...values });
    } catch (error) {
      payload = { userErrors: [{ field: null, message: error.message }] };
    }
    if (!this.isConnected) return;
    this.#state.editValues = values;
    if (payload.userErrors.length) {
      this.#state.editErrors = errorsByField(payload.userErrors);
      this.#render(this.#firstInvalid("role-edit", this.#state.editErrors));
      return;
    }
    const updated = payload.role;
    this.#state.roles = this.#state.roles.map((role) => (role.id === updated.id ? updated : role));
    this.#state.editingId = null;
    this.#state.editErrors = {};
    this.#render(`button[data-action=edit][data-role-id="${CSS.escape(updated.id)}"]`);
    this.#announce(`✔ Role “${updated.name}” saved.`);
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

  #firstInvalid(prefix, byField) {
    if (byField.name) return `#${prefix}-name`;
    if (byField.permissions) return `#${prefix}-perm-MANAGE_ACCOUNTS`;
    return null;
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
    if (this.#state.editingId === role.id) this.#state.editingId = null;
    this.#closeDialog();
    this.#render("#practice-roles-title");
    this.#announce(`✔ Role “${role.name}” deleted.`);
  }
}

export function registerRolesPage() {
  customElements.define("roles-page", RolesPage);
}
