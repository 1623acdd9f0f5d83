import { html, render } from "../../html.js";

class StaffPage extends HTMLElement {
  connectedCallback() {
    render(this, html`<section class="card"><h1>StaffPage</h1><p>Coming soon.</p></section>`);
  }
}

export function registerStaffPage() {
  customElements.define("staff-page", StaffPage);
}
