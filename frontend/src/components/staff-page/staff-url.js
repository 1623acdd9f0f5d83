// The Staff page's state in the address: the list's tab, search, filters and sort in the
// query string, defaults left out; and the person open in the drawer in the path
// (/staff/<id>), so that Back, Forward, a reload and a shared link show the same thing.

export const STATUSES = ["ACTIVE", "PENDING", "INACTIVE"];
export const SORT_FIELDS = ["NAME", "USERNAME", "EMAIL", "PRIMARY_PROVIDER", "CREATED", "LAST_SIGN_IN"];

// The query string's words for the sort fields (the API's enum, made readable).
const SORT_WORDS = {
  NAME: "name",
  USERNAME: "username",
  EMAIL: "email",
  PRIMARY_PROVIDER: "provider",
  CREATED: "created",
  LAST_SIGN_IN: "lastSignIn",
};

const STAFF_MEMBER_PATH = /^\/staff\/([^/]+)$/;

export const DEFAULT_STATE = Object.freeze({
  status: "ACTIVE",
  search: null,
  roleId: null,
  twoFactorEnabled: null,
  linkExpired: null,
  loginLocked: null,
  sort: "NAME",
  direction: "ASC",
});

export function normaliseSearch(value) {
  return (value ?? "").split(/\s+/).filter(Boolean).join(" ").slice(0, 100) || null;
}

function flag(value) {
  return value === "1" ? true : null;
}

/** The list state a query string describes; anything unknown falls back to the default. */
export function stateFromSearch(search) {
  const params = new URLSearchParams(search);
  const status = (params.get("tab") ?? "").toUpperCase();
  const sort = Object.keys(SORT_WORDS).find((field) => SORT_WORDS[field] === params.get("sort"));
  const twoFactor = params.get("twoFactor");
  const state = {
    ...DEFAULT_STATE,
    status: STATUSES.includes(status) ? status : "ACTIVE",
    search: normaliseSearch(params.get("q")),
    roleId: params.get("role") || null,
    twoFactorEnabled: twoFactor === "on" ? true : twoFactor === "off" ? false : null,
    linkExpired: flag(params.get("expired")),
    loginLocked: flag(params.get("locked")),
    sort: sort ?? "NAME",
    direction: params.get("dir") === "desc" ? "DESC" : "ASC",
  };
  // Expired links exist only on Pending.
  if (state.status !== "PENDING") state.linkExpired = null;
  return state;
}

/** The query string of a list state: with its "?", or "" for the defaults. */
export function searchOf(state) {
  const params = new URLSearchParams();
  if (state.status !== "ACTIVE") params.set("tab", state.status.toLowerCase());
  if (state.search) params.set("q", state.search);
  if (state.roleId) params.set("role", state.roleId);
  if (state.twoFactorEnabled !== null) params.set("twoFactor", state.twoFactorEnabled ? "on" : "off");
  if (state.linkExpired) params.set("expired", "1");
  if (state.loginLocked) params.set("locked", "1");
  if (state.sort !== "NAME") params.set("sort", SORT_WORDS[state.sort]);
  if (state.direction !== "ASC") params.set("dir", "desc");
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function listUrl(state) {
  return `/staff${searchOf(state)}`;
}

/** A person's own address: the one to share. */
export function staffPath(staffId) {
  return `/staff/${encodeURIComponent(staffId)}`;
}

/** A person's address with the list behind them, for the history entry. */
export function personUrl(staffId, state) {
  return `${staffPath(staffId)}${searchOf(state)}`;
}

/** The id of the person the path opens (/staff/<id>), or null. */
export function staffIdFromPath(pathname) {
  const match = STAFF_MEMBER_PATH.exec(pathname);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null; // a malformed escape (/staff/%zz) is no one's address: the list alone
  }
}

export function sameState(a, b) {
  return Object.keys(DEFAULT_STATE).every((key) => a[key] === b[key]);
}

/** The list's filter for the API (and the export): only what is set. */
export function filterOf(state) {
  return {
    status: state.status,
    search: state.search,
    roleId: state.roleId,
    twoFactorEnabled: state.twoFactorEnabled,
    linkExpired: state.linkExpired,
    loginLocked: state.loginLocked,
  };
}

export function hasFilters(state) {
  return Boolean(
    state.search || state.roleId || state.twoFactorEnabled !== null || state.linkExpired || state.loginLocked,
  );
}

/** The CSV download of the list as it is filtered and sorted (backend/http/staff_export.py). */
export function exportUrl(state) {
  const params = new URLSearchParams({ status: state.status });
  for (const [key, value] of Object.entries(filterOf(state))) {
    if (key !== "status" && value !== null) params.set(key, String(value));
  }
  params.set("orderBy", state.sort);
  params.set("direction", state.direction);
  return `/export/staff.csv?${params}`;
}
