import { html, render } from "../../html.js";

class ActivatePage extends HTMLElement {
  connectedCallback() {
    render(this, html`<section class="card"><h1>ActivatePage</h1><p>Coming soon.</p></section>`);
  }
}

export function registerActivatePage() {
  customElements.define("activate-page", ActivatePage);
}
