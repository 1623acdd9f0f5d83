// Application state in one small store; components listen for its "change" event.

class Store extends EventTarget {
  #state = { viewer: null, notice: null };

  get state() {
    return this.#state;
  }

  set(patch) {
    this.#state = { ...this.#state, ...patch };
    this.dispatchEvent(new Event("change"));
  }
}

export const store = new Store();
