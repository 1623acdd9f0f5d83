// What the Staff Information drawer reads of a staff member: the one selection its query
// and every mutation that returns the person ask for, so each answer can be shown as is.

export const STAFF_FIELDS = `id firstName lastName fullName username email cellPhone homePhone
  role { id name } primaryProvider { id fullName } careTeamRole { code name }
  careTeamIdentifier { type number } emailUpdateEnabled restrictOffices offices { id name }
  dailyBillingReport status twoFactorEnabled loginLocked lastSignInAt passwordChangeRequired
  createdAt activatedAt deactivatedAt
  activationExpiresAt activationEmail { status attempts lastError sentAt }`;

/** The CareTeamIdType enum, as people read it. */
export const CARE_TEAM_ID_TYPES = { NPI: "NPI", NCSBN_ID: "NCSBN ID" };
