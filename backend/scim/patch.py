"""PATCH (RFC 7644 §3.5.2) read into our fields, with what Okta and Entra really send:
capitalised op names ("Replace"), booleans as strings ("False"), no path with a value
object, and paths with filters (emails[type eq "work"].value). scim2-models parses paths."""

from dataclasses import dataclass, field
from typing import Any

from scim2_models import Path
from scim2_models.exceptions import SCIMException
from scim2_models.path.expressions import AttrPath, CompareOperator, Comparison, ValuePath

from backend.scim.errors import ScimError
from backend.scim.schemas import EXTENSION, PATCH_OP, USER
from backend.scim.users import (
    PHONE_TYPES,
    boolean,
    extension_fields,
    lowered,
    phones,
    text,
    work_email,
)

# Attributes we derive or do not keep: accepted and left alone, since Entra's default
# mappings send them (README, "SCIM provisioning", deviations).
IGNORED = {
    "displayname",
    "title",
    "preferredlanguage",
    "locale",
    "nickname",
    "timezone",
    "name.formatted",
    "name.middlename",
    "name.honorificprefix",
    "name.honorificsuffix",
    "addresses",
    "profileurl",
    "usertype",
}


@dataclass
class Changes:
    fields: dict[str, Any] = field(default_factory=dict)
    active: bool | None = None
    external_id: str | None = None
    external_id_given: bool = False


def read(body: Any) -> Changes:
    given = lowered(body, "body")
    schemas = given.get("schemas")
    if not isinstance(schemas, list) or PATCH_OP not in schemas:
        raise ScimError(400, f"A PATCH carries schemas [{PATCH_OP}].", "invalidSyntax")
    operations = given.get("operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "Operations: expected a non-empty list.", "invalidSyntax")
    changes = Changes()
    for operation in operations:
        entry = lowered(operation, "Operations")
        op = str(entry.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, f"Unknown op: {entry.get('op')}", "invalidSyntax")
        path = entry.get("path")
        value = entry.get("value")
        if op == "remove":
            if not path:
                raise ScimError(400, "A remove names a path.", "noTarget")
            _apply(changes, str(path), None, remove=True)
        elif not path:
            for key, item in lowered(value, "value").items():
                if key == EXTENSION.lower() and isinstance(item, dict):
                    for sub, sub_value in item.items():
                        _apply(changes, f"{EXTENSION}:{sub}", sub_value, remove=False)
                else:
                    _apply(changes, key, item, remove=False)
        else:
            _apply(changes, str(path), value, remove=False)
    return changes


def _apply(changes: Changes, raw_path: str, value: Any, *, remove: bool) -> None:
    try:
        node = Path(raw_path).ast
    except (SCIMException, ValueError) as error:
        raise ScimError(400, f"Not a valid path: {raw_path} ({error})", "invalidPath") from None
    if isinstance(node, ValuePath):
        _value_path(changes, node, value, remove=remove)
        return
    assert isinstance(node, AttrPath)
    uri = (node.uri or "").lower()
    if uri == EXTENSION.lower():
        changes.fields.update(extension_fields({node.attr: value}))
        return
    if uri and uri != USER.lower():
        return  # another extension (Entra's enterprise one): nothing we keep
    name = node.attr.lower() + (f".{node.sub_attr.lower()}" if node.sub_attr else "")
    if name in IGNORED:
        return
    if name == "active":
        changes.active = False if remove else boolean(value, "active")
    elif name == "username":
        changes.fields["username"] = text(value, "userName")
    elif name == "externalid":
        changes.external_id = None if remove else text(value, "externalId")
        changes.external_id_given = True
    elif name == "name":
        parts = lowered(value or {}, "name")
        if "givenname" in parts or remove:
            changes.fields["first_name"] = text(parts.get("givenname"), "name.givenName")
        if "familyname" in parts or remove:
            changes.fields["last_name"] = text(parts.get("familyname"), "name.familyName")
    elif name in ("name.givenname", "name.familyname"):
        column = "first_name" if name == "name.givenname" else "last_name"
        changes.fields[column] = text(value, name)
    elif name in ("emails", "emails.value"):
        email = work_email(
            value if isinstance(value, list) or value is None else [{"value": value}]
        )
        changes.fields["email"] = email
    elif name == "phonenumbers":
        found = phones(value)
        changes.fields.update(found if remove else {k: v for k, v in found.items() if v})
    else:
        raise ScimError(400, f"Unknown attribute: {raw_path}", "invalidPath")


def _value_path(changes: Changes, node: ValuePath, value: Any, *, remove: bool) -> None:
    """emails[type eq "work"].value, phoneNumbers[type eq "mobile"].value: a type filter."""
    attribute = node.attr_path.attr.lower()
    test = node.val_filter
    if not (
        isinstance(test, Comparison)
        and test.attr_path.attr.lower() == "type"
        and test.op == CompareOperator.eq
    ):
        raise ScimError(400, 'Only [type eq "..."] filters are supported in paths.', "invalidPath")
    kind = str(test.value).lower()
    sub = (node.sub_attr or "value").lower()
    if sub != "value":
        return  # e.g. primary, display: nothing of ours
    if isinstance(value, dict):
        value = lowered(value, "value").get("value")
    if attribute == "emails":
        if kind != "work":
            return  # one work email is all we keep
        changes.fields["email"] = None if remove else text(value, "emails.value")
        return
    if attribute == "phonenumbers":
        for wanted, column in PHONE_TYPES:
            if kind == wanted:
                changes.fields[column] = None if remove else text(value, "phoneNumbers.value")
        return
    if attribute in IGNORED:
        return
    raise ScimError(400, f"Unknown attribute: {attribute}", "invalidPath")
