// The development mailbox: the emails the app sent, captured by its embedded SMTP server.
// Works signed in or out. Bodies are shown as plain text; the HTML part is never rendered.
// New emails appear by themselves: the page asks again every few seconds while it is
// visible (not while the tab is hidden); Refresh asks at once.

import { formatDateTime, timeOrDash } from "../../dates.js";
import { loadFailed } from "../../form-fields.js";
import { html, render } from "../../html.js";

const NOT_AVAILABLE = "The development mailbox is only available in development mode.";
const POLL_MS = 3000;
const UNREACHABLE = "The server cannot be reached. Check that the app is running and try again.";

/** Same-origin address of an activation link, whatever host the email was written for. */
function activationHref(link) {
  let url;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  return url.pathname === "/activate" && url.hash.startsWith("#token=") ? `/activate${url.hash}` : null;
}

function isWebLink(link) {
  return /^https?:\/\//i.test(link);
}

function newestFirst(a, b) {
  const byTime = Date.parse(b.receivedAt) - Date.parse(a.receivedAt);
  return byTime || b.id - a.id;
}

function recipients(message) {
  return (message.to ?? []).join(", ");
}

class MailboxPage extends HTMLElement {
  #messages = [];
  #open = new Set();
  #loading = false;
  // The last look failed: the next answer redraws the list in place of the message.
  #failed = false;
  #pollTimer = null;
  #onVisibility = () => (document.hidden ? this.#stopPolling() : this.#load("poll"));

  connectedCallback() {
    render(
      this,
      html`
        <section class="mailbox-page" aria-labelledby="mailbox-title">
          <div class="mailbox-head">
            <div>
              <h1 id="mailbox-title">Development mailbox</h1>
              <p class="mailbox-lead">
                Emails the app has sent while running in development mode. They are caught here
                and never leave this computer.
              </p>
            </div>
            <button type="button" data-action="refresh">
              <span aria-hidden="true">↻</span> Refresh
            </button>
          </div>
          <p class="mailbox-status" role="status"></p>
          <div class="mailbox-body"><p class="loading">Loading emails…</p></div>
        </section>
      `,
    );
    this.addEventListener("click", (event) => {
      if (event.target.closest("[data-action=refresh]")) this.#load("refresh");
    });
    // `toggle` does not bubble: listen in the capture phase to keep the open ones open.
    this.addEventListener(
      "toggle",
      (event) => {
        const id = event.target.dataset?.messageId;
        if (!id) return;
        if (event.target.open) this.#open.add(id);
        else this.#open.delete(id);
      },
      true,
    );
    document.addEventListener("visibilitychange", this.#onVisibility);
    this.#load("open");
  }

  disconnectedCallback() {
    document.removeEventListener("visibilitychange", this.#onVisibility);
    this.#stopPolling();
  }

  #stopPolling() {
    clearTimeout(this.#pollTimer);
    this.#pollTimer = null;
  }

  #pollLater() {
    this.#stopPolling();
    if (this.isConnected && !document.hidden) this.#pollTimer = setTimeout(() => this.#load("poll"), POLL_MS);
  }

  /** how: "open" (the page's first look), "refresh" (the button) or "poll" (quiet: it says
   * only what is new, and redraws the list only when it changed). */
  async #load(how) {
    if (this.#loading) return;
    this.#loading = true;
    const button = this.querySelector("[data-action=refresh]");
    const quiet = how === "poll";
    if (button && !quiet) button.disabled = true;
    if (how === "refresh") this.#status("Refreshing…");
    let available = true;
    try {
      const response = await fetch("/dev/mailbox", {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (response.status === 404) {
        available = false;
        this.#unavailable();
        return;
      }
      if (!response.ok) throw new Error(`The mailbox answered ${response.status}. Try again.`);
      const body = await response.json();
      this.#show([...(body.messages ?? [])].sort(newestFirst), how);
    } catch (error) {
      // A poll that fails leaves what is shown; the next one (or Refresh) tries again.
      if (!quiet) this.#showError(error instanceof TypeError ? UNREACHABLE : error.message);
    } finally {
      this.#loading = false;
      if (button?.isConnected) button.disabled = false;
      if (available) this.#pollLater();
    }
  }

  #show(messages, how) {
    const known = new Set(this.#messages.map((message) => message.id));
    const arrived = messages.filter((message) => !known.has(message.id)).length;
    const changed = arrived > 0 || messages.length !== this.#messages.length || this.#failed;
    this.#messages = messages;
    this.#failed = false;
    if (how !== "poll" || changed) this.#renderList();
    const count = messages.length;
    const summary = `${count} email${count === 1 ? "" : "s"}`;
    if (how === "refresh") this.#status(`Refreshed: ${summary}.`);
    else if (how === "open") this.#status(`${summary} in the mailbox.`);
    else if (arrived) this.#status(`${arrived} new email${arrived === 1 ? "" : "s"}: ${summary} in the mailbox.`);
  }

  #showError(message) {
    this.#failed = true;
    this.#status("");
    render(
      this.querySelector(".mailbox-body"),
      loadFailed(message, "refresh"),
    );
  }

  #status(text) {
    const status = this.querySelector(".mailbox-status");
    if (status) status.textContent = text;
  }

  #unavailable() {
    this.#status("");
    this.querySelector("[data-action=refresh]")?.remove();
    render(this.querySelector(".mailbox-body"), html`<p class="notice">${NOT_AVAILABLE}</p>`);
  }

