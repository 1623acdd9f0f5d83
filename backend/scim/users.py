"""StaffMember <-> SCIM User (RFC 7643 §4.1 and our extension)."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from backend.api.ids import parse_reference, to_global_id
from backend.models import StaffMember, StaffStatus
from backend.scim.errors import ScimError
from backend.scim.schemas import EXTENSION, USER
from backend.services.staff_input import UNSET, StaffFields

# Multi-valued attributes with a type: (SCIM type, our column).
PHONE_TYPES = (("mobile", "cell_phone"), ("home", "home_phone"))


def version(staff: StaffMember) -> str:
    """A weak ETag from updated_at, which the database moves on every change."""
    stamp = staff.updated_at.astimezone(UTC)
    return f'W/"{int(stamp.timestamp() * 1_000_000)}"'


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_scim(staff: StaffMember, base_url: str) -> dict[str, Any]:
    """The User resource; `staff` has its offices prefetched."""
    phones = [
        {"value": getattr(staff, column), "type": kind}
        for kind, column in PHONE_TYPES
        if getattr(staff, column)
    ]
    resource: dict[str, Any] = {
        "schemas": [USER, EXTENSION],
        "id": str(staff.id),
        "userName": staff.username,
        "name": {
            "givenName": staff.first_name,
            "familyName": staff.last_name,
        },
        "displayName": staff.full_name,
        # Pending people count as active (Okta and Entra would otherwise re-enable them):
        # the extension's status tells Pending apart.
        "active": staff.status != StaffStatus.INACTIVE,
        "emails": [{"value": staff.email, "type": "work", "primary": True}],
        EXTENSION: {
            "roleId": to_global_id("Role", staff.role_id),
            "primaryProviderId": to_global_id("Provider", staff.primary_provider_id),
            "officeIds": [to_global_id("Office", office.id) for office in staff.offices],
            "restrictOffices": staff.restrict_offices,
            "emailUpdateEnabled": staff.email_update_enabled,
            "dailyBillingReport": staff.daily_billing_report,
            "status": staff.status.value,
        },
        "meta": {
            "resourceType": "User",
            "created": _time(staff.created_at),
            "lastModified": _time(staff.updated_at),
            "location": f"{base_url}/Users/{staff.id}",
            "version": version(staff),
        },
    }
    if phones:
        resource["phoneNumbers"] = phones
    if staff.external_id is not None:
        resource["externalId"] = staff.external_id
    extension = resource[EXTENSION]
    for key, value in (
        ("careTeamRole", staff.care_team_role),
        ("careTeamIdType", staff.care_team_id_type.value if staff.care_team_id_type else None),
        ("careTeamIdNumber", staff.care_team_id_number),
    ):
        if value is not None:
            extension[key] = value
    return resource


def boolean(value: Any, attribute: str) -> bool:
    """A SCIM boolean; Entra sends "True" and "False" as strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ScimError(400, f"{attribute}: expected true or false.", "invalidValue")


def text(value: Any, attribute: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ScimError(400, f"{attribute}: expected a string.", "invalidValue")


def lowered(value: Any, attribute: str) -> dict[str, Any]:
    """A complex value with its keys lower-cased: attribute names are case-insensitive."""
    if not isinstance(value, dict):
        raise ScimError(400, f"{attribute}: expected an object.", "invalidSyntax")
    return {str(key).lower(): item for key, item in value.items()}


def work_email(emails: Any) -> str | None:
    """The primary email, else the work one, else the first."""
    if emails is None:
        return None
    if not isinstance(emails, list) or not all(isinstance(e, dict) for e in emails):
        raise ScimError(400, "emails: expected a list of objects.", "invalidSyntax")
    entries = [lowered(e, "emails") for e in emails]
    if not entries:
        return None

    def rank(entry: dict[str, Any]) -> int:
        if entry.get("primary") in (True, "true", "True"):
            return 0
        return 1 if str(entry.get("type", "")).lower() == "work" else 2

    return text(min(entries, key=rank).get("value"), "emails.value")


def phones(numbers: Any) -> dict[str, str | None]:
    """Our phone columns from phoneNumbers: mobile is the cell phone, home the home
    phone; other types (work, fax...) have no place here and are left out."""
    if numbers is None:
        return {column: None for _kind, column in PHONE_TYPES}
    if not isinstance(numbers, list):
        raise ScimError(400, "phoneNumbers: expected a list of objects.", "invalidSyntax")
    found: dict[str, str | None] = {column: None for _kind, column in PHONE_TYPES}
    for number in numbers:
        entry = lowered(number, "phoneNumbers")
        kind = str(entry.get("type", "")).lower()
        for wanted, column in PHONE_TYPES:
            if kind == wanted:
                found[column] = text(entry.get("value"), "phoneNumbers.value")
    return found


def _reference(value: Any, type_name: str, attribute: str) -> UUID | None:
    return parse_reference(text(value, attribute), type_name)


def extension_fields(extension: Any) -> dict[str, Any]:
    """StaffFields values from our extension, only for the attributes given."""
    if extension is None:
        return {}
    given = lowered(extension, EXTENSION)
    values: dict[str, Any] = {}
    if "roleid" in given:
        values["role_id"] = _reference(given["roleid"], "Role", "roleId")
    if "primaryproviderid" in given:
        values["primary_provider_id"] = _reference(
            given["primaryproviderid"], "Provider", "primaryProviderId"
        )
    if "officeids" in given:
        offices = given["officeids"] or []
        if not isinstance(offices, list):
            raise ScimError(400, "officeIds: expected a list.", "invalidValue")
        values["office_ids"] = [_reference(o, "Office", "officeIds") for o in offices]
        values.setdefault("restrict_offices", bool(offices))
    for key, name in (
        ("careteamrole", "care_team_role"),
        ("careteamidtype", "care_team_id_type"),
        ("careteamidnumber", "care_team_id_number"),
    ):
        if key in given:
            values[name] = text(given[key], key)
    for key, name in (
        ("restrictoffices", "restrict_offices"),
        ("emailupdateenabled", "email_update_enabled"),
        ("dailybillingreport", "daily_billing_report"),
    ):
        if key in given and given[key] is not None:
            values[name] = boolean(given[key], key)
    return values


class UserInput:
    """A User body of a POST or a PUT, read into our fields."""

    def __init__(self, body: Any) -> None:
        given = lowered(body, "body")
        name = lowered(given.get("name") or {}, "name")
        self.fields: dict[str, Any] = {
            "username": text(given.get("username"), "userName"),
            "first_name": text(name.get("givenname"), "name.givenName"),
            "last_name": text(name.get("familyname"), "name.familyName"),
            "email": work_email(given.get("emails")),
            **phones(given.get("phonenumbers")),
            **extension_fields(given.get(EXTENSION.lower())),
        }
        self.active = boolean(given["active"], "active") if "active" in given else None
        self.has_external_id = "externalid" in given
        self.external_id = text(given.get("externalid"), "externalId")

    def staff_fields(self) -> StaffFields:
        return StaffFields(**self.fields)

    def replacing(self) -> StaffFields:
        """A PUT: the core attributes as given (absent phones are cleared); role,
        provider and offices, which clients never send, stay unless our extension names them."""
        return StaffFields(**{k: v for k, v in self.fields.items() if v is not UNSET})
