"""SCIM filters (RFC 7644 §3.4.2.2) to SQL: scim2-models parses, this maps the tree to a
Tortoise Q over our columns, so the database filters (never Python)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from scim2_models import ScimFilter
from scim2_models.exceptions import SCIMException
from scim2_models.path.expressions import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)
from tortoise.expressions import Q

from backend.models import StaffStatus
from backend.scim.errors import ScimError
from backend.scim.schemas import EXTENSION, USER

NOTHING = Q(id__isnull=True)  # the primary key is never null
EVERYTHING = Q(id__isnull=False)

# Single-valued attributes (lower-cased path) -> (column, kind). Case-insensitive strings
# compare lower-cased: userName through its lower-cased key, names with i-lookups.
_COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("id", "uuid"),
    "username": ("username_key", "key"),
    "externalid": ("external_id", "exact"),
    "name.givenname": ("first_name", "text"),
    "name.familyname": ("last_name", "text"),
    "meta.created": ("created_at", "time"),
    "meta.lastmodified": ("updated_at", "time"),
    "status": ("status", "exact"),
}
# Multi-valued attributes -> their (type, column) values.
_MULTI: dict[str, tuple[tuple[str, str], ...]] = {
    "emails": (("work", "email"),),
    "phonenumbers": (("mobile", "cell_phone"), ("home", "home_phone")),
}


def _q(lookup: str, value: Any) -> Q:
    return Q(**{lookup: value})


def parse(expression: str) -> Q:
    try:
        node = ScimFilter(expression).ast
    except (SCIMException, ValueError) as error:
        raise ScimError(400, f"The filter is not valid: {error}", "invalidFilter") from None
    return _node(node)


def _name(path: AttrPath) -> str:
    """The lower-cased attribute name, our schemas' URNs taken off."""
    if path.uri and path.uri.lower() not in (USER.lower(), EXTENSION.lower()):
        raise ScimError(400, f"Unknown schema in filter: {path.uri}", "invalidFilter")
    name = path.attr.lower()
    return f"{name}.{path.sub_attr.lower()}" if path.sub_attr else name


def _node(node: FilterNode) -> Q:
    if isinstance(node, LogicalExpr):
        terms = [_node(term) for term in node.terms]
        combined = terms[0]
        for term in terms[1:]:
            combined = combined & term if node.op == LogicalOperator.and_ else combined | term
        return combined
    if isinstance(node, Not):
        return ~_node(node.expr)
    if isinstance(node, ValuePath):
        attribute = _name(node.attr_path)
        if attribute not in _MULTI:
            raise ScimError(400, f"Cannot filter on {attribute}[...]", "invalidFilter")
        return _any_value(attribute, lambda kind, column: _within(node.val_filter, kind, column))
    if isinstance(node, Present):
        return _present(_name(node.attr_path))
    if isinstance(node, Comparison):
        return _compare(_name(node.attr_path), node.op, node.value)
    raise ScimError(400, "This filter is not supported.", "invalidFilter")


def _any_value(attribute: str, each: Callable[[str, str], Q]) -> Q:
    """True when one value of a multi-valued attribute matches."""
    result = NOTHING
    for kind, column in _MULTI[attribute]:
        result = result | each(kind, column)
    return result


def _within(node: FilterNode, kind: str, column: str) -> Q:
    """A filter inside emails[...] or phoneNumbers[...], over one typed value."""
    if isinstance(node, LogicalExpr):
        terms = [_within(term, kind, column) for term in node.terms]
        combined = terms[0]
        for term in terms[1:]:
            combined = combined & term if node.op == LogicalOperator.and_ else combined | term
        return combined
    if isinstance(node, Not):
        return ~_within(node.expr, kind, column)
    if isinstance(node, (Comparison, Present)):
        sub = node.attr_path.attr.lower()
        if sub == "type":
            if isinstance(node, Present):
                return EVERYTHING
            return _string(kind, node.op, node.value)
        if sub == "primary":  # our one email is primary; phones are not
            matches = column == "email"
            if isinstance(node, Present):
                return EVERYTHING if matches else NOTHING
            return EVERYTHING if (node.value is True) == matches else NOTHING
        if sub == "value":
            if isinstance(node, Present):
                return _q(f"{column}__isnull", False) & ~_q(column, "")
            return _text_q(column, node.op, node.value)
    raise ScimError(400, "This filter is not supported.", "invalidFilter")


