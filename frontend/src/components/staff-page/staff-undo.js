// Deactivate and Cancel wait a few seconds in the browser before they are sent, so that
// they can be undone: until then nothing happens on the server (no session ended, no
// email, no partner event). Leaving the page sends what is still waiting at once, with
// fetch's keepalive so that the request outlives the page.

export const UNDO_MS = 5000;

export class HeldActions {
  #held = new Map(); // token -> { timer, send, staff, undoneText }
  #next = 0;

  /** Holds `send(keepalive)` for UNDO_MS on behalf of `staff`; returns the token that undoes it. */
  hold({ staff, undoneText, send }) {
    const token = String(++this.#next);
    const timer = setTimeout(() => this.#send(token, false), UNDO_MS);
    this.#held.set(token, { timer, send, staff, undoneText });
    return token;
  }

  isHeld(staffId) {
    return [...this.#held.values()].some((entry) => entry.staff.some((person) => person.id === staffId));
  }

  /** The people whose change waits, as they were before it. */
  get waiting() {
    return [...this.#held.values()].flatMap((entry) => entry.staff);
  }

  /** Drops a held action: its entry ({ staff, undoneText }), or null when sent already. */
  undo(token) {
    const entry = this.#held.get(token);
    if (!entry) return null;
    clearTimeout(entry.timer);
    this.#held.delete(token);
    return entry;
  }

  /** Sends every held action now (the page is being left); resolves when all are answered. */
  flush() {
    return Promise.allSettled([...this.#held.keys()].map((token) => this.#send(token, true)));
  }

  #send(token, keepalive) {
    const entry = this.#held.get(token);
    this.#held.delete(token);
    clearTimeout(entry.timer);
    return entry.send(keepalive, token);
  }
}
