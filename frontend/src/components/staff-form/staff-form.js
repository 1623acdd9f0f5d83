// The staff form: add a staff member (`start({ reference })`) or edit one
// (`start({ staff, reference })`). `reference` holds the providers, roles, offices and
// care team roles to choose from.
//
// Events (bubbling): `staff-saved` ({ detail: { staff, created } }) after a create or an
// update, then `staff-changed` on window; `staff-form-cancelled` ({ detail: { message } })
// on Cancel, or when an edit changed nothing. `hasChanges` says whether anything was typed.

import { checkField, selectField, textField } from "../../form-fields.js";
import { errorsByField } from "../../forms.js";
import { mutate } from "../../gql.js";
import { html, render } from "../../html.js";
import { announceStaffChange } from "../../staff-events.js";
import { CARE_TEAM_ID_TYPES, STAFF_FIELDS } from "../../staff-fields.js";
import { fieldFor, showErrors } from "./error-summary.js";
import { LABELS, clientErrors, createInput, readForm, updateInput, valuesOf } from "./staff-form-values.js";

const STAFF_CREATE = `mutation StaffDrawerCreate($input: StaffCreateInput!) {
  staffCreate(input: $input) { staffMember { id status fullName } userErrors { field code message } } }`;
const STAFF_UPDATE = `mutation StaffDrawerUpdate($input: StaffUpdateInput!) {
  staffUpdate(input: $input) { staffMember { ${STAFF_FIELDS} } userErrors { field code message } } }`;

// The fields of this form: ids `sd-<name>`, labels from LABELS.
function text(name, value, options = {}) {
  return textField({ id: `sd-${name}`, name, label: LABELS[name], value, ...options });
}

function select(name, value, choices, options = {}) {
  return selectField({ id: `sd-${name}`, name, label: LABELS[name], value, choices, ...options });
}

function check(name, checked, hint = "") {
  return checkField({ id: `sd-${name}`, name, label: LABELS[name], checked, hint });
}

function emailHint(staff) {
  if (!staff) return "The activation link is sent here.";
  return staff.status === "PENDING" ? "Changing the username or email sends a new activation link." : "";
}

class StaffForm extends HTMLElement {
  #ready = false;
  #staff = null;
  #initial = "";
  #busy = false;