def _string(constant: str, op: CompareOperator, value: Any) -> Q:
    """A comparison whose left side is a constant (a value's type), decided here."""
    given = str(value).lower()
    outcome = {
        CompareOperator.eq: constant == given,
        CompareOperator.ne: constant != given,
        CompareOperator.co: given in constant,
        CompareOperator.sw: constant.startswith(given),
        CompareOperator.ew: constant.endswith(given),
    }.get(op)
    if outcome is None:
        raise ScimError(400, f"{op.value} does not apply to type.", "invalidFilter")
    return EVERYTHING if outcome else NOTHING


def _present(attribute: str) -> Q:
    if attribute in _MULTI:
        return _any_value(
            attribute,
            lambda _kind, column: _q(f"{column}__isnull", False) & ~_q(column, ""),
        )
    if attribute in ("active", "name", "meta", "meta.created", "meta.lastmodified", "status"):
        return EVERYTHING
    if attribute in _COLUMNS:
        column = _COLUMNS[attribute][0]
        return _q(f"{column}__isnull", False)
    raise ScimError(400, f"Cannot filter on {attribute}.", "invalidFilter")


def _compare(attribute: str, op: CompareOperator, value: Any) -> Q:
    if attribute == "active":
        if op not in (CompareOperator.eq, CompareOperator.ne) or not isinstance(value, bool):
            raise ScimError(400, "active compares with eq or ne to true or false.", "invalidFilter")
        inactive = Q(status=StaffStatus.INACTIVE)
        return ~inactive if (value is True) == (op == CompareOperator.eq) else inactive
    if attribute in _MULTI or attribute.split(".")[0] in _MULTI:
        # emails eq "x", emails.value eq "x": any value; emails.type eq "work": any type.
        sub = attribute.partition(".")[2] or "value"
        base = attribute.split(".")[0]
        node = Comparison(AttrPath(sub), op, value)
        return _any_value(base, lambda kind, column: _within(node, kind, column))
    if attribute not in _COLUMNS:
        raise ScimError(400, f"Cannot filter on {attribute}.", "invalidFilter")
    column, kind = _COLUMNS[attribute]
    if kind == "uuid":
        if op not in (CompareOperator.eq, CompareOperator.ne):
            raise ScimError(400, "id compares with eq or ne.", "invalidFilter")
        try:
            matched = Q(id=UUID(str(value)))
        except ValueError:
            matched = NOTHING
        return matched if op == CompareOperator.eq else ~matched
    if kind == "time":
        return _time_q(column, op, value)
    if kind == "key":
        return _text_q(column, op, str(value).lower() if value is not None else value, exact=True)
    return _text_q(column, op, value, exact=kind == "exact")


_LOOKUPS = {
    CompareOperator.eq: "",
    CompareOperator.co: "__contains",
    CompareOperator.sw: "__startswith",
    CompareOperator.ew: "__endswith",
    CompareOperator.gt: "__gt",
    CompareOperator.ge: "__gte",
    CompareOperator.lt: "__lt",
    CompareOperator.le: "__lte",
}


def _text_q(column: str, op: CompareOperator, value: Any, *, exact: bool = False) -> Q:
    """A string comparison: case-insensitive unless the attribute is case-exact."""
    if value is None:
        return _q(f"{column}__isnull", op == CompareOperator.eq)
    if not isinstance(value, str):
        raise ScimError(400, f"{column}: compare with a string.", "invalidFilter")
    if op == CompareOperator.ne:
        return ~_text_q(column, CompareOperator.eq, value, exact=exact)
    lookup = _LOOKUPS[op]
    if not exact and op in (
        CompareOperator.eq,
        CompareOperator.co,
        CompareOperator.sw,
        CompareOperator.ew,
    ):
        lookup = f"__i{lookup.removeprefix('__')}" if lookup else "__iexact"
    return _q(f"{column}{lookup}", value)


def _time_q(column: str, op: CompareOperator, value: Any) -> Q:
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        raise ScimError(400, f"Not a dateTime: {value}", "invalidFilter") from None
    if moment.tzinfo is None:
        raise ScimError(400, "Give the dateTime a time zone (e.g. Z).", "invalidFilter")
    if op == CompareOperator.ne:
        return ~_q(column, moment)
    if op in (CompareOperator.co, CompareOperator.sw, CompareOperator.ew):
        raise ScimError(400, f"{op.value} does not apply to a dateTime.", "invalidFilter")
    return _q(f"{column}{_LOOKUPS[op]}", moment)
