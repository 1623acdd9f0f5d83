"""The mobile app's refresh tokens: a bearer login's access and refresh tokens,
sessionRefresh rotation, reuse ending the family, the retry overlap, and every way a
session ends reaching its tokens at once."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette

from backend.models import AuditEvent, Session, SessionToken, StaffMember, StaffStatus
from backend.services.secrets import token_digest
from tests.api.client import LOGIN, GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD
from tests.api.documents import DEACTIVATE, VIEWER
from tests.api.staff_factory import STAFF_PASSWORD, create_staff
from tests.api.test_two_factor import DISABLE, RESET, enroll, later_code
from tests.pins import OWNER_PIN

ERRORS = "userErrors { field code message }"
DEADLINES = "session { id current idleExpiresAt absoluteExpiresAt }"
MOBILE_LOGIN = f"""
mutation($input: LoginInput!) {{
  login(input: $input) {{
    token accessToken accessTokenExpiresAt refreshToken expiresAt {ERRORS}
  }}
}}
"""
REFRESH = f"""
mutation($input: SessionRefreshInput!) {{
  sessionRefresh(input: $input) {{
    accessToken accessTokenExpiresAt refreshToken {DEADLINES} {ERRORS}
  }}
}}
"""
VIEWER_SESSION = f"query {{ viewer {{ account {{ username }} {DEADLINES} sessions {{ id }} }} }}"
SIGN_OUT = f"""
mutation($input: StaffAccessInput!) {{ staffSignOutEverywhere(input: $input) {{ {ERRORS} }} }}
"""
SESSION_REVOKE = f"""
mutation($input: SessionRevokeInput!) {{ sessionRevoke(input: $input) {{ ok {ERRORS} }} }}
"""
PASSWORD_CHANGE = f"""
mutation($input: PasswordChangeInput!) {{ passwordChange(input: $input) {{ {ERRORS} }} }}
"""
UNLOCK = f"mutation($input: AppUnlockInput!) {{ appUnlock(input: $input) {{ ok {ERRORS} }} }}"
NEW_PASSWORD = "Lantern-Quarry-8163"


class MobileApp:
    """A client that signs in as the mobile app does and sends its access token."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.api = GraphQLClient(http)
        self.login_answer: dict[str, Any] = {}
        self.refresh_token = ""

    async def sign_in(self, username: str, password: str) -> dict[str, Any]:
        payload = await self.api.mutate(
            MOBILE_LOGIN, {"username": username, "password": password, "session": "BEARER"}
        )
        assert payload["userErrors"] == [], payload["userErrors"]
        self.login_answer = payload
        self.api.token = payload["accessToken"]
        self.refresh_token = payload["refreshToken"]
        return payload

    async def refresh(self, refresh_token: str | None = None) -> dict[str, Any]:
        """sessionRefresh; on success the client uses the new pair."""
        sent = self.refresh_token if refresh_token is None else refresh_token
        payload = await self.api.mutate(REFRESH, {"refreshToken": sent})
        if not payload["userErrors"]:
            self.api.token = payload["accessToken"]
            self.refresh_token = payload["refreshToken"]
        return payload

    async def viewer(self, token: str | None = None) -> Any:
        """viewer with the given bearer token (default: the current access token)."""
        saved = self.api.token
        self.api.token = token or saved
        try:
            return (await self.api.data(VIEWER_SESSION))["viewer"]
        finally:
            self.api.token = saved


def http_for(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def mobile(app: Starlette, username: str = "owner", password: str = ADMIN_PASSWORD) -> Any:
    client = MobileApp(http_for(app))
    await client.sign_in(username, password)
    return client


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def family_of(client: MobileApp) -> Session:
    return await Session.get(token_hash=token_digest(client.login_answer["token"]))


async def active_nurse(admin: GraphQLClient, app: Starlette) -> tuple[str, MobileApp]:
    staff = await create_staff(admin)
    await StaffMember.filter(username_key="cnurse").update(
        status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC)
    )
    return staff["id"], await mobile(app, "cnurse", STAFF_PASSWORD)


