// The window events by which the Staff Information drawer tells the Staff page what
// happened, so that the page can announce it, show the person, or update its URL.

/** `staff-changed` ({ detail: { id, status, fullName, created } }): a staff member was
 *  added (`created`) or changed. After a create it follows `staff-drawer-closed`, so focus
 *  is back on the page when the page hears it. */
export function announceStaffChange({ id, status, fullName }, { created }) {
  window.dispatchEvent(new CustomEvent("staff-changed", { detail: { id, status, fullName, created } }));
}

/** `staff-drawer-closed` ({ detail: { staffId } }): the drawer closed, however it was
 *  closed; `staffId` is the person it showed, null when it was adding one. */
export function announceDrawerClosed(staffId) {
  window.dispatchEvent(new CustomEvent("staff-drawer-closed", { detail: { staffId } }));
}
