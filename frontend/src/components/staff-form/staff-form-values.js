// The staff form's fields and values: reading what was typed, checking it before it is
// sent, and building the create input or the update input (only what changed).

// Field names are the GraphQL input names, so server errors find their field.
export const LABELS = {
  firstName: "First Name",
  lastName: "Last Name",
  primaryProviderId: "Primary Provider",
  roleId: "Role",
  careTeamRole: "Care Team Role",
  careTeamIdType: "Care Team Identifier type",
  careTeamIdNumber: "Care Team Identifier number",
  username: "Username",
  email: "Email",
  password: "Password",
  passwordConfirmation: "Confirm Password",
  cellPhone: "Cell Phone",
  homePhone: "Home Phone",
  appUnlockPin: "App Unlock PIN",
  emailUpdateEnabled: "Enable email update",
  restrictOffices: "Restrict Offices",
  officeIds: "Offices",
  dailyBillingReport: "Send daily billing report",
};
const REQUIRED_MESSAGES = {
  firstName: "Enter the first name.",
  lastName: "Enter the last name.",
  primaryProviderId: "Choose the primary provider.",
  roleId: "Choose a role.",
  username: "Enter a username.",
  email: "Enter an email address.",
  password: "Enter a password.",
  passwordConfirmation: "Type the password again to confirm it.",
  appUnlockPin: "Enter a 4-digit PIN.",
};
const CREATE_ONLY = ["password", "passwordConfirmation", "appUnlockPin"];
const OPTIONAL_TEXT = ["careTeamRole", "careTeamIdType", "careTeamIdNumber", "cellPhone", "homePhone"];
const EDITABLE_TEXT = ["firstName", "lastName", "primaryProviderId", "roleId", "username", "email", ...OPTIONAL_TEXT];
const FLAGS = ["emailUpdateEnabled", "restrictOffices", "dailyBillingReport"];

/** What the form holds now, by GraphQL input name. */
export function readForm(form) {
  const values = {};
  for (const name of [...EDITABLE_TEXT, ...CREATE_ONLY]) {
    const element = form.elements[name];
    if (!element) continue;
    // Passwords are taken as typed: spaces are part of a passphrase.
    values[name] = element.type === "password" && name !== "appUnlockPin" ? element.value : element.value.trim();
  }
  for (const name of FLAGS) values[name] = form.elements[name].checked;
  values.officeIds = [...form.querySelectorAll("input[name=officeIds]:checked")].map((box) => box.value);
  return values;
}

/** The mistakes the browser can see, by field, before anything is sent. */
export function clientErrors(values, creating) {
  const errors = {};
  for (const [name, message] of Object.entries(REQUIRED_MESSAGES)) {
    if (!creating && CREATE_ONLY.includes(name)) continue;
    if (!values[name]) errors[name] = message;
  }
  if (creating && values.password && values.passwordConfirmation && values.password !== values.passwordConfirmation) {
    errors.passwordConfirmation = "The two passwords do not match. Type the same password in both fields.";
  }
  if (creating && values.appUnlockPin && !/^[0-9]{4}$/.test(values.appUnlockPin)) {
    errors.appUnlockPin = "Use exactly 4 digits for the PIN.";
  }
  if (values.restrictOffices && !values.officeIds.length) {
    errors.officeIds = "Choose at least one office when Restrict Offices is on.";
  }
  return errors;
}

export function createInput(values) {
  const input = {};
  for (const name of [...EDITABLE_TEXT, ...CREATE_ONLY]) input[name] = values[name];
  for (const name of OPTIONAL_TEXT) input[name] = values[name] || null;
  for (const name of FLAGS) input[name] = values[name];
  input.officeIds = values.restrictOffices ? values.officeIds : [];
  return input;
}

/** The staff member's editable fields, as the form holds them. */
export function valuesOf(staff) {
  return {
    firstName: staff.firstName,
    lastName: staff.lastName,
    primaryProviderId: staff.primaryProvider.id,
    roleId: staff.role.id,
    careTeamRole: staff.careTeamRole?.code ?? "",
    careTeamIdType: staff.careTeamIdentifier?.type ?? "",
    careTeamIdNumber: staff.careTeamIdentifier?.number ?? "",
    username: staff.username,
    email: staff.email,
    cellPhone: staff.cellPhone ?? "",
    homePhone: staff.homePhone ?? "",
  };
}

/** Only what changed, so an unchanged field never trips a rule or overwrites anything. */
export function updateInput(staff, values) {
  const before = valuesOf(staff);
  const input = { id: staff.id };
  for (const name of EDITABLE_TEXT) {
    if ((values[name] ?? "") !== (before[name] ?? "")) {
      input[name] = OPTIONAL_TEXT.includes(name) ? values[name] || null : values[name];
    }
  }
  if ("careTeamIdType" in input || "careTeamIdNumber" in input) {
    input.careTeamIdType = values.careTeamIdType || null;
    input.careTeamIdNumber = values.careTeamIdNumber || null;
  }
  for (const name of FLAGS) {
    if (values[name] !== staff[name]) input[name] = values[name];
  }
  const officesBefore = staff.offices.map((office) => office.id).sort().join(",");
  const officesNow = values.restrictOffices ? [...values.officeIds].sort().join(",") : "";
  if ("restrictOffices" in input || (values.restrictOffices && officesNow !== officesBefore)) {
    input.restrictOffices = values.restrictOffices;
    input.officeIds = values.restrictOffices ? values.officeIds : [];
  }
  return input;
}