async def test_a_bearer_login_returns_an_access_and_a_refresh_token(
    app: Starlette, practice: Any
) -> None:
    before = datetime.now(UTC)
    client = await mobile(app)
    answer = client.login_answer
    assert answer["token"] and answer["accessToken"] and answer["refreshToken"]
    assert len({answer["token"], answer["accessToken"], answer["refreshToken"]}) == 3
    expires = parse(answer["accessTokenExpiresAt"])
    assert before + timedelta(minutes=15) <= expires <= datetime.now(UTC) + timedelta(minutes=15)
    assert parse(answer["expiresAt"]) > expires

    # Only hashes are stored.
    [pair] = await SessionToken.all().values()
    stored = str(pair) + str(await Session.all().values())
    for secret in (answer["token"], answer["accessToken"], answer["refreshToken"]):
        assert secret not in stored
    assert pair["access_hash"] == token_digest(answer["accessToken"])
    assert pair["refresh_hash"] == token_digest(answer["refreshToken"])


async def test_a_cookie_login_gets_no_tokens(app: Starlette, practice: Any) -> None:
    async with http_for(app) as http:
        http.headers.update({"x-requested-with": "staff-accounts"})
        payload = await GraphQLClient(http).mutate(
            MOBILE_LOGIN, {"username": "owner", "password": ADMIN_PASSWORD}
        )
    assert payload["userErrors"] == []
    assert (payload["token"], payload["accessToken"], payload["refreshToken"]) == (None,) * 3
    assert payload["accessTokenExpiresAt"] is None
    assert await SessionToken.all().count() == 0


async def test_the_access_token_and_the_deprecated_token_both_sign_requests(
    app: Starlette, practice: Any
) -> None:
    client = await mobile(app)
    viewer = await client.viewer()
    assert viewer["account"]["username"] == "owner"
    session = viewer["session"]
    assert session["current"] is True
    assert parse(session["absoluteExpiresAt"]) == parse(client.login_answer["expiresAt"])
    idle = parse(session["idleExpiresAt"]) - datetime.now(UTC)
    assert timedelta(minutes=29) < idle <= timedelta(minutes=30)
    # What shipped apps do: the old token, unchanged.
    assert (await client.viewer(client.login_answer["token"]))["account"]["username"] == "owner"
    # A refresh token is no access token.
    assert await client.viewer(client.refresh_token) is None


async def test_refresh_rotates_both_tokens_and_stops_the_old_access_token(
    app: Starlette, practice: Any
) -> None:
    client = await mobile(app)
    first_access, first_refresh = client.api.token, client.refresh_token
    refreshed = await client.refresh()
    assert refreshed["userErrors"] == []
    assert refreshed["accessToken"] not in (first_access, first_refresh)
    assert refreshed["refreshToken"] not in (first_access, first_refresh)
    assert refreshed["session"]["current"] is True
    assert (await client.viewer())["account"]["username"] == "owner"
    # The pair it replaced is done with: its access token stops at once.
    assert await client.viewer(first_access) is None
    # Still one session (the family) in the person's list, whatever the refreshes.
    await client.refresh()
    viewer = await client.viewer()
    assert len(viewer["sessions"]) == 1
    assert viewer["sessions"][0]["id"] == viewer["session"]["id"]
    assert await SessionToken.all().count() == 3


