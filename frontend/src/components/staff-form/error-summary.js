// The staff form's errors: each beside its field, and a summary at the top that counts
// them (in the order of the form) and links to each field. Nothing is re-rendered, so
// what was typed stays.

import { fieldError, markInvalid } from "../../forms.js";
import { html, render } from "../../html.js";
import { LABELS } from "./staff-form-values.js";

/** The control an error of field `name` sends focus to (the offices: their first box). */
export function fieldFor(form, name) {
  if (name === "officeIds") return form.querySelector(".sd-offices input");
  return form.querySelector(`#sd-${CSS.escape(name)}`);
}

function describeErrors(form, byField) {
  markInvalid(form, byField);
  for (const slot of form.querySelectorAll("[data-error-for]")) {
    render(slot, fieldError(`sd-${slot.dataset.errorFor}`, byField[slot.dataset.errorFor]) || html``);
  }
  // markInvalid points each element at `<its id>-error`; keep hints, and point the office
  // checkboxes at the one message of their group.
  for (const element of form.querySelectorAll("[name]")) {
    const message = byField[element.name];
    const ids = [];
    if (message) ids.push(element.name === "officeIds" ? "sd-officeIds-error" : `${element.id}-error`);
    if (element.dataset.hint) ids.push(element.dataset.hint);
    if (ids.length) element.setAttribute("aria-describedby", ids.join(" "));
    else element.removeAttribute("aria-describedby");
  }
}

/** Shows `byField` (name → message, "" for the whole form) and moves focus to the first. */
export function showErrors(form, byField) {
  const known = new Set([...form.querySelectorAll("[data-error-for]")].map((slot) => slot.dataset.errorFor));
  describeErrors(form, byField);
  const fieldNames = Object.keys(byField).filter((name) => name && known.has(name));
  const general = Object.entries(byField).filter(([name]) => !name || !known.has(name));
  const count = fieldNames.length + general.length;
  const summary = form.querySelector(".sd-summary");
  summary.hidden = count === 0;
  // Field order on the form, not the server's order.
  const ordered = [...known].filter((name) => fieldNames.includes(name));
  render(
    summary,
    count
      ? html`<p class="sd-summary-title">
            ${count === 1 ? "There is 1 problem" : `There are ${count} problems`} with this form. Nothing was
            saved.
          </p>
          <ul>
            ${general.map(([, message]) => html`<li>${message}</li>`)}
            ${ordered.map(
              (name) => html`<li>
                <button type="button" class="link-button" data-action="focus-field" data-field="${name}">
                  ${LABELS[name] ?? name}</button
                >: ${byField[name]}
              </li>`,
            )}
          </ul>`
      : html``,
  );
  const first = ordered.length ? fieldFor(form, ordered[0]) : null;
  (first ?? summary).focus();
}
