"""attributes and excludedAttributes (RFC 7644 §3.4.2.5): which attributes an answer has.
id and schemas are always returned (and meta, for the ETag)."""

from typing import Any

from backend.scim.schemas import EXTENSION, USER

_ALWAYS = {"id", "schemas", "meta"}


def _paths(value: str | None) -> list[tuple[str, str | None]]:
    """(top-level key lower-cased, sub-attribute lower-cased) of each comma-separated path."""
    paths = []
    for raw in (value or "").split(","):
        path = raw.strip()
        if not path:
            continue
        lowered = path.lower()
        for urn in (USER.lower(), EXTENSION.lower()):
            if lowered.startswith(urn + ":"):
                rest = lowered[len(urn) + 1 :]
                top = rest if urn == USER.lower() else EXTENSION.lower()
                sub = None if urn == USER.lower() else rest
                if urn == USER.lower() and "." in rest:
                    top, sub = rest.split(".", 1)
                paths.append((top, sub))
                break
        else:
            if lowered == EXTENSION.lower():
                paths.append((lowered, None))
            else:
                top, _, sub = lowered.partition(".")
                paths.append((top, sub or None))
    return paths


def project(
    resource: dict[str, Any], attributes: str | None, excluded: str | None
) -> dict[str, Any]:
    wanted = _paths(attributes)
    unwanted = _paths(excluded)
    if wanted:
        kept: dict[str, Any] = {}
        for key, value in resource.items():
            if key.lower() in _ALWAYS:
                kept[key] = value
                continue
            subs = [sub for top, sub in wanted if top == key.lower()]
            if not subs:
                continue
            if None in subs or not isinstance(value, dict):
                kept[key] = value
            else:
                kept[key] = {k: v for k, v in value.items() if k.lower() in subs}
        resource = kept
    for top, sub in unwanted:
        for key in list(resource):
            if key.lower() != top or key.lower() in _ALWAYS:
                continue
            if sub is None:
                del resource[key]
            elif isinstance(resource[key], dict):
                resource[key] = {k: v for k, v in resource[key].items() if k.lower() != sub}
    return resource