async def test_a_replayed_refresh_token_ends_the_family(app: Starlette, practice: Any) -> None:
    client = await mobile(app)
    stolen = client.refresh_token
    assert (await client.refresh())["userErrors"] == []
    # Beyond the 30-second overlap, the old refresh token comes back (a thief's copy).
    await SessionToken.filter(generation=0).update(
        rotated_at=datetime.now(UTC) - timedelta(seconds=31)
    )
    replay = await client.refresh(stolen)
    assert codes(replay) == ["REFRESH_TOKEN_REUSED"]
    assert replay["userErrors"][0]["field"] == ["input", "refreshToken"]
    assert replay["accessToken"] is None and replay["refreshToken"] is None
    # The whole family ends: the current access token, the current refresh token and the
    # deprecated token alike.
    assert await client.viewer() is None
    assert await client.viewer(client.login_answer["token"]) is None
    assert codes(await client.refresh()) == ["REFRESH_TOKEN_INVALID"]
    assert (await family_of(client)).revoked_at is not None
    [event] = await AuditEvent.filter(action="auth.refresh_reuse")
    owner = await StaffMember.get(username_key="owner")
    assert (event.outcome, event.actor_id, event.target_id) == ("FAILURE", None, str(owner.id))
    # Signing in again works.
    again = await mobile(app)
    assert (await again.viewer())["account"]["username"] == "owner"


async def test_a_retry_within_the_overlap_gets_the_same_pair(app: Starlette, practice: Any) -> None:
    client = await mobile(app)
    sent = client.refresh_token
    first = await client.refresh(sent)
    # The answer was lost on the way: the app sends the same refresh token again.
    retry = await client.refresh(sent)
    assert retry["userErrors"] == []
    assert (retry["accessToken"], retry["refreshToken"]) == (
        first["accessToken"],
        first["refreshToken"],
    )
    assert retry["accessTokenExpiresAt"] == first["accessTokenExpiresAt"]
    assert await SessionToken.all().count() == 2
    assert (await client.viewer())["account"]["username"] == "owner"
    # The pair goes on normally.
    assert (await client.refresh())["userErrors"] == []
    assert (await client.viewer())["account"]["username"] == "owner"


async def test_only_the_immediately_previous_token_is_forgiven(
    app: Starlette, practice: Any
) -> None:
    client = await mobile(app)
    oldest = client.refresh_token
    await client.refresh()
    await client.refresh()  # the successor of `oldest` is used up too
    # Within 30 seconds, but two generations back: a reuse.
    assert codes(await client.refresh(oldest)) == ["REFRESH_TOKEN_REUSED"]
    assert await client.viewer() is None


async def test_a_previous_token_is_a_reuse_once_its_successor_was_used(
    app: Starlette, practice: Any
) -> None:
    client = await mobile(app)
    previous = client.refresh_token
    await client.refresh()
    current = client.refresh_token
    await client.refresh()
    # `current` is now the immediately previous token: forgiven within the overlap...
    retry = await client.refresh(current)
    assert retry["userErrors"] == [] and retry["refreshToken"] == client.refresh_token
    # ...but `previous` is not.
    assert codes(await client.refresh(previous)) == ["REFRESH_TOKEN_REUSED"]


async def test_concurrent_refreshes_with_one_token_agree(app: Starlette, practice: Any) -> None:
    """On PostgreSQL these run in parallel on separate connections: exactly one rotates,
    the others wait for its commit and get the same pair by the overlap rule."""
    client = await mobile(app)
    token = client.refresh_token
    clients = [MobileApp(http_for(app)) for _ in range(8)]
    answers = await asyncio.gather(*(c.refresh(token) for c in clients))
    assert all(answer["userErrors"] == [] for answer in answers), answers
    assert len({(a["accessToken"], a["refreshToken"]) for a in answers}) == 1
    assert await SessionToken.filter(generation=1).count() == 1
    assert await SessionToken.filter(rotated_at=None).count() == 1
    assert (await clients[0].viewer())["account"]["username"] == "owner"


async def test_concurrent_replays_end_the_family_once(app: Starlette, practice: Any) -> None:
    client = await mobile(app)
    stolen = client.refresh_token
    await client.refresh()
    await SessionToken.filter(generation=0).update(
        rotated_at=datetime.now(UTC) - timedelta(minutes=5)
    )
    clients = [MobileApp(http_for(app)) for _ in range(6)]
    answers = await asyncio.gather(*(c.refresh(stolen) for c in clients))
    assert {tuple(codes(a)) for a in answers} <= {
        ("REFRESH_TOKEN_REUSED",),
        ("REFRESH_TOKEN_INVALID",),  # came after the family had ended
    }
    assert ("REFRESH_TOKEN_REUSED",) in {tuple(codes(a)) for a in answers}
    assert await AuditEvent.filter(action="auth.refresh_reuse").count() == 1
    assert await client.viewer() is None


