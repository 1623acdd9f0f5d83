"""Tortoise models, one module per aggregate. Tortoise discovers them here."""
# Model docstrings become SQL table comments: Tortoise splits migration SQL on ";",
# so keep them free of semicolons.

from backend.models.account_token import AccountToken, AccountTokenPurpose
from backend.models.activation import ActivationToken
from backend.models.api_client import ApiClient, ApiClientSecret
from backend.models.audit import AuditEvent
from backend.models.idempotency import IdempotencyKey
from backend.models.login_throttle import LoginThrottle
from backend.models.outbox import OutboxMessage, OutboxStatus
from backend.models.persisted_query import PersistedQuery
from backend.models.practice import Office, Plan, Practice, Provider
from backend.models.registered_document import RegisteredDocument
from backend.models.reset_request import PasswordResetRequest
from backend.models.role import Permission, Role
from backend.models.scim_defaults import ScimDefaults
from backend.models.session import Session
from backend.models.session_token import SessionToken
from backend.models.staff import CareTeamIdType, StaffMember, StaffStatus
from backend.models.two_factor import TwoFactorRecoveryCode
from backend.models.webhook import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "AccountToken",
    "AccountTokenPurpose",
    "ActivationToken",
    "ApiClient",
    "ApiClientSecret",
    "AuditEvent",
    "CareTeamIdType",
    "DeliveryStatus",
    "IdempotencyKey",
    "LoginThrottle",
    "Office",
    "OutboxMessage",
    "OutboxStatus",
    "PasswordResetRequest",
    "Permission",
    "PersistedQuery",
    "Plan",
    "Practice",
    "Provider",
    "RegisteredDocument",
    "Role",
    "ScimDefaults",
    "Session",
    "SessionToken",
    "StaffMember",
    "StaffStatus",
    "TwoFactorRecoveryCode",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
