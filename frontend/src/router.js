// A tiny history-API router: paths map to page element names.

const listeners = new Set();

export function currentPath() {
  return window.location.pathname;
}

/** The single-use token of an emailed link (/activate#token=…): it stays in the fragment,
 * which browsers never send to a server, and leaves only inside its mutation. */
export function fragmentToken() {
  const fragment = window.location.hash.replace(/^#/, "");
  return new URLSearchParams(fragment).get("token")?.trim() || null;
}

/** Calls `start` when another emailed link is opened while its page shows: only the
 * fragment changes then, so the page must start over itself. Returns the unsubscribe. */
export function onNewFragmentToken(start) {
  const listener = () => {
    if (fragmentToken()) start();
  };
  window.addEventListener("hashchange", listener);
  return () => window.removeEventListener("hashchange", listener);
}

export function navigate(path) {
  // The whole address counts: /staff from /staff?tab=pending is somewhere else.
  if (path !== currentPath() + window.location.search || window.location.hash) {
    window.history.pushState({}, "", path);
  }
  listeners.forEach((listener) => listener(currentPath()));
}

export function onRoute(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

window.addEventListener("popstate", () => listeners.forEach((listener) => listener(currentPath())));

// Same-origin links marked data-link navigate without a page load.
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[data-link]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  navigate(new URL(link.href).pathname);
});