async def test_a_refresh_token_that_is_not_one_is_refused_and_changes_nothing(
    app: Starlette, practice: Any
) -> None:
    client = await mobile(app)
    family = await family_of(client)
    for wrong in ("", "x", "A" * 43, "A" * 5000, client.api.token, client.login_answer["token"]):
        payload = await client.refresh(wrong)
        assert codes(payload) == ["REFRESH_TOKEN_INVALID"], wrong[:10]
        assert "Sign in again" in payload["userErrors"][0]["message"]
    after = await family_of(client)
    assert (after.revoked_at, after.last_seen_at) == (None, family.last_seen_at)
    assert await SessionToken.filter(rotated_at=None).count() == 1
    assert (await client.refresh())["userErrors"] == []


async def test_deactivation_ends_the_tokens_at_once(admin: GraphQLClient, app: Starlette) -> None:
    staff_id, nurse = await active_nurse(admin, app)
    assert (await nurse.viewer())["account"]["username"] == "cnurse"
    assert (await admin.mutate(DEACTIVATE, {"id": staff_id}))["userErrors"] == []
    assert await nurse.viewer() is None
    assert codes(await nurse.refresh()) == ["REFRESH_TOKEN_INVALID"]


async def test_sign_out_everywhere_ends_the_tokens_at_once(
    admin: GraphQLClient, app: Starlette
) -> None:
    staff_id, nurse = await active_nurse(admin, app)
    second = await mobile(app, "cnurse", STAFF_PASSWORD)
    assert (await admin.mutate(SIGN_OUT, {"id": staff_id}))["userErrors"] == []
    for client in (nurse, second):
        assert await client.viewer() is None
        assert codes(await client.refresh()) == ["REFRESH_TOKEN_INVALID"]


async def test_logout_and_session_revoke_end_a_family(app: Starlette, practice: Any) -> None:
    phone, tablet = await mobile(app), await mobile(app)
    # sessionRevoke from the phone ends the tablet's family.
    tablet_id = (await tablet.viewer())["session"]["id"]
    revoked = await phone.api.mutate(SESSION_REVOKE, {"id": tablet_id})
    assert revoked["ok"] is True
    assert await tablet.viewer() is None
    assert codes(await tablet.refresh()) == ["REFRESH_TOKEN_INVALID"]
    # logout with the access token ends the phone's own family.
    await phone.api.data("mutation { logout(input: {}) { ok } }")
    assert await phone.viewer(phone.login_answer["token"]) is None
    assert codes(await phone.refresh()) == ["REFRESH_TOKEN_INVALID"]


async def test_a_password_change_ends_the_other_families_only(
    admin: GraphQLClient, app: Starlette
) -> None:
    _, nurse = await active_nurse(admin, app)
    other = await mobile(app, "cnurse", STAFF_PASSWORD)
    changed = await nurse.api.mutate(
        PASSWORD_CHANGE,
        {
            "currentPassword": STAFF_PASSWORD,
            "newPassword": NEW_PASSWORD,
            "newPasswordConfirmation": NEW_PASSWORD,
        },
    )
    assert changed["userErrors"] == []
    assert await other.viewer() is None
    assert codes(await other.refresh()) == ["REFRESH_TOKEN_INVALID"]
    # The family that changed it goes on, refresh included.
    assert (await nurse.refresh())["userErrors"] == []
    assert (await nurse.viewer())["account"]["username"] == "cnurse"


