// The application shell: header, navigation, and the page of the current route.

import { gql } from "../../gql.js";
import { html, render } from "../../html.js";
import { currentPath, navigate, onRoute } from "../../router.js";
import { store } from "../../store.js";
import { canManageStaff, isHeld, loadViewer, mustChangePassword, mustEnrolTwoFactor } from "../../viewer.js";

// path -> [page element, needs a signed-in viewer]
const ROUTES = {
  "/sign-in": ["sign-in-page", false],
  "/staff": ["staff-page", true],
  "/roles": ["roles-page", true],
  "/api-clients": ["api-clients-page", true],
  "/webhooks": ["webhooks-page", true],
  "/activate": ["activate-page", false],
  "/mailbox": ["mailbox-page", false],
  "/account": ["account-page", true],
  "/forgot-password": ["forgot-password-page", false],
  "/reset-password": ["reset-password-page", false],
  "/confirm-email": ["confirm-email-page", false],
};

// A staff member's own address (/staff/<id>) is the Staff page with their drawer open;
// backend/spa.py answers the same pattern with the app.
const STAFF_MEMBER_ROUTE = /^\/staff\/[^/\s]+$/;

/** The ROUTES key of a path. */
function routeOf(path) {
  return STAFF_MEMBER_ROUTE.test(path) ? "/staff" : path;
}

const MANAGERS_ONLY = ["/staff", "/api-clients", "/webhooks"];

// "/" goes to the viewer's home; any other path outside ROUTES gets this page.
const NOT_FOUND = ["not-found-page", false];

const SIGN_OUT = `mutation { logout(input: {}) { ok } }`;

function homeOf(viewer) {
  return canManageStaff(viewer) ? "/staff" : "/account";
}

function current(path, target) {
  return path === target ? "page" : "false";
}

class AppRoot extends HTMLElement {
  // Where a signed-out visitor (or an ended session) was sent to sign in from: a shared
  // /staff/<id> link opens that person once signed in, not the home page.
  #returnTo = null;

  async connectedCallback() {
    store.addEventListener("change", () => this.#render());
    onRoute(() => this.#render());
    window.addEventListener("session-expired", () => this.#sessionExpired());
    window.addEventListener("two-factor-enrollment-required", () => this.#enrolmentRequired());
    window.addEventListener("password-change-required", () => this.#passwordChangeRequired());
    this.addEventListener("click", (event) => {
      if (event.target.closest("[data-action=sign-out]")) this.#signOut();
      if (event.target.closest("[data-action=toggle-menu]")) this.#toggleMenu();
      if (event.target.closest(".skip-link")) {
        event.preventDefault(); // no #main in the address: the router keeps it clean
        this.#focusMain();
      }
    });
    this.addEventListener("keydown", (event) => {
      // A form's own Escape (it prevents the default) is not the menu's.
      if (event.key === "Escape" && !event.defaultPrevented && this.#menuButton()?.getAttribute("aria-expanded") === "true") {
        this.#toggleMenu();
        this.#menuButton().focus();
      }
    });
    try {
      store.set({ viewer: await loadViewer(), loaded: true });
    } catch (error) {
      store.set({ viewer: null, loaded: true, notice: error.message });
    }
  }

  #sessionExpired() {
    if (!store.state.viewer) return;
    store.set({ viewer: null, notice: "Your session has ended. Sign in again to continue." });
    this.#returnTo = currentPath() + window.location.search;
    navigate("/sign-in");
  }

  // A page asked for something the session may not do before two-factor enrolment (the
  // practice turned the requirement on, say): show the person as held, on the account page.
  async #enrolmentRequired() {
    const { viewer } = store.state;
    if (!viewer || mustEnrolTwoFactor(viewer)) return;
    let fresh;
    try {
      fresh = await loadViewer();
    } catch {
      fresh = null;
    }
    const held = fresh?.twoFactorEnrollmentRequired
      ? fresh
      : { ...viewer, permissions: [], twoFactorEnrollmentRequired: true };
    store.set({ viewer: held });
    navigate("/account");
  }

  // A page asked for something while an administrator requires a new password (set since
  // the page loaded): show the person as held, on the account page, which asks for one.
  #passwordChangeRequired() {
    const { viewer } = store.state;
    if (!viewer || mustChangePassword(viewer)) return;
    store.set({ viewer: { ...viewer, permissions: [], passwordChangeRequired: true } });
    navigate("/account");
  }

  #menuButton() {
    return this.querySelector("[data-action=toggle-menu]");
  }

  // The phone header's disclosure: the navigation shows under the header's one line.
  #toggleMenu() {
    const button = this.#menuButton();
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    this.querySelector(".app-header").classList.toggle("menu-open", open);
  }

