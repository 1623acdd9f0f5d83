// The signed-in person's own account: who they are, two-factor sign-in and the app unlock PIN.
// Everyone can reach it (managers too); the note about managing staff is only for others.
// A session the practice holds to two-factor enrolment lands here and can do nothing else
// until it enrols: the page says so and leads straight into the set-up.

import { formError, loadFailed } from "../../form-fields.js";
import { gql, mutate } from "../../gql.js";
import { errorsByField, fieldError, markInvalid } from "../../forms.js";
import { html, render } from "../../html.js";
import { store } from "../../store.js";
import { canManageStaff, loadViewer, mustChangePassword, mustEnrolTwoFactor } from "../../viewer.js";

const ME = `query { viewer { account { id twoFactorEnabled } } }`;
const ENROLL_START = `mutation($input: TwoFactorEnrollStartInput) { twoFactorEnrollStart(input: $input) {
  provisioningUri secret qrCodeSvg userErrors { field code message } } }`;
const ENROLL_CONFIRM = `mutation($input: TwoFactorEnrollConfirmInput!) { twoFactorEnrollConfirm(input: $input) {
  recoveryCodes staffMember { id twoFactorEnabled } userErrors { field code message } } }`;
const DISABLE = `mutation($input: TwoFactorDisableInput!) { twoFactorDisable(input: $input) {
  staffMember { id twoFactorEnabled } userErrors { field code message retryAfterSeconds } } }`;
const PIN_CHANGE = `mutation($input: PinChangeInput!) { pinChange(input: $input) {
  ok userErrors { field code message retryAfterSeconds } } }`;

// Held for a new password: only that (and who you are). Held for two-factor enrolment: the
// reason and the set-up first; the PIN and the rest wait, as everything else does.
const LAYOUTS = {
  password: html`<div data-slot="banner"></div><password-change></password-change><account-details></account-details>`,
  "two-factor": html`<div data-slot="banner"></div><div data-slot="two-factor"></div><account-details></account-details>`,
  free: html`<div data-slot="banner"></div><account-details></account-details><password-change></password-change>
    <div data-slot="two-factor"></div><div data-slot="pin"></div><session-list></session-list>`,
};

const OWN_FORMS = ["enroll-confirm", "disable", "pin"];

// slot element -> the markup last drawn into it
const drawnMarkup = new WeakMap();

class AccountPage extends HTMLElement {
  // Two-factor section state: "loading" | "off" | "enrolling" | "codes" | "on" | "disabling".
  #twoFactor = { mode: "loading" };
  #pin = { status: null, errors: {} };
  #notice = "";

  connectedCallback() {
    if (!store.state.viewer) return;
    this.addEventListener("click", (event) => this.#click(event));
    this.addEventListener("submit", (event) => this.#submit(event));
    this.addEventListener("password-changed", () => this.#passwordChanged());
    this.#render();
    this.#load();
  }

  async #load() {
    try {
      const { viewer } = await gql(ME);
      this.#twoFactor = { mode: viewer.account.twoFactorEnabled ? "on" : "off" };
    } catch (failure) {
      this.#twoFactor = { mode: "error", message: failure.message };
    }
    this.#render();
    if (this.#twoFactor.mode === "off" && mustEnrolTwoFactor(store.state.viewer)) {
      this.#focus("[data-action=enroll-start]");
    }
  }

  // The page's layout follows what holds the session; the sections with their own state
  // (details, password, sessions) are elements built once per layout, the two-factor and
  // PIN sections are drawn into their slots on every change.
  // `acted`: the slot whose own action ("two-factor", "pin") led here is redrawn even when
  // its markup is the same (a repeated error is announced again, a used form cleared).
  #render(acted = "") {
    const { viewer } = store.state;
    if (!viewer) return;
    const layout = mustChangePassword(viewer) ? "password" : mustEnrolTwoFactor(viewer) ? "two-factor" : "free";
    if (this.dataset.layout !== layout) {
      this.dataset.layout = layout;
      render(this, html`<div class="account-page">${LAYOUTS[layout]}</div>`);
    }
    this.#fill("banner", this.#banner(viewer, layout), acted);
    this.#fill("two-factor", this.#twoFactorSection(), acted);
    this.#fill("pin", this.#pinSection(), acted);
  }

  // Other slots are redrawn only when their markup changes: the two-factor status arriving
  // must not wipe a PIN that is being typed.
  #fill(name, template, acted) {
    const slot = this.querySelector(`[data-slot=${name}]`);
    if (!slot || (name !== acted && drawnMarkup.get(slot) === template.markup)) return;
    drawnMarkup.set(slot, template.markup);
    render(slot, template);
  }

