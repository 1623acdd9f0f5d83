"""SCIM error answers (RFC 7644 §3.12): status, scimType, detail, as application/scim+json."""

import orjson
from starlette.responses import Response

from backend.services.errors import DomainError, ErrorCode

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
MEDIA_TYPE = "application/scim+json"


class ScimError(Exception):
    def __init__(
        self, status: int, detail: str, scim_type: str | None = None, **headers: str
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type
        self.headers = headers


def error_response(error: ScimError) -> Response:
    body: dict[str, object] = {
        "schemas": [ERROR_SCHEMA],
        "status": str(error.status),
        "detail": error.detail,
    }
    if error.scim_type:
        body["scimType"] = error.scim_type
    return Response(
        orjson.dumps(body), status_code=error.status, media_type=MEDIA_TYPE, headers=error.headers
    )


# Our codes that are not "this value is wrong" (400 invalidValue).
_CONFLICTS = {ErrorCode.INVALID_TRANSITION, ErrorCode.LAST_ACCOUNT_MANAGER}


# The services name GraphQL's fields; a SCIM client knows its own attribute names.
_ATTRIBUTES = {
    "firstName": "name.givenName",
    "lastName": "name.familyName",
    "username": "userName",
    "email": "emails",
    "cellPhone": 'phoneNumbers[type eq "mobile"]',
    "homePhone": 'phoneNumbers[type eq "home"]',
}


def _attribute(field: tuple[str, ...]) -> str:
    name = field[-1] if field else ""
    return _ATTRIBUTES.get(name, name)


def from_domain(error: DomainError) -> ScimError:
    """One SCIM error for the services' field errors: the most specific status wins
    (a taken userName is a 409 even beside a bad phone number); detail names them all."""
    detail = " ".join(
        f"{_attribute(tuple(e.field)) + ': ' if e.field else ''}{e.message}" for e in error.errors
    )
    codes = {e.code for e in error.errors}
    if any(e.code == ErrorCode.NOT_FOUND and e.field == ("id",) for e in error.errors):
        return ScimError(404, detail)
    if ErrorCode.CHANGED_SINCE_READ in codes:
        return ScimError(412, detail)
    if ErrorCode.TAKEN in codes:
        return ScimError(409, detail, "uniqueness")
    if ErrorCode.SEAT_LIMIT_REACHED in codes:
        return ScimError(403, detail)
    if codes & _CONFLICTS:
        return ScimError(409, detail)
    return ScimError(400, detail, "invalidValue")
