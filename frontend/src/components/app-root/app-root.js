// The application shell: header, navigation, and the page of the current route.

import { gql } from "../../gql.js";
import { html, render } from "../../html.js";
import { currentPath, navigate, onRoute } from "../../router.js";
import { store } from "../../store.js";

const VIEWER = `query { viewer { account { id fullName username role { name } }
  practice { name plan seatLimit seatsUsed } permissions } }`;

// path -> [page element, needs a signed-in viewer]
const ROUTES = {
  "/sign-in": ["sign-in-page", false],
  "/staff": ["staff-page", true],
  "/roles": ["roles-page", true],
  "/activate": ["activate-page", false],
  "/mailbox": ["mailbox-page", false],
  "/account": ["account-page", true],
};

function canManageStaff(viewer) {
  return Boolean(viewer?.permissions?.includes("MANAGE_ACCOUNTS"));
}

function homeOf(viewer) {
  return canManageStaff(viewer) ? "/staff" : "/account";
}

class AppRoot extends HTMLElement {
  async connectedCallback() {
    store.addEventListener("change", () => this.#render());
    onRoute(() => this.#render());
    window.addEventListener("session-expired", () => this.#sessionExpired());
    this.addEventListener("click", (event) => {
      if (event.target.closest("[data-action=sign-out]")) this.#signOut();
    });
    try {
      const { viewer } = await gql(VIEWER);
      store.set({ viewer, loaded: true });
    } catch (error) {
      store.set({ viewer: null, loaded: true, notice: error.message });
    }
  }

  #sessionExpired() {
    if (!store.state.viewer) return;
    store.set({ viewer: null, notice: "Your session has ended. Sign in again to continue." });
    navigate("/sign-in");
  }

  async #signOut() {
    try {
      await gql("mutation { logout(input: {}) { ok } }");
    } catch {
      // Signed out already: nothing left to end.
    }
    store.set({ viewer: null, notice: "You are signed out." });
    navigate("/sign-in");
  }

  #render() {
    const { viewer, loaded } = store.state;
    if (!loaded) return;
    let path = currentPath();
    if (!ROUTES[path]) path = viewer ? homeOf(viewer) : "/sign-in";
    const [page, needsViewer] = ROUTES[path];
    if (needsViewer && !viewer) return navigate("/sign-in");
    if (path === "/sign-in" && viewer) return navigate(homeOf(viewer));
    if (path === "/staff" && !canManageStaff(viewer)) return navigate("/account");
    if (path !== currentPath()) window.history.replaceState({}, "", path);
    if (this.dataset.page === page && this.dataset.viewer === String(Boolean(viewer))) return;
    this.dataset.page = page;
    this.dataset.viewer = String(Boolean(viewer));
    render(
      this,
      html`
        <header class="app-header">
          <a class="brand" href="${viewer ? homeOf(viewer) : "/sign-in"}" data-link>Staff accounts</a>
          ${viewer
            ? html`<nav aria-label="Main">
                  ${canManageStaff(viewer)
                    ? html`<a href="/staff" data-link aria-current="${path === "/staff" ? "page" : "false"}">Staff</a>`
                    : ""}
                  <a href="/account" data-link aria-current="${path === "/account" ? "page" : "false"}">Your account</a>
                  <a href="/roles" data-link aria-current="${path === "/roles" ? "page" : "false"}"
                    >Roles &amp; Permissions</a
                  >
                  <a href="/mailbox" data-link aria-current="${path === "/mailbox" ? "page" : "false"}">Mailbox</a>
                </nav>
                <div class="account">
                  <span>${viewer.account.fullName} · ${viewer.practice.name}</span>
                  <button type="button" class="link-button" data-action="sign-out">Sign out</button>
                </div>`
            : html`<nav aria-label="Main"><a href="/mailbox" data-link>Mailbox</a></nav>`}
        </header>
        <main id="main"></main>
      `,
    );
    this.querySelector("#main").append(document.createElement(page));
  }
}

export function registerAppRoot() {
  customElements.define("app-root", AppRoot);
}
