// The labelled fields of a form: a label (with a "*" on required ones), an optional hint
// and a slot for the field's error, linked to the control with aria-describedby.
//
// Each control gets `id`; its hint is `<id>-hint` and its error `<id>-error` (the id
// forms.js' fieldError() and markInvalid() use). `data-hint` remembers the hint, so that
// code showing errors later can keep the hint described too. The error slot
// (`data-error-for="<name>"`) lets a form show server errors without re-rendering what was
// typed; `error` renders one at once instead.

import { fieldError } from "./forms.js";
import { html } from "./html.js";

/** A label; the "*" of a required field is hidden from screen readers (aria-required says it). */
export function label(id, text, required = false) {
  return html`<label for="${id}"
    >${text}${required ? html` <span class="required-mark" aria-hidden="true">*</span>` : ""}</label
  >`;
}

export function hint(id, text) {
  return text ? html`<p class="field-hint" id="${id}-hint">${text}</p>` : "";
}

function describedBy(id, { hint: hintText, error }) {
  const ids = [error ? `${id}-error` : "", hintText ? `${id}-hint` : ""].filter(Boolean);
  return html`${hintText ? html`data-hint="${id}-hint"` : ""}
    ${ids.length ? html`aria-describedby="${ids.join(" ")}"` : ""}
    ${error ? html`aria-invalid="true"` : ""}`;
}

function errorSlot(id, name, error) {
  return html`<div class="error-slot" data-error-for="${name}">${fieldError(id, error)}</div>`;
}

/**
 * An <input>. Options: label, value, required, type, autocomplete, inputmode, maxlength,
 * pattern, disabled, hint, error, narrow (a short value such as a PIN).
 */
export function textField({ id, name, label: text, value = "", type = "text", ...options }) {
  const { required, autocomplete, inputmode, maxlength, pattern, disabled, narrow } = options;
  return html`<div class="field${narrow ? " field-narrow" : ""}">
    ${label(id, text, required)}
    <input id="${id}" name="${name}" type="${type}" value="${value}"
      ${required ? html`required aria-required="true"` : ""}
      ${autocomplete ? html`autocomplete="${autocomplete}"` : ""}
      ${inputmode ? html`inputmode="${inputmode}"` : ""}
      ${maxlength ? html`maxlength="${maxlength}"` : ""}
      ${pattern ? html`pattern="${pattern}"` : ""}
      ${disabled ? html`disabled` : ""}
      ${describedBy(id, options)}>
    ${hint(id, options.hint)}
    ${errorSlot(id, name, options.error)}
  </div>`;
}

/** A <select> of `choices` ([value, text] pairs) after a `placeholder` option of value "". */
export function selectField({ id, name, label: text, value = "", choices, placeholder = "", ...options }) {
  return html`<div class="field">
    ${label(id, text, options.required)}
    <select id="${id}" name="${name}"
      ${options.required ? html`required aria-required="true"` : ""}
      ${describedBy(id, options)}>
      <option value="" ${value ? "" : html`selected`}>${placeholder}</option>
      ${choices.map(
        ([choice, choiceText]) =>
          html`<option value="${choice}" ${choice === value ? html`selected` : ""}>${choiceText}</option>`,
      )}
    </select>
    ${hint(id, options.hint)}
    ${errorSlot(id, name, options.error)}
  </div>`;
}

/** A checkbox with its label beside it. */
export function checkField({ id, name, label: text, checked = false, ...options }) {
  return html`<div class="field check-field">
    <div class="check">
      <input type="checkbox" id="${id}" name="${name}" ${checked ? html`checked` : ""}
        ${describedBy(id, options)}>
      <label for="${id}">${text}</label>
    </div>
    ${hint(id, options.hint)}
    ${errorSlot(id, name, options.error)}
  </div>`;
}

/** What could not be loaded, with a Try again button carrying `action` (data-action). */
export function loadFailed(message, action) {
  return html`${formError(message)}<button type="button" class="retry" data-action="${action}">Try again</button>`;
}

/** An error about the whole form (the userErrors without a field, under ""). */
export function formError(message) {
  return message ? html`<p class="form-error" role="alert">${message}</p>` : "";
}
