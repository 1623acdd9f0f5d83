// The one GraphQL fetch wrapper. The browser's session is its HttpOnly cookie: no token is
// ever stored by this code.

export class GraphQLError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/** `keepalive`: the request outlives the page (sent while it is being left). */
export async function gql(query, variables = {}, { keepalive = false } = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      keepalive,
      headers: { "Content-Type": "application/json", "X-Requested-With": "staff-accounts" },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new GraphQLError("The server cannot be reached. Check your connection and try again.", "NETWORK");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new GraphQLError(`The server answered ${response.status}. Try again.`, "HTTP");
  }
  if (body.errors && body.errors.length) {
    const [first] = body.errors;
    const code = first.extensions?.code ?? "ERROR";
    if (code === "UNAUTHENTICATED") {
      window.dispatchEvent(new CustomEvent("session-expired"));
    } else if (code === "TWO_FACTOR_ENROLLMENT_REQUIRED") {
      // The practice holds this session until the person sets up two-factor sign-in.
      window.dispatchEvent(new CustomEvent("two-factor-enrollment-required"));
    } else if (code === "PASSWORD_CHANGE_REQUIRED") {
      // An administrator requires a new password before anything else.
      window.dispatchEvent(new CustomEvent("password-change-required"));
    }
    throw new GraphQLError(first.message, code);
  }
  return body.data;
}

/** The payload of a single mutation: its data, whose `userErrors` the caller shows. */
export async function mutate(query, input, options = {}) {
  const data = await gql(query, { input }, options);
  return Object.values(data)[0];
}
