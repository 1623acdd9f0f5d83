import { gql, mutate } from "../../gql.js";
import { html, render } from "../../html.js";
import { navigate } from "../../router.js";
import { store } from "../../store.js";

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { account { id } userErrors { code message } } }`;
const VIEWER = `query { viewer { account { id fullName username role { name } }
  practice { name plan seatLimit seatsUsed } permissions } }`;

class SignInPage extends HTMLElement {
  connectedCallback() {
    const notice = store.state.notice;
    render(
      this,
      html`
        <section class="card narrow" aria-labelledby="sign-in-title">
          <h1 id="sign-in-title">Sign in</h1>
          ${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
          <form novalidate>
            <label for="sign-in-username">Username</label>
            <input id="sign-in-username" name="username" autocomplete="username" required autofocus>
            <label for="sign-in-password">Password</label>
            <input id="sign-in-password" name="password" type="password" autocomplete="current-password" required>
            <p class="form-error" role="alert" hidden></p>
            <button type="submit" class="primary">Sign in</button>
          </form>
        </section>
      `,
    );
    this.querySelector("form").addEventListener("submit", (event) => this.#submit(event));
  }

  async #submit(event) {
    event.preventDefault();
    const form = event.target;
    const error = form.querySelector(".form-error");
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const payload = await mutate(LOGIN, {
        username: form.username.value,
        password: form.password.value,
      });
      if (payload.userErrors.length) {
        error.textContent = payload.userErrors.map((e) => e.message).join(" ");
        error.hidden = false;
        return;
      }
      const { viewer } = await gql(VIEWER);
      store.set({ viewer, notice: null });
      navigate("/"); // the shell sends each person to their home page
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  }
}

export function registerSignInPage() {
  customElements.define("sign-in-page", SignInPage);
}
