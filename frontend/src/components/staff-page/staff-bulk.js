// The bulk actions of the Staff list: what each sends for up to 100 selected people, and
// "Resend all expired". The mutations are not atomic: each answers per person.

import { mutate } from "../../gql.js";
import { userErrorsText } from "../../forms.js";
import { STAFF_ROW_FIELDS } from "./staff-actions.js";

const MAX_IDS = 100;

const BULK_RESEND = `mutation($input: StaffBulkInput!) { staffBulkResendActivation(input: $input) {
    results { id staffMember { ${STAFF_ROW_FIELDS} } userErrors { field code message } } userErrors { field code message } } }`;
const BULK_CANCEL = `mutation($input: StaffBulkInput!) { staffBulkCancelVerification(input: $input) {
    results { id staffMember { ${STAFF_ROW_FIELDS} } userErrors { field code message } } userErrors { field code message } } }`;
const BULK_DEACTIVATE = `mutation($input: StaffBulkInput!) { staffBulkDeactivate(input: $input) {
    results { id staffMember { ${STAFF_ROW_FIELDS} } userErrors { field code message } } userErrors { field code message } } }`;
const RESEND_EXPIRED = `mutation($input: StaffResendExpiredActivationsInput!) { staffResendExpiredActivations(input: $input) {
    results { id staffMember { ${STAFF_ROW_FIELDS} } userErrors { field code message } }
    userErrors { field code message } hasMore endCursor } }`;

export function people(count) {
  return `${count} ${count === 1 ? "person" : "people"}`;
}

// The buttons of the bulk bar per tab: [action, label, danger].
export const BULK_BUTTONS = {
  PENDING: [
    ["bulk-resend", "Resend activation"],
    ["bulk-cancel", "Cancel verification", true],
  ],
  ACTIVE: [["bulk-deactivate", "Deactivate", true]],
};

// `held`: sent only after the moment to undo it (staff-undo.js).
export const BULK_ACTIONS = {
  "bulk-resend": {
    query: BULK_RESEND,
    done: (count) => `A new activation link was sent to ${people(count)}.`,
  },
  "bulk-cancel": {
    query: BULK_CANCEL,
    confirm: (count) => ({
      title: `Cancel the verification of ${people(count)}?`,
      message: "Their activation links stop working and they move to Inactive. You can reactivate them later.",
      confirmLabel: "Cancel Verification",
      cancelLabel: "Keep pending",
      danger: true,
    }),
    held: (count) => `The verification of ${people(count)} will be cancelled.`,
    undone: (count) => `The verification of ${people(count)} was not cancelled.`,
    done: (count) => `${count} ${count === 1 ? "verification was" : "verifications were"} cancelled.`,
  },
  "bulk-deactivate": {
    query: BULK_DEACTIVATE,
    confirm: (count) => ({
      title: `Deactivate ${people(count)}?`,
      message: "They are signed out at once and can no longer sign in. You can reactivate them later.",
      confirmLabel: "Deactivate",
      cancelLabel: "Keep active",
      danger: true,
    }),
    held: (count) => `${people(count)} will be deactivated.`,
    undone: (count) => `${people(count)} ${count === 1 ? "was" : "were"} not deactivated.`,
    done: (count) => `${people(count)} ${count === 1 ? "was" : "were"} deactivated.`,
  },
};

function sortResults(results, into) {
  for (const result of results) {
    if (result.userErrors.length) {
      into.failed.push({ id: result.id, message: userErrorsText(result.userErrors) });
    } else {
      into.done.push(result.staffMember);
    }
  }
}

/** Runs a bulk action on `ids`, 100 at a time: `{ done: [staff], failed: [{ id, message }] }`.
 * With `keepalive` (the page is being left) every batch is sent at once: a page that is
 * gone sends nothing more after its first answer. */
export async function runBulk(action, ids, options = {}) {
  const outcome = { done: [], failed: [] };
  const send = async (start) => {
    const input = { ids: ids.slice(start, start + MAX_IDS) };
    const payload = await mutate(BULK_ACTIONS[action].query, input, options);
    if (payload.userErrors.length) throw new Error(userErrorsText(payload.userErrors));
    return payload.results;
  };
  const starts = [];
  for (let start = 0; start < ids.length; start += MAX_IDS) starts.push(start);
  if (options.keepalive) {
    (await Promise.all(starts.map(send))).forEach((results) => sortResults(results, outcome));
  } else {
    for (const start of starts) sortResults(await send(start), outcome);
  }
  return outcome;
}

/** Resends every expired activation link of the practice, batch after batch. */
export async function resendAllExpired() {
  const outcome = { done: [], failed: [] };
  let after = null;
  for (;;) {
    const payload = await mutate(RESEND_EXPIRED, { after });
    if (payload.userErrors.length) throw new Error(userErrorsText(payload.userErrors));
    sortResults(payload.results, outcome);
    // A cursor that does not move would ask for the same batch for ever.
    if (!payload.hasMore || !payload.endCursor || payload.endCursor === after) return outcome;
    after = payload.endCursor;
  }
}
