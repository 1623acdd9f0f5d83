// Showing server userErrors next to the fields they concern.

import { html } from "./html.js";

/** A userError's message, with how long to wait when the server says (retryAfterSeconds). */
export function messageOf(error) {
  const wait = error.retryAfterSeconds;
  if (!wait) return error.message;
  const minutes = Math.ceil(wait / 60);
  const after = wait < 60 ? `${wait} second${wait === 1 ? "" : "s"}` : `${minutes} minute${minutes === 1 ? "" : "s"}`;
  return `${error.message} You can try again in ${after}.`;
}

/** The messages of a payload's userErrors as one line. */
export function userErrorsText(userErrors) {
  return userErrors.map(messageOf).join(" ");
}

/** Map of input field name -> message, plus "" for errors about the whole request. */
export function errorsByField(userErrors) {
  const byField = {};
  for (const error of userErrors ?? []) {
    const name = error.field ? error.field[error.field.length - 1] : "";
    const message = messageOf(error);
    byField[name] = byField[name] ? `${byField[name]} ${message}` : message;
  }
  return byField;
}

/** The error line under a field, linked to it with aria-describedby by the caller. */
export function fieldError(id, message) {
  return message ? html`<p class="field-error" id="${id}-error" role="alert">${message}</p>` : "";
}

/** Marks invalid fields and points them at their messages, after a render. */
export function markInvalid(form, byField) {
  for (const element of form.querySelectorAll("[name]")) {
    const message = byField[element.name];
    element.toggleAttribute("aria-invalid", Boolean(message));
    if (message) element.setAttribute("aria-describedby", `${element.id}-error`);
    else element.removeAttribute("aria-describedby");
  }
}

export function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}
