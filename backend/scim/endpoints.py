"""The /scim/v2 routes: authentication (an API client secret with the scim scope, its
rate limit), then one translation per operation, answered as application/scim+json."""

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from tortoise.expressions import Q

from backend.api.ids import to_global_id
from backend.api.view import request_meta
from backend.config import Settings
from backend.models import CareTeamIdType, Office, Provider, Role, StaffMember
from backend.scim import discovery, patch
from backend.scim.errors import MEDIA_TYPE, ScimError, error_response, from_domain
from backend.scim.filters import parse as parse_filter
from backend.scim.projection import project
from backend.scim.schemas import EXTENSION, LIST_RESPONSE, USER
from backend.scim.users import UserInput, to_scim, version
from backend.services import api_client_rate, api_clients, scim_defaults, scim_provisioning
from backend.services.caller import ApiClientCaller, Scope
from backend.services.care_team import CARE_TEAM_ROLES
from backend.services.errors import DomainError, Overloaded, PermissionDenied
from backend.services.staff import provision_staff, update_staff
from backend.services.staff_input import StaffFields
from backend.services.viewer import AuthMethod

Handler = Callable[[Request, ApiClientCaller], Awaitable[Response]]


def scim_routes(settings: Settings) -> list[BaseRoute]:
    base_url = f"{settings.public_base_url.rstrip('/')}/scim/v2"

    def guarded(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                caller = await _authenticate(request, settings)
                return await handler(request, caller)
            except ScimError as error:
                return error_response(error)
            except DomainError as error:
                return error_response(from_domain(error))
            except PermissionDenied as error:
                return error_response(ScimError(403, str(error)))
            except Overloaded as error:
                retry = str(error.retry_after_seconds)
                return error_response(ScimError(429, error.message, **{"retry-after": retry}))

        return endpoint

    def answer(body: Any, status: int = 200, staff: StaffMember | None = None) -> Response:
        headers = {}
        if staff is not None:
            headers["etag"] = version(staff)
            if status == 201:
                headers["location"] = f"{base_url}/Users/{staff.id}"
        return Response(
            orjson.dumps(body), status_code=status, media_type=MEDIA_TYPE, headers=headers
        )

    async def shown(staff_id: UUID) -> StaffMember:
        return await StaffMember.get(id=staff_id).prefetch_related("offices")

    def user_answer(request: Request, staff: StaffMember, status: int = 200) -> Response:
        resource = project(
            to_scim(staff, base_url),
            request.query_params.get("attributes"),
            request.query_params.get("excludedAttributes"),
        )
        return answer(resource, status, staff)

    async def list_users(request: Request, caller: ApiClientCaller) -> Response:
        params = request.query_params
        start = _integer(params.get("startIndex"), "startIndex", default=1)
        count = _integer(params.get("count"), "count", default=discovery.MAX_RESULTS)
        start, count = max(start, 1), min(max(count, 0), discovery.MAX_RESULTS)
        query = StaffMember.filter(practice_id=caller.practice_id, scim_deleted_at=None)
        if params.get("filter"):
            query = query.filter(parse_filter(params["filter"]))
        total = await query.count()
        page = (
            await query.order_by("created_at", "id")
            .offset(start - 1)
            .limit(count)
            .prefetch_related("offices")
            if count
            else []
        )
        resources = [
            project(
                to_scim(staff, base_url),
                params.get("attributes"),
                params.get("excludedAttributes"),
            )
            for staff in page
        ]
        return answer(
            {
                "schemas": [LIST_RESPONSE],
                "totalResults": total,
                "startIndex": start,
                "itemsPerPage": len(resources),
                "Resources": resources,
            }
        )

    async def get_user(request: Request, caller: ApiClientCaller) -> Response:
        staff = await scim_provisioning.scim_staff(caller, _user_id(request))
        return user_answer(request, await shown(staff.id))

    async def create_user(request: Request, caller: ApiClientCaller) -> Response:
        given = UserInput(await _body(request))
        username = given.fields.get("username")
        staff = None
        if username:
            # The same person again after a DELETE: brought back rather than refused.
            staff = await scim_provisioning.restore_deleted(
                caller=caller, username=username, settings=settings
            )
        if staff is not None:
            staff = await update_staff(
                caller=caller, staff_id=staff.id, data=given.replacing(), settings=settings
            )
            if given.has_external_id:
                await scim_provisioning.set_external_id(
                    caller=caller, staff=staff, external_id=given.external_id
                )
        else:
            defaults = await scim_defaults.scim_defaults(caller.practice_id)
            staff = await provision_staff(
                caller=caller,
                data=scim_defaults.with_defaults(given.staff_fields(), defaults),
                external_id=given.external_id,
                settings=settings,
            )
        if given.active is False:
            await scim_provisioning.set_active(
                caller=caller, staff=staff, active=False, settings=settings
            )
        return user_answer(request, await shown(staff.id), 201)

    async def replace_user(request: Request, caller: ApiClientCaller) -> Response:
        staff = await _matching(request, caller)
        given = UserInput(await _body(request))
        await _change(
            caller,
            staff,
            given.replacing(),
            active=given.active,
            external_id=(given.has_external_id, given.external_id),
            matched=_if_match(request),
        )
        return user_answer(request, await shown(staff.id))

    async def patch_user(request: Request, caller: ApiClientCaller) -> Response:
        staff = await _matching(request, caller)
        changes = patch.read(await _body(request))
        await _change(
            caller,
            staff,
            StaffFields(**changes.fields),
            active=changes.active,
            external_id=(changes.external_id_given, changes.external_id),
            matched=_if_match(request),
        )
        return user_answer(request, await shown(staff.id))

    async def _change(
        caller: ApiClientCaller,
        staff: StaffMember,
        data: StaffFields,
        *,
        active: bool | None,
        external_id: tuple[bool, str | None],
        matched: bool,
    ) -> None:
        # Reactivation first and deactivation last, so that an edit of an inactive
        # person being reactivated, or of a person being deactivated, still applies.
        # With If-Match, the edit of the fields is a compare-and-set on the version read,
        # unless our own reactivation moved it first (set_active returns the record it was
        # given when there was nothing to do).
        unchanged_since = staff.updated_at if matched else None
        if active is True:
            reactivated = await scim_provisioning.set_active(
                caller=caller, staff=staff, active=True, settings=settings
            )
            if reactivated is not staff:
                unchanged_since = None
            staff = reactivated
        if data.provided():
            staff = await update_staff(
                caller=caller,
                staff_id=staff.id,
                data=data,
                settings=settings,
                unchanged_since=unchanged_since,
            )
        if external_id[0]:
            await scim_provisioning.set_external_id(
                caller=caller, staff=staff, external_id=external_id[1]
            )
        if active is False:
            await scim_provisioning.set_active(
                caller=caller, staff=staff, active=False, settings=settings
            )

    async def delete_user(request: Request, caller: ApiClientCaller) -> Response:
        staff = await _matching(request, caller)
        await scim_provisioning.scim_delete(caller=caller, staff_id=staff.id, settings=settings)
        return Response(status_code=204)

    async def service_provider_config(request: Request, caller: ApiClientCaller) -> Response:
        return answer(discovery.service_provider_config(base_url))

    async def resource_types(request: Request, caller: ApiClientCaller) -> Response:
        return answer(_listed([discovery.user_resource_type(base_url)]))

    async def resource_type(request: Request, caller: ApiClientCaller) -> Response:
        if request.path_params["name"] != "User":
            raise ScimError(404, "No such resource type.")
        return answer(discovery.user_resource_type(base_url))

    async def all_schemas(request: Request, caller: ApiClientCaller) -> Response:
        return answer(_listed(discovery.schemas(base_url, await _choices(caller))))

    async def one_schema(request: Request, caller: ApiClientCaller) -> Response:
        for schema in discovery.schemas(base_url, await _choices(caller)):
            if schema["id"] == request.path_params["urn"]:
                return answer(schema)
        raise ScimError(404, "No such schema.")

    async def not_here(request: Request, caller: ApiClientCaller) -> Response:
        top = request.path_params["rest"].split("/")[0]
        if top in ("ServiceProviderConfig", "ResourceTypes", "Schemas", "Users"):
            raise ScimError(405, f"{request.method} is not allowed here.")
        raise ScimError(404, "Not an endpoint of this service (no Groups, no Bulk, no Me).")

    return [
        Route("/Users", guarded(list_users), methods=["GET"]),
        Route("/Users", guarded(create_user), methods=["POST"]),
        Route("/Users/{id}", guarded(get_user), methods=["GET"]),
        Route("/Users/{id}", guarded(replace_user), methods=["PUT"]),
        Route("/Users/{id}", guarded(patch_user), methods=["PATCH"]),
        Route("/Users/{id}", guarded(delete_user), methods=["DELETE"]),
        Route("/ServiceProviderConfig", guarded(service_provider_config), methods=["GET"]),
        Route("/ResourceTypes", guarded(resource_types), methods=["GET"]),
        Route("/ResourceTypes/{name}", guarded(resource_type), methods=["GET"]),
        Route("/Schemas", guarded(all_schemas), methods=["GET"]),
        Route("/Schemas/{urn}", guarded(one_schema), methods=["GET"]),
        Route("/{rest:path}", guarded(not_here), methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
    ]


async def _authenticate(request: Request, settings: Settings) -> ApiClientCaller:
    """The API client of the bearer secret, with the scim scope, once it has drawn on its
    rate limit. Over SCIM the scim scope carries the staff reads and writes it needs."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    unauthorized = ScimError(
        401, "Send Authorization: Bearer <API client secret>.", **{"www-authenticate": "Bearer"}
    )
    if scheme.lower() != "bearer" or not secret.strip():
        raise unauthorized
    meta = request_meta(request, AuthMethod.BEARER_SESSION)
    caller = await api_clients.authenticate(secret.strip(), settings=settings, meta=meta)
    if caller is None:
        raise unauthorized
    if Scope.SCIM not in caller.scopes:
        raise ScimError(403, "This API client does not have the scim scope.")
    draw = await api_client_rate.draw(caller.api_client_id, settings)
    if not draw.allowed:
        raise ScimError(
            429,
            f"This API client has used up its rate limit: wait {draw.retry_after_seconds} s.",
            **{"retry-after": str(draw.retry_after_seconds)},
        )
    return dataclasses.replace(caller, scopes=caller.scopes | {Scope.STAFF_READ, Scope.STAFF_WRITE})


async def _choices(caller: ApiClientCaller) -> dict[str, list[str]]:
    """What our extension's reference attributes accept in the caller's practice."""
    practice_id = caller.practice_id
    roles = await Role.filter(Q(practice_id=practice_id) | Q(is_system=True)).values_list(
        "id", flat=True
    )
    providers = await Provider.filter(practice_id=practice_id).values_list("id", flat=True)
    offices = await Office.filter(practice_id=practice_id).values_list("id", flat=True)
    return {
        "roleId": [to_global_id("Role", UUID(str(i))) for i in roles],
        "primaryProviderId": [to_global_id("Provider", UUID(str(i))) for i in providers],
        "officeIds": [to_global_id("Office", UUID(str(i))) for i in offices],
        "careTeamRole": list(CARE_TEAM_ROLES),
        "careTeamIdType": [kind.value for kind in CareTeamIdType],
    }


def _if_match(request: Request) -> bool:
    """True when the request names a version (an If-Match other than `*`)."""
    wanted = request.headers.get("if-match")
    return bool(wanted and wanted.strip() != "*")


async def _matching(request: Request, caller: ApiClientCaller) -> StaffMember:
    """The user of the path, if If-Match (when sent) names its current version."""
    staff = await scim_provisioning.scim_staff(caller, _user_id(request))
    wanted = request.headers.get("if-match")
    if (
        wanted
        and wanted.strip() != "*"
        and version(staff) not in {tag.strip() for tag in wanted.split(",")}
    ):
        raise ScimError(412, "The user has changed since that version. Read it again.")
    return staff


def _user_id(request: Request) -> UUID:
    try:
        return UUID(request.path_params["id"])
    except ValueError:
        raise ScimError(404, "This user does not exist.") from None


async def _body(request: Request) -> Any:
    try:
        return orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise ScimError(400, "The body is not valid JSON.", "invalidSyntax") from None


def _integer(value: str | None, name: str, *, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ScimError(400, f"{name} must be an integer.", "invalidValue") from None


def _listed(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


__all__ = ["EXTENSION", "USER", "scim_routes"]
