// Keeps keyboard focus inside an open drawer or dialog, closes it with Escape, and gives
// focus back to where it was when it closes.

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function trapFocus(container, onEscape) {
  const previous = document.activeElement;

  function focusables() {
    return [...container.querySelectorAll(FOCUSABLE)].filter((el) => el.offsetParent !== null);
  }

  function onKeydown(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      onEscape();
      return;
    }
    if (event.key !== "Tab") return;
    const items = focusables();
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  container.addEventListener("keydown", onKeydown);
  const [first] = focusables();
  (container.querySelector("[autofocus]") ?? first)?.focus();

  return function release() {
    container.removeEventListener("keydown", onKeydown);
    if (previous && typeof previous.focus === "function" && previous.isConnected) previous.focus();
  };
}
