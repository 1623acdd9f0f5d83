// Deactivate and Cancel wait a few seconds in the browser before they are sent, so that
// they can be undone: until then nothing happens on the server (no session ended, no
// email, no partner event). Leaving the page sends what is still waiting at once, with
// fetch's keepalive so that the request outlives the page.

export const UNDO_MS = 5000;

export class HeldActions {
  #held = new Map(); // token -> { timer, send }
  #next = 0;

  /** Holds `send(keepalive)` for UNDO_MS; returns the token that undoes it. */
  hold(send) {
    const token = String(++this.#next);
    const timer = setTimeout(() => {
      this.#held.delete(token);
      send(false);
    }, UNDO_MS);
    this.#held.set(token, { timer, send });
    return token;
  }

  /** Drops a held action; false when it was sent already. */
  undo(token) {
    const entry = this.#held.get(token);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.#held.delete(token);
    return true;
  }

  /** Sends every held action now (the page is being left). */
  flush() {
    for (const { timer, send } of this.#held.values()) {
      clearTimeout(timer);
      send(true);
    }
    this.#held.clear();
  }
}
