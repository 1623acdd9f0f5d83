// A staff member's History: their latest audit events, newest first. For managers only
// (the field is FORBIDDEN to others); fetched each time it is shown, so it also lists what
// was just saved.

import { actionText, actorText } from "../../audit-wording.js";
import { timeOrDash } from "../../dates.js";
import { gql } from "../../gql.js";
import { html, render } from "../../html.js";

const STAFF_HISTORY = `query StaffDrawerHistory($id: ID!) { staffMember(id: $id) {
  id auditEvents(first: 20) { id createdAt action outcome details { key value } actor { id fullName } actorApiClient { id name } } } }`;

function historyList(events) {
  if (!events.length) return html`<p class="sd-none">No recorded events yet.</p>`;
  return html`<ol class="sd-history-list">
    ${events.map((event) => {
      const failed = event.outcome !== "SUCCESS";
      return html`<li class="sd-history-item${failed ? " sd-history-failed" : ""}">
        <span class="sd-history-time">${timeOrDash(event.createdAt, "sd-none")}</span>
        <span class="sd-history-action">${failed ? "✘ " : ""}${actionText(event)}</span>
        <span class="sd-history-actor">${actorText(event)}</span>
      </li>`;
    })}
  </ol>`;
}

class StaffHistory extends HTMLElement {
  #token = 0;

  /** Shows the history of `staffId`; only the latest answer is shown. */
  async load(staffId) {
    const token = ++this.#token;
    render(
      this,
      html`<section class="sd-history" aria-labelledby="sd-history-title">
        <h4 id="sd-history-title">History</h4>
        <div class="sd-history-body" aria-live="polite" aria-busy="true">
          <p class="sd-none">Loading history…</p>
        </div>
      </section>`,
    );
    let content;
    try {
      const data = await gql(STAFF_HISTORY, { id: staffId });
      content = historyList(data.staffMember?.auditEvents ?? []);
    } catch (error) {
      content = html`<p class="form-error" role="alert">The history could not be loaded: ${error.message}</p>`;
    }
    const body = this.querySelector(".sd-history-body");
    if (token !== this.#token || !this.isConnected || !body) return;
    body.setAttribute("aria-busy", "false");
    render(body, content);
  }
}

export function registerStaffHistory() {
  if (!customElements.get("staff-history")) customElements.define("staff-history", StaffHistory);
}
