// A webhook endpoint's signing secret, shown the one time the API gives it (on create and
// on rotate), with a Copy button. "I have stored the secret" sends `secret-dismissed`; the
// page then drops the element, and the secret is in the DOM no more. Set `issued`
// ({ url, secret, rotated, previousUntil, overlap }) before it is connected.

import { timeOrDash } from "../../dates.js";
import { html, render } from "../../html.js";

class WebhookSecretPanel extends HTMLElement {
  issued = null;
  #started = false;

  connectedCallback() {
    // The page moves this element between its renders: draw it once.
    if (this.#started) return;
    this.#started = true;
    const { url, secret, rotated, previousUntil, overlap } = this.issued;
    render(
      this,
      html`
        <div class="secret-panel" role="region" aria-labelledby="secret-title">
          <h2 id="secret-title" tabindex="-1">${rotated ? "New signing secret" : "Signing secret"} of ${url}</h2>
          <p><strong>Copy it now: you will not see this secret again.</strong> The receiver verifies
            the <code>webhook-signature</code> header of each request with it.
            ${rotated
              ? html`The previous secret keeps signing beside it until ${timeOrDash(previousUntil, "muted")}
                  (${overlap}); each request carries both signatures until then.`
              : ""}</p>
          <p class="secret-line">
            <code class="secret-value" aria-label="Signing secret">${secret}</code>
            <button type="button" data-action="copy-secret">Copy</button>
          </p>
          <p class="copy-status" role="status"></p>
          <button type="button" data-action="secret-done">I have stored the secret</button>
        </div>
      `,
    );
    this.addEventListener("click", (event) => {
      const action = event.target.closest("[data-action]")?.dataset.action;
      if (action === "copy-secret") this.#copy();
      else if (action === "secret-done") this.dispatchEvent(new CustomEvent("secret-dismissed", { bubbles: true }));
    });
  }

  focus() {
    this.querySelector("#secret-title").focus();
  }

  async #copy() {
    const status = this.querySelector(".copy-status");
    try {
      await navigator.clipboard.writeText(this.issued.secret);
      status.textContent = "Copied to the clipboard.";
    } catch {
      // No clipboard access (a plain-http address, or refused): select it for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(this.querySelector(".secret-value"));
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      status.textContent = "Selected: press Ctrl+C (⌘C) to copy it.";
    }
  }
}

export function registerWebhookSecretPanel() {
  if (!customElements.get("webhook-secret-panel")) customElements.define("webhook-secret-panel", WebhookSecretPanel);
}
