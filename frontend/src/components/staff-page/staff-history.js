// The Staff page's history entries (staff-url.js says what the address holds): a tab,
// filter or sort change pushes one; a search being typed pushes one when the typing
// starts and then replaces it, so that Back is not one step per keystroke; opening a
// person pushes /staff/<id>, and closing the drawer goes back to the list's entry.

import { listUrl, personUrl, staffIdFromPath, stateFromSearch } from "./staff-url.js";

export class StaffHistory {
  #typing = false; // the current entry was pushed by a search being typed

  /** What the address says now: the list's state and the person open, if any. */
  current() {
    return {
      state: stateFromSearch(window.location.search),
      staffId: staffIdFromPath(window.location.pathname),
    };
  }

  showList(state, typing) {
    const url = listUrl(state);
    if (typing && this.#typing) window.history.replaceState(window.history.state, "", url);
    else window.history.pushState({}, "", url);
    this.#typing = typing;
  }

  /** The next search typed starts an entry of its own (the field lost focus, Back, …). */
  endTyping() {
    this.#typing = false;
  }

  showPerson(staffId, state) {
    window.history.pushState({ staffFromList: true }, "", personUrl(staffId, state));
  }

  /** The drawer of `staffId` closed: the address goes back to the list. */
  personClosed(staffId, state) {
    if (!staffId || staffIdFromPath(window.location.pathname) !== staffId) return;
    // Opened from the list: Back to its entry. Opened from a link: the list replaces it.
    if (window.history.state?.staffFromList) window.history.back();
    else window.history.replaceState({}, "", listUrl(state));
  }
}
