// Your sessions (Your account): where the account is signed in, with "Sign out" for each
// other session and "Sign out everywhere" (this browser too, then the sign-in page).

import { confirmAction } from "../confirm-dialog/confirm-dialog.js";
import { formatDateTime, timeOrDash } from "../../dates.js";
import { gql, mutate } from "../../gql.js";
import { html, render } from "../../html.js";
import { navigate } from "../../router.js";
import { store } from "../../store.js";

const SESSIONS = `query AccountSessions { viewer { sessions { id createdAt lastSeenAt ip userAgent current } } }`;
const REVOKE = `mutation SessionRevoke($input: SessionRevokeInput!) {
  sessionRevoke(input: $input) { ok userErrors { field code message } } }`;
const SIGN_OUT_EVERYWHERE = `mutation SignOutEverywhere { logout(input: { everywhere: true }) { ok } }`;

const BROWSERS = [["Edg/", "Edge"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]];
const SYSTEMS = [["iPhone", "iPhone"], ["iPad", "iPad"], ["Android", "Android"], ["Windows", "Windows"],
  ["Mac OS X", "macOS"], ["Linux", "Linux"]];

/** "Chrome on Linux" from a user agent; the raw text when neither part is recognised. */
export function deviceName(userAgent) {
  if (!userAgent) return "Unknown device";
  const browser = BROWSERS.find(([mark]) => userAgent.includes(mark))?.[1];
  const system = SYSTEMS.find(([mark]) => userAgent.includes(mark))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? userAgent.slice(0, 60);
}

class SessionList extends HTMLElement {
  #sessions = null;
  #message = { text: "", error: false };
  // The list could not be fetched: the message offers to try again.
  #loadFailed = false;

  connectedCallback() {
    this.addEventListener("click", (event) => this.#click(event));
    this.#render();
    this.reload();
  }

  /** Fetch the list again (after a password change ended the other sessions, say). */
  async reload() {
    try {
      this.#sessions = (await gql(SESSIONS)).viewer?.sessions ?? [];
      if (this.#loadFailed) this.#message = { text: "", error: false };
      this.#loadFailed = false;
    } catch (failure) {
      this.#message = { text: failure.message, error: true };
      this.#loadFailed = true;
      this.#sessions ??= []; // the error says why; no "Loading…" beside it
    }
    this.#render();
  }

  #render() {
    const sessions = this.#sessions;
    const { text, error } = this.#message;
    render(
      this,
      html`
        <section class="card" aria-labelledby="sessions-title">
          <h2 id="sessions-title" tabindex="-1">Where you are signed in</h2>
          ${text ? html`<p class="${error ? "form-error" : "success"}" role="${error ? "alert" : "status"}">${text}</p>` : ""}
          ${this.#loadFailed ? html`<button type="button" data-action="sessions-retry">Try again</button>` : ""}
          ${sessions === null
            ? html`<p class="loading-inline">Loading…</p>`
            : html`<ul class="session-list">
                ${sessions.map(
                  (session) => html`
                    <li class="session">
                      <div>
                        <strong>${deviceName(session.userAgent)}</strong>
                        ${session.current ? html`<span class="session-current">This browser</span>` : ""}
                        <div class="session-meta">
                          ${session.ip ? html`${session.ip} · ` : ""}signed in ${timeOrDash(session.createdAt, "")}
                          · last active ${timeOrDash(session.lastSeenAt, "")}
                        </div>
                      </div>
                      ${session.current
                        ? ""
                        : html`<button type="button" data-action="revoke" data-id="${session.id}"
                            aria-label="End the session of ${deviceName(session.userAgent)}, signed in ${formatDateTime(session.createdAt)}">End session</button>`}
                    </li>
                  `,
                )}
              </ul>`}
          <button type="button" class="danger" data-action="everywhere">Sign out everywhere</button>
        </section>
      `,
    );
  }

  async #click(event) {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    if (button.dataset.action === "revoke") await this.#revoke(button);
    else if (button.dataset.action === "everywhere") await this.#everywhere(button);
    else if (button.dataset.action === "sessions-retry") await this.reload();
  }

  async #revoke(button) {
    button.disabled = true;
    try {
      const payload = await mutate(REVOKE, { id: button.dataset.id });
      this.#message = payload.ok
        ? { text: "That session is signed out.", error: false }
        : { text: payload.userErrors.map((e) => e.message).join(" "), error: true };
    } catch (failure) {
      this.#message = { text: failure.message, error: true };
    }
    await this.reload();
    this.querySelector("#sessions-title").focus();
  }

  async #everywhere(button) {
    const confirmed = await confirmAction({
      title: "Sign out everywhere?",
      message: "Every session of your account ends, this browser's too. You will need your password to sign in again.",
      confirmLabel: "Sign out everywhere",
      danger: true,
    });
    if (!confirmed || !button.isConnected) return;
    button.disabled = true;
    try {
      await gql(SIGN_OUT_EVERYWHERE);
    } catch (failure) {
      this.#message = { text: failure.message, error: true };
      button.disabled = false;
      return this.#render();
    }
    store.set({ viewer: null, notice: "You are signed out everywhere." });
    navigate("/sign-in");
  }
}

export function registerSessionList() {
  customElements.define("session-list", SessionList);
}
