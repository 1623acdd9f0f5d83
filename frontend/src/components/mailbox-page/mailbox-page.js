import { html, render } from "../../html.js";

class MailboxPage extends HTMLElement {
  connectedCallback() {
    render(this, html`<section class="card"><h1>MailboxPage</h1><p>Coming soon.</p></section>`);
  }
}

export function registerMailboxPage() {
  customElements.define("mailbox-page", MailboxPage);
}
