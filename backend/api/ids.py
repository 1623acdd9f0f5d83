"""Opaque global IDs: base64 of "Type:uuid". Random UUIDs make them unguessable."""

import base64
import binascii
from uuid import UUID

import strawberry


def to_global_id(type_name: str, object_id: UUID) -> strawberry.ID:
    raw = f"{type_name}:{object_id}".encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def from_global_id(global_id: str) -> tuple[str, UUID] | None:
    """(type name, id), or None for anything that is not one of our IDs."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw_id = base64.urlsafe_b64decode(padded).decode().partition(":")
        return type_name, UUID(raw_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def parse_id(global_id: str | None, expected_type: str) -> UUID | None:
    """The UUID of an ID of the expected type; None when it is of another type or malformed,
    which callers treat exactly like an ID that does not exist."""
    if not global_id:
        return None
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != expected_type:
        return None
    return decoded[1]


# Stands for an ID that was given but is malformed or of another type: it matches no row,
# so the caller gets the same answer as for an ID that does not exist.
NO_SUCH_ID = UUID(int=0)


def parse_reference(global_id: str | None, expected_type: str) -> UUID | None:
    """None when no ID was given; otherwise its UUID, or NO_SUCH_ID when it is not valid."""
    if global_id is None or global_id == "":
        return None
    return parse_id(global_id, expected_type) or NO_SUCH_ID