async def test_two_factor_changes_end_the_other_families(
    admin: GraphQLClient, app: Starlette
) -> None:
    staff_id, nurse = await active_nurse(admin, app)
    secret, _ = await enroll(nurse.api)  # with the access token
    second = MobileApp(http_for(app))
    signed_in = await second.api.mutate(
        MOBILE_LOGIN,
        {
            "username": "cnurse",
            "password": STAFF_PASSWORD,
            "session": "BEARER",
            "totpCode": later_code(secret),
        },
    )
    assert signed_in["userErrors"] == []
    second.api.token, second.refresh_token = signed_in["accessToken"], signed_in["refreshToken"]
    assert (await second.viewer())["account"]["username"] == "cnurse"

    # Turning it off ends the other family; the one that did it goes on.
    disabled = await nurse.api.mutate(DISABLE, {"currentPassword": STAFF_PASSWORD})
    assert disabled["userErrors"] == []
    assert await second.viewer() is None
    assert codes(await second.refresh()) == ["REFRESH_TOKEN_INVALID"]
    assert (await nurse.refresh())["userErrors"] == []

    # An administrator's reset ends every family of the person.
    await enroll(nurse.api)
    assert (await admin.mutate(RESET, {"id": staff_id}))["userErrors"] == []
    assert await nurse.viewer() is None
    assert codes(await nurse.refresh()) == ["REFRESH_TOKEN_INVALID"]


async def test_an_expired_access_token_is_refreshed(app: Starlette, practice: Any) -> None:
    client = await mobile(app)
    await SessionToken.all().update(access_expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert await client.viewer() is None
    body = await client.api.execute("{ roles { id } }")
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert (await client.refresh())["userErrors"] == []
    assert (await client.viewer())["account"]["username"] == "owner"


async def test_an_idle_family_ends_and_refreshing_restarts_its_idle_timer(
    app: Starlette, practice: Any
) -> None:
    client = await mobile(app)
    now = datetime.now(UTC)
    await Session.all().update(last_seen_at=now - timedelta(minutes=29))
    refreshed = await client.refresh()
    assert refreshed["userErrors"] == []
    assert (await family_of(client)).last_seen_at > now - timedelta(seconds=5)
    idle = parse(refreshed["session"]["idleExpiresAt"]) - now
    assert timedelta(minutes=29, seconds=55) < idle <= timedelta(minutes=30, seconds=5)

    await Session.all().update(last_seen_at=now - timedelta(minutes=31))
    assert await client.viewer() is None
    assert codes(await client.refresh()) == ["REFRESH_TOKEN_INVALID"]


async def test_the_absolute_end_bounds_the_family_and_its_access_tokens(
    app: Starlette, practice: Any
) -> None:
    client = await mobile(app)
    soon = datetime.now(UTC) + timedelta(minutes=5)
    await Session.all().update(expires_at=soon)
    refreshed = await client.refresh()
    # No access token outlives its family, and no refresh moves the family's end.
    assert parse(refreshed["accessTokenExpiresAt"]) == soon
    assert parse(refreshed["session"]["absoluteExpiresAt"]) == soon

    await Session.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert await client.viewer() is None
    assert codes(await client.refresh()) == ["REFRESH_TOKEN_INVALID"]


async def test_app_unlock_works_with_the_access_token_and_restarts_the_idle_timer(
    app: Starlette, practice: Any
) -> None:
    client = await mobile(app)
    before = datetime.now(UTC) - timedelta(seconds=30)
    await Session.all().update(last_seen_at=before)
    unlocked = await client.api.mutate(UNLOCK, {"pin": OWNER_PIN})
    assert unlocked == {"ok": True, "userErrors": []}
    assert (await family_of(client)).last_seen_at > before + timedelta(seconds=25)


async def test_the_login_document_of_shipped_apps_is_unchanged(
    app: Starlette, practice: Any
) -> None:
    async with http_for(app) as http:
        api = GraphQLClient(http)
        payload = await api.mutate(LOGIN, {"username": "owner", "password": ADMIN_PASSWORD})
        api.token = payload["token"]
        assert (await api.data(VIEWER))["viewer"]["account"]["username"] == "owner"
