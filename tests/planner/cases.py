"""The arguments the differential tests vary: every filter and order of the staff list,
pages after a cursor, and arguments the services refuse (their errors must match too)."""

from typing import Any

from backend.services.staff_order import SortDirection, SortField

CALLERS = [
    "manager",
    "manager_cookie",
    "nurse",
    "other_practice_admin",
    "signed_out",
    "api_client_staff_read",
    "api_client_without_scope",
]

# StaffCountsFilter's conditions; StaffFilter has these and more.
COUNT_FILTERS: list[dict[str, Any]] = [
    {},
    {"search": "nurse"},
    {"search": "NURSE  anna"},
    {"search": "adams zoe"},
    {"search": "éloïse"},
    {"search": "nobody-at-all"},
    {"twoFactorEnabled": True},
    {"twoFactorEnabled": False},
    {"linkExpired": True},
    {"linkExpired": False},
    {"loginLocked": True},
    {"loginLocked": False},
    {"roleId": "not-an-id"},
    {"search": "a", "twoFactorEnabled": True, "loginLocked": False},
]
LIST_FILTERS: list[dict[str, Any]] = [
    *COUNT_FILTERS,
    {"status": "ACTIVE"},
    {"status": "PENDING"},
    {"status": "INACTIVE"},
    {"status": "PENDING", "linkExpired": False},
    {"updatedSince": "2000-01-01T00:00:00Z"},
    {"updatedSince": "2999-01-01T00:00:00Z"},
    # Refused by the service: no time zone.
    {"updatedSince": "2000-01-01T00:00:00"},
]
ORDERS: list[dict[str, Any] | None] = [
    None,
    *(
        {"field": field.value, "direction": direction.value}
        for field in SortField
        for direction in SortDirection
    ),
]
PAGE_SIZES = [25, 3, 0, 100, 1000, -1]


def role_filters(role_ids: list[str]) -> list[dict[str, Any]]:
    return [{"roleId": role_id} for role_id in role_ids]
