import { messageOf } from "../../forms.js";
import { mutate } from "../../gql.js";
import { html, render } from "../../html.js";
import { store } from "../../store.js";
import { loadViewer } from "../../viewer.js";

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) {
  account { id } twoFactorRequired userErrors { code message retryAfterSeconds } } }`;

class SignInPage extends HTMLElement {
  // Username and password wait here (in memory only, never in storage) while the
  // two-factor code is asked for; they are dropped as soon as sign-in ends either way.
  #credentials = null;
  #useRecovery = false;
  // A notice can arrive after the page shows (a held Staff change that could not be
  // made once the session had ended): only its line is redrawn, not what was typed.
  #onStoreChange = () => this.#renderNotice();

  connectedCallback() {
    store.addEventListener("change", this.#onStoreChange);
    this.addEventListener("submit", (event) => this.#submit(event));
    this.addEventListener("click", (event) => {
      const action = event.target.closest("[data-action]")?.dataset.action;
      if (action === "toggle-recovery") {
        this.#useRecovery = !this.#useRecovery;
        this.#renderCodeStep();
      } else if (action === "start-over") {
        this.#credentials = null;
        this.#renderPasswordStep();
      }
    });
    this.#renderPasswordStep();
  }

  disconnectedCallback() {
    store.removeEventListener("change", this.#onStoreChange);
    this.#credentials = null;
  }

  #renderNotice() {
    const slot = this.querySelector(".sign-in-notice");
    const notice = store.state.notice;
    if (slot && slot.dataset.notice !== (notice ?? "")) {
      slot.dataset.notice = notice ?? "";
      render(slot, notice ? html`<p class="notice" role="status">${notice}</p>` : html``);
    }
  }

  #renderPasswordStep() {
    this.#useRecovery = false;
    render(
      this,
      html`
        <section class="card narrow" aria-labelledby="sign-in-title">
          <h1 id="sign-in-title">Sign in</h1>
          <div class="sign-in-notice"></div>
          <form novalidate data-step="password">
            <label for="sign-in-username">Username</label>
            <input id="sign-in-username" name="username" autocomplete="username" required autofocus>
            <label for="sign-in-password">Password</label>
            <input id="sign-in-password" name="password" type="password" autocomplete="current-password" required>
            <p class="form-error" role="alert" hidden></p>
            <button type="submit" class="primary">Sign in</button>
          </form>
          <p class="sign-in-alternatives"><a href="/forgot-password" data-link>Forgot password?</a></p>
        </section>
      `,
    );
    this.#renderNotice();
    this.querySelector("#sign-in-username").focus();
  }

  #renderCodeStep() {
    const recovery = this.#useRecovery;
    render(
      this,
      html`
        <section class="card narrow" aria-labelledby="sign-in-title">
          <h1 id="sign-in-title">Sign in</h1>
          <p class="notice" role="status">
            ${recovery
              ? "Enter one of the recovery codes you saved when you set up two-factor sign-in. Each code works once."
              : "Open your authenticator app and enter the 6-digit code it shows for this account."}
          </p>
          <form novalidate data-step="code">
            ${recovery
              ? html`
                  <label for="sign-in-recovery">Recovery code</label>
                  <input id="sign-in-recovery" name="recoveryCode" autocomplete="off" autocapitalize="none"
                    spellcheck="false" required>
                `
              : html`
                  <label for="sign-in-code">Two-factor code</label>
                  <input id="sign-in-code" name="totpCode" autocomplete="one-time-code" inputmode="numeric"
                    maxlength="6" pattern="[0-9]*" required>
                `}
            <p class="form-error" role="alert" hidden></p>
            <button type="submit" class="primary">Verify and sign in</button>
          </form>
          <p class="sign-in-alternatives">
            <button type="button" class="link-button" data-action="toggle-recovery">
              ${recovery ? "Use the authenticator app code instead" : "Use a recovery code instead"}
            </button>
            <button type="button" class="link-button" data-action="start-over">Start over</button>
          </p>
        </section>
      `,
    );
    this.querySelector("form input").focus();
  }

  async #submit(event) {
    event.preventDefault();
    const form = event.target;
    const error = form.querySelector(".form-error");
    const button = form.querySelector("button[type=submit]");
    const codeStep = form.dataset.step === "code";
    let input;
    if (codeStep) {
      if (!this.#credentials) return this.#renderPasswordStep();
      const value = form.elements[0].value.trim();
      if (!value) {
        error.textContent = this.#useRecovery ? "Enter a recovery code." : "Enter the 6-digit code.";
        error.hidden = false;
        form.elements[0].focus();
        return;
      }
      input = { ...this.#credentials, [this.#useRecovery ? "recoveryCode" : "totpCode"]: value.replace(/\s+/g, "") };
    } else {
      input = { username: form.username.value, password: form.password.value };
    }
    button.disabled = true;
    try {
      const payload = await mutate(LOGIN, input);
      if (payload.twoFactorRequired && !codeStep) {
        this.#credentials = { username: input.username, password: input.password };
        this.#renderCodeStep();
        return;
      }
      if (payload.userErrors.length || !payload.account) {
        const messages = payload.userErrors.map(messageOf).join(" ");
        error.textContent = messages || "Sign-in did not succeed. Try again.";
        error.hidden = false;
        if (codeStep) {
          form.elements[0].setAttribute("aria-invalid", "true");
          form.elements[0].select();
        }
        return;
      }
      this.#credentials = null;
      // The shell, seeing a viewer on /sign-in, sends each person on: to the address they
      // came from, else their home page; a session the practice holds to two-factor
      // enrolment goes to the account page, which explains why.
      store.set({ viewer: await loadViewer(), notice: null });
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    } finally {
      if (button.isConnected) button.disabled = false;
    }
  }
}

export function registerSignInPage() {
  customElements.define("sign-in-page", SignInPage);
}
