// A tiny history-API router: paths map to page element names.

const listeners = new Set();

export function currentPath() {
  return window.location.pathname;
}

export function navigate(path) {
  if (path !== currentPath() || window.location.hash) {
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