  #renderList() {
    const body = this.querySelector(".mailbox-body");
    if (!this.#messages.length) {
      render(
        body,
        html`<p class="mailbox-empty card">
          No emails yet. When a staff member is added, their activation email appears here.
        </p>`,
      );
      return;
    }
    render(
      body,
      html`<ol class="mailbox-list" aria-label="Emails, newest first">
        ${this.#messages.map((message) => this.#item(message))}
      </ol>`,
    );
  }

  #item(message) {
    const id = String(message.id);
    const activation = (message.links ?? []).map(activationHref).find(Boolean);
    return html`
      <li class="mailbox-item">
        <details data-message-id="${id}" ${this.#open.has(id) ? html`open` : ""}>
          <summary>
            <span class="mail-subject">${message.subject || "(no subject)"}</span>
            <span class="mail-meta">
              <span><span class="visually-hidden">To: </span>${recipients(message)}</span>
              ${timeOrDash(message.receivedAt, "")}
            </span>
          </summary>
          <div class="mail-content">
            <dl class="mail-headers">
              <dt>From</dt>
              <dd>${message.from}</dd>
              <dt>To</dt>
              <dd>${recipients(message)}</dd>
              <dt>Received</dt>
              <dd>${formatDateTime(message.receivedAt)}</dd>
            </dl>
            ${activation
              ? html`<p class="mail-activation">
                  <a class="mail-activation-link" href="${activation}">Open activation link</a>
                  <span class="mail-activation-for">for ${recipients(message)}</span>
                </p>`
              : ""}
            <pre class="mail-text">${message.text || "(this email has no plain-text part)"}</pre>
            ${this.#links(message)}
          </div>
        </details>
      </li>
    `;
  }

  #links(message) {
    const links = (message.links ?? []).filter(isWebLink);
    if (!links.length) return "";
    return html`
      <h2 class="mail-links-title">Links in this email</h2>
      <ul class="mail-links">
        ${links.map((link) => {
          const inApp = activationHref(link);
          return inApp
            ? html`<li><a href="${inApp}">${link}</a> <span class="mail-url-note">(activation link, opens in this app)</span></li>`
            : html`<li><a href="${link}" rel="noopener noreferrer">${link}</a></li>`;
        })}
      </ul>
    `;
  }
}

export function registerMailboxPage() {
  customElements.define("mailbox-page", MailboxPage);
}