  #focusMain() {
    this.querySelector("#main")?.focus();
  }

  async #signOut() {
    // Pages finish what must be sent while the session lives (held Staff actions).
    const pending = [];
    window.dispatchEvent(new CustomEvent("before-sign-out", { detail: { waitUntil: (work) => pending.push(work) } }));
    await Promise.allSettled(pending);
    try {
      await gql(SIGN_OUT);
    } catch {
      // Signed out already: nothing left to end.
    }
    store.set({ viewer: null, notice: "You are signed out." });
    this.#returnTo = null; // left on purpose: the next sign-in starts at home
    navigate("/sign-in");
  }

  #render() {
    const { viewer, loaded } = store.state;
    if (!loaded) return;
    let path = currentPath();
    if (path === "/") path = viewer ? homeOf(viewer) : "/sign-in";
    // Any other unknown path: say so (the server answered 404), keeping the address.
    const [page, needsViewer] = ROUTES[routeOf(path)] ?? NOT_FOUND;
    if (needsViewer && !viewer) {
      this.#returnTo = path + window.location.search;
      return navigate("/sign-in");
    }
    if (path === "/sign-in" && viewer) {
      // The rules below still apply there (held sessions, Manage Accounts pages).
      const target = this.#returnTo ?? homeOf(viewer);
      this.#returnTo = null;
      return navigate(target);
    }
    // Held (two-factor enrolment, or a new password to choose): only the account page (and
    // the public ones) until done.
    if (needsViewer && isHeld(viewer) && path !== "/account") return navigate("/account");
    // Manage Accounts pages: others go to their own account.
    if (MANAGERS_ONLY.includes(routeOf(path)) && !canManageStaff(viewer)) return navigate("/account");
    if (path !== currentPath()) window.history.replaceState({}, "", path);
    const signedIn = String(Boolean(viewer));
    if (this.dataset.page !== page || this.dataset.viewer !== signedIn) {
      const signingIn = this.dataset.viewer === "false" && signedIn === "true";
      this.dataset.page = page;
      this.dataset.viewer = signedIn;
      this.dataset.header = "";
      render(
        this,
        html`<a class="skip-link" href="#main">Skip to main content</a>
          <header class="app-header"></header>
          <main id="main" tabindex="-1"></main>`,
      );
      const main = this.querySelector("#main");
      main.append(document.createElement(page));
      // After sign-in, the first page starts where its content does (unless it has put
      // focus somewhere in it already), not on a sign-in form that is gone.
      if (signingIn && !main.contains(document.activeElement)) this.#focusMain();
    }
    // The header follows the viewer (e.g. the navigation once enrolment frees the session)
    // without rebuilding the page under it.
    const headerKey = JSON.stringify([path, viewer?.account?.id, viewer?.permissions, isHeld(viewer)]);
    if (this.dataset.header === headerKey) return;
    this.dataset.header = headerKey;
    const header = this.querySelector(".app-header");
    header.classList.remove("menu-open"); // its new Menu button starts closed
    render(header, this.#header(viewer, path));
  }

  #header(viewer, path) {
    if (!viewer) {
      return html`
        <a class="brand" href="/sign-in" data-link>Staff accounts</a>
        <nav aria-label="Main"><a href="/mailbox" data-link>Mailbox</a></nav>
      `;
    }
    const held = isHeld(viewer);
    const who = `${viewer.account.fullName} · ${viewer.practice.name}`; // cut short on a phone
    // On a phone the navigation folds behind "Menu" (app.css shows the button there only).
    return html`
      <a class="brand" href="${homeOf(viewer)}" data-link>Staff accounts</a>
      <button type="button" class="menu-toggle" data-action="toggle-menu" aria-expanded="false"
        aria-controls="main-nav">Menu</button>
      <nav id="main-nav" aria-label="Main">
        ${canManageStaff(viewer) ? html`<a href="/staff" data-link aria-current="${current(routeOf(path), "/staff")}">Staff</a>` : ""}
        <a href="/account" data-link aria-current="${current(path, "/account")}">Your account</a>
        ${held
          ? ""
          : html`<a href="/roles" data-link aria-current="${current(path, "/roles")}">Roles &amp; Permissions</a>`}
        ${canManageStaff(viewer)
          ? html`<a href="/api-clients" data-link aria-current="${current(path, "/api-clients")}">API clients</a>
              <a href="/webhooks" data-link aria-current="${current(path, "/webhooks")}">Webhooks</a>`
          : ""}
        <a href="/mailbox" data-link aria-current="${current(path, "/mailbox")}">Mailbox</a>
      </nav>
      <div class="account">
        <span class="account-name" title="${who}">${who}</span>
        <button type="button" class="link-button" data-action="sign-out">Sign out</button>
      </div>
    `;
  }
}

export function registerAppRoot() {
  customElements.define("app-root", AppRoot);
}
