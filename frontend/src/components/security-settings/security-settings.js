// The practice's Security card on Roles & Permissions: "Require two-factor authentication for
// accounts with Manage Accounts". It sits beside the roles because it is a rule about who
// holds a permission set there; only a viewer with Manage Accounts sees it.

import { gql, mutate } from "../../gql.js";
import { loadFailed } from "../../form-fields.js";
import { html, render } from "../../html.js";
import { store } from "../../store.js";

const SETTING = `query { viewer { practice { requireTwoFactorForManagers } } }`;
const SET_REQUIREMENT = `mutation($input: PracticeSetTwoFactorRequirementInput!) {
  practiceSetTwoFactorRequirement(input: $input) {
    practice { requireTwoFactorForManagers } userErrors { field code message } } }`;

const TURNED_ON = "✔ Two-factor sign-in is now required for accounts with Manage Accounts.";
const TURNED_OFF = "✔ Two-factor sign-in is no longer required for accounts with Manage Accounts.";

class SecuritySettings extends HTMLElement {
  // required: null while loading; error: a userError (or a failure) of the last change.
  #state = { required: null, error: null, notice: "", loadError: null };

  connectedCallback() {
    this.addEventListener("change", (event) => {
      if (event.target.id === "require-two-factor") this.#change(event.target);
    });
    this.addEventListener("click", (event) => {
      if (!event.target.closest("[data-action=security-retry]")) return;
      this.#state.loadError = null;
      this.#render(); // "Loading…" while it asks again
      this.#load();
    });
    this.#render();
    this.#load();
  }

  async #load() {
    try {
      const { viewer } = await gql(SETTING);
      this.#state.required = Boolean(viewer?.practice?.requireTwoFactorForManagers);
    } catch (failure) {
      this.#state.loadError = failure.message;
    }
    this.#render();
  }

  #render() {
    const { required, error, notice, loadError } = this.#state;
    let body;
    if (loadError) {
      body = loadFailed(loadError, "security-retry");
    }
    else if (required === null) body = html`<p class="security-hint">Loading…</p>`;
    else {
      const describedBy = error ? "require-two-factor-hint require-two-factor-error" : "require-two-factor-hint";
      body = html`
        <div class="security-choice">
          <input type="checkbox" id="require-two-factor" aria-describedby="${describedBy}"
            ${required ? html`checked` : ""} ${error ? html`aria-invalid="true"` : ""}>
          <label for="require-two-factor">Require two-factor authentication for accounts with Manage Accounts</label>
        </div>
        <p class="security-hint" id="require-two-factor-hint">
          It applies at each such person's next sign-in: until they set up two-factor sign-in, that is
          all they can do. Sessions already open are not affected.
        </p>
        ${error
          ? html`<p class="field-error" id="require-two-factor-error" role="alert">
              ${error.message}
              ${error.code === "TWO_FACTOR_NOT_ENABLED"
                ? html`<a href="/account" data-link>Set it up in Your account</a>`
                : ""}
            </p>`
          : ""}
        ${notice ? html`<p class="success" role="status">${notice}</p>` : ""}
      `;
    }
    render(
      this,
      html`<section class="card security-settings" aria-labelledby="security-settings-title">
        <h2 id="security-settings-title">Security</h2>
        ${body}
      </section>`,
    );
  }

  async #change(box) {
    const wanted = box.checked;
    box.disabled = true;
    let payload;
    try {
      payload = await mutate(SET_REQUIREMENT, { requireTwoFactorForManagers: wanted });
    } catch (failure) {
      payload = { userErrors: [{ field: null, code: failure.code, message: failure.message }] };
    }
    if (!this.isConnected) return;
    const [error] = payload.userErrors;
    if (error) {
      this.#state = { ...this.#state, error, notice: "" }; // unchanged: the box goes back
    } else {
      const required = payload.practice.requireTwoFactorForManagers;
      this.#state = { ...this.#state, required, error: null, notice: required ? TURNED_ON : TURNED_OFF };
      const { viewer } = store.state;
      if (viewer?.practice) {
        store.set({ viewer: { ...viewer, practice: { ...viewer.practice, requireTwoFactorForManagers: required } } });
      }
    }
    this.#render();
    this.querySelector("#require-two-factor")?.focus();
  }
}

export function registerSecuritySettings() {
  customElements.define("security-settings", SecuritySettings);
}
