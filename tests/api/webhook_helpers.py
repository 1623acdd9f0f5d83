"""Webhook tests' helpers: the app's sender turned off (each test delivers when it chooses,
with its own clock), endpoints, and the payloads' JSON Schemas."""

import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]

from backend.config import Settings
from backend.models import Permission
from backend.services import webhook_endpoints
from backend.services.viewer import Viewer
from backend.webhooks.payloads import EventType
from tests import secret_watch

SCHEMAS = Path(__file__).parents[2] / "docs" / "webhooks"
ALL_STAFF_EVENTS = [t for t in EventType if t.resource_type == "staff"]
ALL_EVENTS = [t for t in EventType if t is not EventType.PING]


def owner_viewer(practice: dict[str, Any]) -> Viewer:
    return Viewer(
        staff_id=practice["owner"].id,
        practice_id=practice["practice"].id,
        permissions=frozenset({Permission.MANAGE_ACCOUNTS.value}),
    )


async def make_endpoint(
    practice: dict[str, Any],
    settings: Settings,
    url: str,
    event_types: list[EventType] | None = None,
) -> webhook_endpoints.IssuedEndpointSecret:
    issued = await webhook_endpoints.create(
        caller=owner_viewer(practice),
        data=webhook_endpoints.EndpointFields(url=url, event_types=event_types or ALL_EVENTS),
        settings=settings,
    )
    secret_watch.remember(issued.secret)
    return issued


def check_schema(payload: dict[str, Any]) -> None:
    name = {"staff": "staff", "role": "role", "endpoint": "ping"}[payload["resource"]["type"]]
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.validate(
        payload, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