  connectedCallback() {
    if (this.#ready) return;
    this.#ready = true;
    this.addEventListener("click", (event) => this.#onClick(event));
    this.addEventListener("change", (event) => this.#onChange(event));
    this.addEventListener("submit", (event) => this.#onSubmit(event));
  }

  get #form() {
    return this.querySelector("form");
  }

  /** True once anything differs from what the form started with. */
  get hasChanges() {
    return Boolean(this.#form) && JSON.stringify(readForm(this.#form)) !== this.#initial;
  }

  start({ staff = null, reference }) {
    this.#staff = staff;
    render(this, this.#markup(staff, reference));
    this.#initial = JSON.stringify(readForm(this.#form));
    this.querySelector("#sd-firstName").focus();
  }

  #markup(staff, { providers, roles, offices, careTeamRoles }) {
    const creating = !staff;
    const value = (name) => (staff ? valuesOf(staff)[name] : "") ?? "";
    const flag = (name, fallback) => (staff ? Boolean(staff[name]) : fallback);
    const chosenOffices = new Set((staff?.offices ?? []).map((office) => office.id));
    const idType = value("careTeamIdType");
    const restrict = flag("restrictOffices", false);
    return html`
      <form class="sd-form" novalidate aria-label="${creating ? "Add staff" : `Edit ${staff.fullName}`}">
        <div class="sd-scroll">
          <div class="sd-summary" role="alert" tabindex="-1" hidden></div>
          <p class="sd-intro">
            ${creating ? "Add a staff member." : html`Editing <strong>${staff.fullName}</strong>.`} Fields marked
            <span class="required-mark" aria-hidden="true">*</span> are required.
          </p>
          <h3>Person</h3>
          <div class="sd-grid">
            <div>${text("firstName", value("firstName"), { required: true, autocomplete: "off" })}</div>
            <div>${text("lastName", value("lastName"), { required: true, autocomplete: "off" })}</div>
          </div>
          ${select("primaryProviderId", value("primaryProviderId"), providers.map((p) => [p.id, p.fullName]), {
            required: true,
            placeholder: "Choose a provider",
          })}
          ${select("roleId", value("roleId"), roles.map((r) => [r.id, r.name]), {
            required: true,
            placeholder: "Choose a role",
          })}
          ${select("careTeamRole", value("careTeamRole"), careTeamRoles.map((c) => [c.code, c.name]), {
            placeholder: "None",
            hint: "Puts the staff member on the care team in patient charts.",
          })}
          <fieldset class="sd-pair">
            <legend>Care Team Identifier</legend>
            <div class="sd-grid sd-grid-id">
              <div>
                ${select("careTeamIdType", idType, Object.entries(CARE_TEAM_ID_TYPES), {
                  placeholder: "None",
                  label: "Type",
                })}
              </div>
              <div>
                ${text("careTeamIdNumber", value("careTeamIdNumber"), {
                  label: "Number",
                  inputmode: "numeric",
                  autocomplete: "off",
                  disabled: !idType,
                  hint: "NPI: 10 digits. NCSBN ID: up to 10 digits.",
                })}
              </div>
            </div>
          </fieldset>

          <h3>Sign-in</h3>
          ${text("username", value("username"), {
            required: true,
            autocomplete: "off",
            hint: "At least 3 characters: letters, digits and . _ - @",
          })}
          ${text("email", value("email"), {
            required: true,
            type: "email",
            autocomplete: "off",
            hint: emailHint(staff),
          })}
          ${creating
            ? html`<div class="sd-grid">
                <div>
                  ${text("password", "", {
                    required: true,
                    type: "password",
                    autocomplete: "new-password",
                    hint: "At least 12 characters. The staff member replaces it when they activate.",
                  })}
                </div>
                <div>
                  ${text("passwordConfirmation", "", {
                    required: true,
                    type: "password",
                    autocomplete: "new-password",
                  })}
                </div>
              </div>`
            : ""}

          <h3>Phones</h3>
          <div class="sd-grid">
            <div>
              ${text("cellPhone", value("cellPhone"), {
                type: "tel",
                autocomplete: "off",
                hint: "US number, such as 212-555-0123.",
              })}
            </div>
            <div>${text("homePhone", value("homePhone"), { type: "tel", autocomplete: "off" })}</div>
          </div>

          <h3>Staff settings</h3>
          ${creating
            ? text("appUnlockPin", "", {
                required: true,
                type: "password",
                inputmode: "numeric",
                maxlength: "4",
                pattern: "[0-9]{4}",
                autocomplete: "off",
                narrow: true,
                hint: "4 digits the mobile app asks for after a period of inactivity.",
              })
            : ""}
          ${check(
            "emailUpdateEnabled",
            flag("emailUpdateEnabled", true),
            "The staff member may change their own email.",
          )}
          ${check("restrictOffices", restrict, "The staff member works only in the offices chosen below.")}
          <fieldset class="sd-offices" id="sd-officeIds" ${restrict ? "" : html`hidden`}>
            <legend>Offices <span class="required-mark" aria-hidden="true">*</span>
              <span class="sd-hint-inline">(choose at least one)</span></legend>
            ${offices.map(
              (office) => html`<div class="check">
                <input type="checkbox" name="officeIds" value="${office.id}" id="sd-office-${office.id}"
                  ${chosenOffices.has(office.id) ? html`checked` : ""}>
                <label for="sd-office-${office.id}">${office.name}</label>
              </div>`,
            )}
            <div class="error-slot" data-error-for="officeIds"></div>
          </fieldset>
          ${check("dailyBillingReport", flag("dailyBillingReport", false))}
          ${creating
            ? html`<p class="notice sd-note">The activation link emailed to the staff member is valid for 3 days.</p>`
            : ""}
        </div>
        <div class="sd-actions">
          <button type="submit" class="primary">${creating ? "Add Staff" : "Save changes"}</button>
          <button type="button" data-action="cancel">Cancel</button>
        </div>
      </form>
    `;
  }

  #onChange(event) {
    const form = this.#form;
    const { name } = event.target;
    if (name === "restrictOffices") {
      form.querySelector(".sd-offices").hidden = !event.target.checked;
    } else if (name === "careTeamIdType") {
      const number = form.elements.careTeamIdNumber;
      number.disabled = !event.target.value;
      if (!event.target.value) number.value = "";
    }
  }

  #onClick(event) {
    const button = event.target.closest("button[data-action]");
    if (!button || !this.contains(button)) return;
    // While a save is on its way, Cancel waits: the answer must find its form.
    if (button.dataset.action === "cancel" && !this.#busy) this.#cancelled("");
    else if (button.dataset.action === "focus-field") fieldFor(this.#form, button.dataset.field)?.focus();
  }

  #cancelled(message) {
    this.dispatchEvent(new CustomEvent("staff-form-cancelled", { bubbles: true, detail: { message } }));
  }

  #saved(staff, created) {
    this.dispatchEvent(new CustomEvent("staff-saved", { bubbles: true, detail: { staff, created } }));
    announceStaffChange(staff, { created });
  }

  async #onSubmit(event) {
    event.preventDefault();
    const form = this.#form;
    if (this.#busy) return;
    const creating = !this.#staff;
    const values = readForm(form);
    const problems = clientErrors(values, creating);
    if (Object.keys(problems).length) {
      showErrors(form, problems);
      return;
    }
    const buttons = form.querySelectorAll(".sd-actions button");
    this.#busy = true;
    buttons.forEach((button) => { button.disabled = true; });
    form.setAttribute("aria-busy", "true");
    try {
      if (creating) await this.#create(values);
      else await this.#update(values);
    } catch (error) {
      showErrors(form, { "": error.message });
    } finally {
      this.#busy = false;
      buttons.forEach((button) => { button.disabled = false; });
      form.removeAttribute("aria-busy");
    }
  }

  async #create(values) {
    const payload = await mutate(STAFF_CREATE, createInput(values));
    if (payload.userErrors.length) showErrors(this.#form, errorsByField(payload.userErrors));
    else this.#saved(payload.staffMember, true);
  }

  async #update(values) {
    const input = updateInput(this.#staff, values);
    if (Object.keys(input).length === 1) {
      this.#cancelled("Nothing changed.");
      return;
    }
    const payload = await mutate(STAFF_UPDATE, input);
    if (payload.userErrors.length) showErrors(this.#form, errorsByField(payload.userErrors));
    else this.#saved(payload.staffMember, false);
  }
}

export function registerStaffForm() {
  if (!customElements.get("staff-form")) customElements.define("staff-form", StaffForm);
}
