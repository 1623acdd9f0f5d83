// What a signed-in person without Manage Accounts sees: who they are, and where they work.

import { html, render } from "../../html.js";
import { store } from "../../store.js";

class AccountPage extends HTMLElement {
  connectedCallback() {
    const { viewer } = store.state;
    if (!viewer) return;
    render(
      this,
      html`
        <section class="card narrow" aria-labelledby="account-title">
          <h1 id="account-title">Your account</h1>
          <p>Signed in as <strong>${viewer.account.fullName}</strong> (${viewer.account.username}),
            ${viewer.account.role.name}, at ${viewer.practice.name}.</p>
          <p>Your role does not include managing staff accounts. Ask a practice administrator
            if you need to add or change staff.</p>
        </section>
      `,
    );
  }
}

export function registerAccountPage() {
  customElements.define("account-page", AccountPage);
}
