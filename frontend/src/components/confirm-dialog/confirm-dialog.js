// A modal confirmation for consequential actions: `await confirmAction({...})` is true
// when the person confirms, false when they go back (button, Escape or a click outside).

import { trapFocus } from "../../focus-trap.js";
import { html, render } from "../../html.js";

let nextId = 0;

class ConfirmDialog extends HTMLElement {
  #resolve = null;
  #release = null;

  /** Shows the dialog; resolves once with the person's choice and removes the element. */
  open({ title, message, confirmLabel = "Confirm", cancelLabel = "Back", danger = false }) {
    const id = `confirm-dialog-${++nextId}`;
    render(
      this,
      html`
        <dialog class="confirm-dialog" aria-labelledby="${id}-title" aria-describedby="${id}-message">
          <h2 id="${id}-title">${title}</h2>
          <p id="${id}-message">${message}</p>
          <div class="confirm-dialog-actions">
            <button type="button" data-choice="cancel" autofocus>${cancelLabel}</button>
            <button type="button" class="${danger ? "danger" : "primary"}" data-choice="confirm">
              ${confirmLabel}
            </button>
          </div>
        </dialog>
      `,
    );
    const dialog = this.querySelector("dialog");
    dialog.addEventListener("click", (event) => {
      const choice = event.target.closest("[data-choice]")?.dataset.choice;
      if (choice) return this.#finish(choice === "confirm");
      if (event.target === dialog && !this.#inside(dialog, event)) this.#finish(false);
    });
    // Escape: the focus trap reports it; the dialog's own close request is turned into a "no".
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      this.#finish(false);
    });
    return new Promise((resolve) => {
      this.#resolve = resolve;
      // The trap remembers the opener (to give focus back) before the dialog takes it.
      this.#release = trapFocus(dialog, () => this.#finish(false));
      dialog.showModal();
      dialog.querySelector("[autofocus]").focus();
    });
  }

  #inside(dialog, event) {
    const box = dialog.getBoundingClientRect();
    return (
      event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom
    );
  }

  #finish(confirmed) {
    if (!this.#resolve) return;
    const resolve = this.#resolve;
    this.#resolve = null;
    this.querySelector("dialog")?.close();
    this.#release?.();
    this.remove();
    resolve(confirmed);
  }
}

export function registerConfirmDialog() {
  if (!customElements.get("confirm-dialog")) customElements.define("confirm-dialog", ConfirmDialog);
}

/** Asks for confirmation in a modal dialog. Resolves true (confirmed) or false. */
export function confirmAction(options) {
  registerConfirmDialog();
  const element = document.createElement("confirm-dialog");
  document.body.append(element);
  return element.open(options);
}

/** Asks whether to throw away what was typed in a form. Resolves true (discard) or false. */
export function confirmDiscard(message) {
  return confirmAction({
    title: "Discard your changes?",
    message,
    confirmLabel: "Discard",
    cancelLabel: "Keep editing",
    danger: true,
  });
}