  #banner(viewer, layout) {
    if (layout === "two-factor") return this.#enrolmentBanner(viewer);
    if (layout === "password") {
      return html`
        <div class="enrolment-required" role="alert">
          <p><strong>Choose a new password to continue.</strong></p>
          <p>An administrator of ${viewer.practice.name} requires a new password for your account.
            Until you choose one, you can only use this page.</p>
        </div>
      `;
    }
    return this.#notice ? html`<p class="success" role="status">${this.#notice}</p>` : html``;
  }

  // A password change frees a session held for one; it also ended the other sessions.
  async #passwordChanged() {
    const wasHeld = mustChangePassword(store.state.viewer);
    this.querySelector("session-list")?.reload();
    if (!wasHeld) return;
    const viewer = await this.#freshViewer();
    if (!viewer || mustChangePassword(viewer)) return;
    this.#notice = "Your new password is set. You can use everything your role allows.";
    this.#render();
    this.querySelector("[data-slot=banner] p")?.setAttribute("tabindex", "-1");
    this.querySelector("[data-slot=banner] p")?.focus();
  }

  #enrolmentBanner(viewer) {
    const offer = this.#twoFactor.mode === "off";
    return html`
      <div class="enrolment-required" role="alert">
        <p><strong>Set up two-factor sign-in to continue.</strong></p>
        <p>${viewer.practice.name} requires two-factor sign-in for accounts that manage staff. Until you
          turn it on, you can only use this page; it takes a minute with an authenticator app on your
          phone.</p>
        ${offer
          ? html`<button type="button" class="primary" data-action="enroll-start">Set up two-factor sign-in</button>`
          : ""}
      </div>
    `;
  }

  #twoFactorSection() {
    const state = this.#twoFactor;
    const on = state.mode === "on" || state.mode === "disabling" || state.mode === "codes";
    let body;
    if (state.mode === "loading") body = html`<p class="loading-inline">Loading…</p>`;
    else if (state.mode === "error") {
      body = loadFailed(state.message, "two-factor-retry");
    }
    else if (state.mode === "off") {
      // Held, the banner above offers the button: one way in, not two.
      const held = mustEnrolTwoFactor(store.state.viewer);
      body = html`
        <p>Two-factor sign-in asks for a code from an authenticator app on your phone each time you
          sign in, so a stolen password alone is not enough.</p>
        ${state.error ? html`<p class="form-error" role="alert">${state.error}</p>` : ""}
        ${held
          ? ""
          : html`<button type="button" class="primary" data-action="enroll-start">Set up two-factor sign-in</button>`}
      `;
    } else if (state.mode === "enrolling") {
      const errors = state.errors ?? {};
      body = html`
        <ol class="enrol-steps">
          <li>
            <p>Scan this QR code with your authenticator app (for example Google Authenticator,
              Microsoft Authenticator or 1Password).</p>
            ${state.qrCodeSvg
              ? html`<img class="qr-code" src="${state.qrCodeSvg}" alt="QR code for your authenticator app"
                  width="200" height="200">`
              : ""}
            <p>Cannot scan it? Type this key into the app instead:</p>
            <p><code class="totp-secret" aria-label="Secret key">${state.secret}</code></p>
          </li>
          <li>
            <form novalidate data-form="enroll-confirm">
              <label for="two-factor-code">Enter the 6-digit code the app shows</label>
              <input id="two-factor-code" name="code" autocomplete="one-time-code" inputmode="numeric"
                maxlength="6" required>
              ${fieldError("two-factor-code", errors.code || errors[""])}
              <div class="form-actions">
                <button type="submit" class="primary">Turn on two-factor sign-in</button>
                <button type="button" data-action="enroll-cancel">Cancel</button>
              </div>
            </form>
          </li>
        </ol>
      `;
    } else if (state.mode === "codes") {
      body = html`
        <div class="success" role="status">
          <p><strong>Two-factor sign-in is on.</strong></p>
        </div>
        <h3 id="recovery-codes-title">Your recovery codes</h3>
        <p class="notice">Store these codes somewhere safe, such as a password manager or a printed
          copy kept locked away. Each code signs you in once if you lose your phone.
          <strong>They are shown only now.</strong></p>
        <ul class="recovery-codes" aria-labelledby="recovery-codes-title">
          ${state.recoveryCodes.map((code) => html`<li><code>${code}</code></li>`)}
        </ul>
        <button type="button" class="primary" data-action="codes-done">I have stored my recovery codes</button>
      `;
    } else if (state.mode === "on") {
      const viewer = store.state.viewer;
      const required = viewer?.practice?.requireTwoFactorForManagers && canManageStaff(viewer);
      body = html`
        ${state.notice
          ? html`<p class="success" role="status">
              ${state.notice}
              ${state.freed && canManageStaff(viewer) ? html` <a href="/staff" data-link>Go to Staff</a>` : ""}
            </p>`
          : ""}
        <p>You are asked for a code from your authenticator app each time you sign in.</p>
        ${required
          ? html`<p>Your practice requires two-factor sign-in for accounts that manage staff.</p>`
          : ""}
        <button type="button" data-action="disable-start">Turn off two-factor sign-in</button>
      `;
    } else if (state.mode === "disabling") {
      const errors = state.errors ?? {};
      body = html`
        <form novalidate data-form="disable">
          <p>Turning two-factor sign-in off makes your account easier to break into. Confirm with your
            password.</p>
          <label for="two-factor-disable-password">Current password</label>
          <input id="two-factor-disable-password" name="currentPassword" type="password"
            autocomplete="current-password" required>
          ${fieldError("two-factor-disable-password", errors.currentPassword)}
          ${formError(errors[""])}
          <div class="form-actions">
            <button type="submit" class="danger">Turn off</button>
            <button type="button" data-action="disable-cancel">Cancel</button>
          </div>
        </form>
      `;
    }
    const status =
      state.mode === "loading" || state.mode === "error"
        ? ""
        : html`<p class="two-factor-status">Status: <strong>${on ? "✔ On" : "✘ Off"}</strong></p>`;
    return html`
      <section class="card" aria-labelledby="two-factor-title">
        <h2 id="two-factor-title" tabindex="-1">Two-factor authentication</h2>
        ${status} ${body}
        ${state.mode === "off" && state.notice ? html`<p class="success" role="status">${state.notice}</p>` : ""}
      </section>
    `;
  }

  #pinSection() {
    const { status, errors } = this.#pin;
    return html`
      <section class="card" aria-labelledby="pin-title">
        <h2 id="pin-title">App unlock PIN</h2>
        <p>The 4-digit PIN unlocks the mobile app after a short idle time. Avoid one repeated digit,
          a run such as 1234, or a common PIN.</p>
        <form novalidate data-form="pin">
          <label for="pin-current-password">Current password</label>
          <input id="pin-current-password" name="currentPassword" type="password"
            autocomplete="current-password" required>
          ${fieldError("pin-current-password", errors.currentPassword)}
          <label for="pin-new">New PIN</label>
          <input id="pin-new" name="newPin" type="password" inputmode="numeric" maxlength="4"
            autocomplete="off" required>
          ${fieldError("pin-new", errors.newPin || errors.pin)}
          ${formError(errors[""])}
          ${status ? html`<p class="success" role="status">${status}</p>` : ""}
          <button type="submit" class="primary">Change PIN</button>
        </form>
      </section>
    `;
  }

  #focus(selector) {
    this.querySelector(selector)?.focus();
  }

  async #click(event) {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "enroll-start") {
      button.disabled = true;
      try {
        const payload = await mutate(ENROLL_START, {});
        if (payload.userErrors.length) {
          this.#twoFactor = { mode: "off", error: payload.userErrors.map((e) => e.message).join(" ") };
        } else {
          this.#twoFactor = { mode: "enrolling", secret: payload.secret, qrCodeSvg: payload.qrCodeSvg };
        }
      } catch (failure) {
        this.#twoFactor = { mode: "off", error: failure.message };
      }
      // The button may sit in the banner, which is not redrawn when its markup is unchanged
      // (a failure): it must not stay disabled there.
      button.disabled = false;
      this.#render("two-factor");
      this.#focus(this.#twoFactor.mode === "enrolling" ? "#two-factor-code" : "[data-action=enroll-start]");
    } else if (action === "enroll-cancel") {
      this.#twoFactor = { mode: "off" };
      this.#render("two-factor");
      this.#focus("[data-action=enroll-start]");
    } else if (action === "codes-done") {
      button.disabled = true;
      const freed = mustEnrolTwoFactor(store.state.viewer) && (await this.#reloadViewer());
      this.#twoFactor = freed
        ? { mode: "on", freed, notice: "Two-factor sign-in is on. You can use everything your role allows." }
        : { mode: "on" };
      this.#render("two-factor");
      this.#focus("#two-factor-title");
    } else if (action === "disable-start") {
      this.#twoFactor = { mode: "disabling" };
      this.#render("two-factor");
      this.#focus("#two-factor-disable-password");
    } else if (action === "two-factor-retry") {
      this.#twoFactor = { mode: "loading" };
      this.#render("two-factor");
      await this.#load();
    } else if (action === "disable-cancel") {
      this.#twoFactor = { mode: "on" };
      this.#render("two-factor");
      this.#focus("[data-action=disable-start]");
    }
  }

  /** After enrolment frees a held session: the viewer as it is now. True when no longer held. */
  async #reloadViewer() {
    const viewer = await this.#freshViewer();
    return Boolean(viewer) && !mustEnrolTwoFactor(viewer);
  }

  /** The viewer as it is now, into the store; null when it cannot be loaded. */
  async #freshViewer() {
    try {
      const viewer = await loadViewer();
      if (viewer) store.set({ viewer });
      return viewer;
    } catch {
      return null; // the session-expired flow (if that is what failed) takes over
    }
  }

  async #submit(event) {
    event.preventDefault();
    const form = event.target;
    const kind = form.dataset.form;
    if (!OWN_FORMS.includes(kind)) return; // the details and password sections handle theirs
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      if (kind === "enroll-confirm") await this.#confirmEnrolment(form);
      else if (kind === "disable") await this.#disable(form);
      else if (kind === "pin") await this.#changePin(form);
    } finally {
      if (submit.isConnected) submit.disabled = false;
    }
  }

  async #confirmEnrolment(form) {
    const code = form.code.value.replace(/\s+/g, "");
    let byField;
    try {
      const payload = await mutate(ENROLL_CONFIRM, { code });
      if (!payload.userErrors.length) {
        this.#twoFactor = { mode: "codes", recoveryCodes: payload.recoveryCodes };
        this.#render("two-factor");
        this.#focus("#recovery-codes-title");
        return;
      }
      byField = errorsByField(payload.userErrors);
    } catch (failure) {
      byField = { "": failure.message };
    }
    if (!code && !byField.code) byField = { code: "Enter the 6-digit code." };
    this.#twoFactor = { ...this.#twoFactor, errors: byField };
    this.#render("two-factor");
    const newForm = this.querySelector("[data-form=enroll-confirm]");
    markInvalid(newForm, byField.code || byField[""] ? { code: byField.code || byField[""] } : {});
    this.#focus("#two-factor-code");
  }

  async #disable(form) {
    let byField;
    try {
      const payload = await mutate(DISABLE, { currentPassword: form.currentPassword.value });
      if (!payload.userErrors.length) {
        this.#twoFactor = { mode: "off", notice: "Two-factor sign-in is off." };
        this.#render("two-factor");
        this.#focus("[data-action=enroll-start]");
        return;
      }
      byField = errorsByField(payload.userErrors);
    } catch (failure) {
      byField = { "": failure.message };
    }
    this.#twoFactor = { mode: "disabling", errors: byField };
    this.#render("two-factor");
    // A refusal that is not about the password (the practice requires two-factor sign-in,
    // say) is shown for the form; the password field is marked only when it was wrong.
    markInvalid(this.querySelector("[data-form=disable]"), { currentPassword: byField.currentPassword });
    this.#focus("#two-factor-disable-password");
  }

  async #changePin(form) {
    let byField;
    try {
      const payload = await mutate(PIN_CHANGE, {
        currentPassword: form.currentPassword.value,
        newPin: form.newPin.value,
      });
      if (payload.ok && !payload.userErrors.length) {
        this.#pin = { status: "Your app unlock PIN is changed.", errors: {} };
        this.#render("pin");
        this.#focus("#pin-title");
        return;
      }
      byField = errorsByField(payload.userErrors);
    } catch (failure) {
      byField = { "": failure.message };
    }
    this.#pin = { status: null, errors: byField };
    this.#render("pin");
    const pinForm = this.querySelector("[data-form=pin]");
    markInvalid(pinForm, { currentPassword: byField.currentPassword, newPin: byField.newPin || byField.pin });
    this.#focus(byField.currentPassword ? "#pin-current-password" : "#pin-new");
  }
}

export function registerAccountPage() {
  customElements.define("account-page", AccountPage);
}
