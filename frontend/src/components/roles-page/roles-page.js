import { html, render } from "../../html.js";

class RolesPage extends HTMLElement {
  connectedCallback() {
    render(this, html`<section class="card"><h1>RolesPage</h1><p>Coming soon.</p></section>`);
  }
}

export function registerRolesPage() {
  customElements.define("roles-page", RolesPage);
}
