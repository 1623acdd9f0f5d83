// Runs the Staff list's actions: a row's (staff-actions.js), the bulk bar's and "Resend all
// expired" (staff-bulk.js). It asks first where the action says so, holds Deactivate and
// Cancel for an Undo (staff-undo.js), sends, and tells the page what changed through the
// host it is given:
//   find(id), selection(), clearSelection(), markBusy(id, busy), messages (staff-messages),
//   updated(staff), gone(id), restart(), countsChanged(), connected().

import { userErrorsText } from "../../forms.js";
import { mutate } from "../../gql.js";
import { store } from "../../store.js";
import { confirmAction } from "../confirm-dialog/confirm-dialog.js";
import { ACTIONS } from "./staff-actions.js";
import { BULK_ACTIONS, people, resendAllExpired, runBulk } from "./staff-bulk.js";
import { HeldActions } from "./staff-undo.js";

/** A held change that could not be made after the Staff page was left: said on the
 * sign-in page (the notice), after what it already says. */
function lost(undoneText, reason) {
  const notice = [store.state.notice, `${undoneText} ${reason}`].filter(Boolean).join(" ");
  store.set({ notice });
}

export class StaffRunner {
  #host;
  #held = new HeldActions();
  #busy = new Set();

  constructor(host) {
    this.#host = host;
  }

  /** The people whose change waits to be sent, as they were before it. */
  get waiting() {
    return this.#held.waiting;
  }

  isHeld(staffId) {
    return this.#held.isHeld(staffId);
  }

  /** Sends what waits now (the page is being left); resolves when all are answered. */
  flush() {
    return this.#held.flush();
  }

  async row(action, id) {
    const host = this.#host;
    const staff = host.find(id);
    const spec = ACTIONS[action];
    if (!staff || !spec || this.#busy.has(id)) return;
    if (spec.confirm && !(await confirmAction(spec.confirm(staff)))) return;
    if (!host.connected()) return;
    if (spec.held) {
      this.#hold([staff], spec.held(staff), spec.undone(staff), (keepalive) => this.#sendHeld(spec, staff, keepalive));
      return;
    }
    this.#busy.add(id);
    host.markBusy(id, true);
    host.messages.clear();
    try {
      const payload = await mutate(spec.query, { id });
      if (!host.connected()) return;
      if (payload.userErrors.length) {
        host.messages.alert(userErrorsText(payload.userErrors));
        return;
      }
      host.messages.announce(spec.done(staff, payload.staffMember));
      host.updated(payload.staffMember);
      host.countsChanged();
    } catch (error) {
      if (host.connected()) host.messages.alert(error.message);
    } finally {
      this.#busy.delete(id);
      host.markBusy(id, false);
    }
  }

  async bulk(action) {
    const host = this.#host;
    const ids = host.selection();
    const spec = BULK_ACTIONS[action];
    if (!ids.length || !spec) return;
    if (spec.confirm && !(await confirmAction(spec.confirm(ids.length)))) return;
    if (!host.connected()) return;
    if (spec.held) {
      const staff = ids.map((id) => host.find(id)).filter(Boolean);
      host.clearSelection();
      this.#hold(staff, spec.held(ids.length), spec.undone(ids.length), (keepalive) =>
        this.#sendHeldBulk(action, staff, keepalive),
      );
      return;
    }
    host.messages.clear();
    ids.forEach((id) => host.markBusy(id, true));
    try {
      const outcome = await runBulk(action, ids);
      if (host.connected()) this.#showOutcome(outcome, spec.done);
    } catch (error) {
      if (host.connected()) host.messages.alert(error.message);
    } finally {
      ids.forEach((id) => host.markBusy(id, false));
    }
  }

  async resendExpired() {
    const host = this.#host;
    const confirmed = await confirmAction({
      title: "Resend all expired activation links?",
      message: "Everyone pending whose link has expired gets a new activation email, valid for 72 hours.",
      confirmLabel: "Resend all expired",
      cancelLabel: "Back",
    });
    if (!confirmed || !host.connected()) return;
    host.messages.clear();
    try {
      const outcome = await resendAllExpired();
      if (!host.connected()) return;
      if (!outcome.done.length && !outcome.failed.length) host.messages.announce("No activation link has expired.");
      else this.#showOutcome(outcome, (count) => `A new activation link was sent to ${people(count)}.`);
    } catch (error) {
      if (host.connected()) host.messages.alert(error.message);
    }
  }

  undo(token) {
    const held = this.#held.undo(token);
    if (!held) return false;
    this.#host.messages.release(token);
    this.#host.restart();
    this.#host.messages.announce(held.undoneText);
    return true;
  }

  /** Says what a bulk action did, names who it failed for and why, and updates the rows. */
  #showOutcome({ done, failed }, doneText, known = []) {
    const host = this.#host;
    if (done.length) host.messages.announce(doneText(done.length));
    if (failed.length) {
      const name = (id) =>
        (host.find(id) ?? known.find((person) => person.id === id))?.fullName ?? "Someone not in this list";
      host.messages.failures(failed.map(({ id, message }) => ({ name: name(id), message })));
    }
    done.forEach((staff) => host.updated(staff));
    host.clearSelection();
    host.countsChanged();
  }

  /** Shows these people as gone at once; the change is sent when the moment to undo it has
   * passed, or when the page is left. */
  #hold(staff, heldText, undoneText, send) {
    const host = this.#host;
    host.messages.clear();
    const token = this.#held.hold({
      staff,
      undoneText,
      send: async (keepalive, sentToken) => {
        host.messages.release(sentToken); // too late to undo: its Undo goes
        const unsent = await send(keepalive);
        if (unsent) lost(undoneText, unsent);
        if (host.connected()) host.countsChanged();
      },
    });
    staff.forEach((person) => host.gone(person.id));
    host.messages.held(heldText, token);
  }

  // The two senders answer why nothing was done when the page is gone by then (signed out,
  // the session ended): the page cannot say it any more, the sign-in page does (lost()).
  async #sendHeld(spec, staff, keepalive) {
    const host = this.#host;
    try {
      const payload = await mutate(spec.query, { id: staff.id }, { keepalive });
      if (!host.connected()) return payload.userErrors.length ? userErrorsText(payload.userErrors) : null;
      if (payload.userErrors.length) {
        host.restart(); // they are back in the list, as they are
        host.messages.alert(userErrorsText(payload.userErrors));
        return;
      }
      host.messages.announce(spec.done(staff, payload.staffMember));
    } catch (error) {
      if (!host.connected()) return error.message;
      host.restart();
      host.messages.alert(error.message);
    }
    return null;
  }

  async #sendHeldBulk(action, staff, keepalive) {
    const host = this.#host;
    const ids = staff.map((person) => person.id);
    try {
      const outcome = await runBulk(action, ids, { keepalive });
      if (!host.connected()) {
        return outcome.failed.length ? outcome.failed.map((failure) => failure.message).join(" ") : null;
      }
      if (outcome.failed.length) host.restart(); // who was refused is back in the list
      this.#showOutcome(outcome, BULK_ACTIONS[action].done, staff);
    } catch (error) {
      if (!host.connected()) return error.message;
      host.restart();
      host.messages.alert(error.message);
    }
    return null;
  }
}
