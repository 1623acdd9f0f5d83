// What the app shows for a path that is none of its pages (the server answered 404 too),
// instead of quietly sending the person elsewhere: they see that the address is wrong.

import { html, render } from "../../html.js";
import { currentPath } from "../../router.js";

class NotFoundPage extends HTMLElement {
  connectedCallback() {
    render(
      this,
      html`
        <section class="not-found" aria-labelledby="not-found-title">
          <h1 id="not-found-title">Page not found</h1>
          <p class="not-found-lead">There is no page at <code>${currentPath()}</code>. The address may be mistyped, or the link out of date.</p>
          <p><a href="/" data-link>Go to the start page</a></p>
        </section>
      `,
    );
  }
}

export function registerNotFoundPage() {
  customElements.define("not-found-page", NotFoundPage);
}
