"""Care-team roles a staff member can hold on a patient's care team (occupations)."""

CARE_TEAM_ROLES: dict[str, str] = {
    "CHRONIC_CARE_NURSE": "Chronic care nurse (occupation)",
    "REGISTERED_NURSE": "Registered nurse (occupation)",
    "LICENSED_PRACTICAL_NURSE": "Licensed practical nurse (occupation)",
    "NURSE_PRACTITIONER": "Nurse practitioner (occupation)",
    "CARE_COORDINATOR": "Care coordinator (occupation)",
    "CASE_MANAGER": "Case manager (occupation)",
    "MEDICAL_ASSISTANT": "Medical assistant (occupation)",
    "PHYSICIAN_ASSISTANT": "Physician assistant (occupation)",
    "CLINICAL_PHARMACIST": "Clinical pharmacist (occupation)",
    "DIETITIAN": "Dietitian (occupation)",
    "SOCIAL_WORKER": "Social worker (occupation)",
    "HEALTH_COACH": "Health coach (occupation)",
}


def care_team_role_name(code: str | None) -> str | None:
    return CARE_TEAM_ROLES.get(code) if code else None
