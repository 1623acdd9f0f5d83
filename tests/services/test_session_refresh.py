"""Refresh-token retries across a key rotation: a successor pair is derived with the
newest key of SECRET_KEYS, and a retry finds it with any key still in the set."""

from cryptography.fernet import Fernet

from backend.config import Settings
from backend.models import Plan, Session, StaffMember
from backend.services import session_refresh
from backend.services.bootstrap import NewPractice, create_practice
from backend.services.errors import DomainError, ErrorCode
from backend.services.sessions import resolve_session, start_session
from backend.services.viewer import RequestMeta
from tests.pins import OWNER_PIN

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
BEFORE = Settings(environment="test", password_hash_profile="fast", secret_keys=(OLD_KEY,))
DURING = Settings(environment="test", password_hash_profile="fast", secret_keys=(NEW_KEY, OLD_KEY))
AFTER = Settings(environment="test", password_hash_profile="fast", secret_keys=(NEW_KEY,))
META = RequestMeta()


async def _owner() -> StaffMember:
    _, owner = await create_practice(
        NewPractice(
            name="Riverside Clinic",
            plan=Plan.INVOICED,
            provider_first_name="Hannah",
            provider_last_name="Provider",
            office_names=["Main Office"],
            owner_first_name="Olivia",
            owner_last_name="Owner",
            owner_username="owner",
            owner_email="owner@example.com",
            owner_password="Harbor-Lantern-4417",
            owner_pin=OWNER_PIN,
        ),
        settings=BEFORE,
    )
    return owner


async def _refresh(token: str, settings: Settings) -> session_refresh.Refreshed:
    return await session_refresh.refresh(refresh_token=token, settings=settings, meta=META)


async def test_a_retry_after_a_key_rotation_gets_the_same_pair(db: str) -> None:
    issued = await start_session(await _owner(), settings=BEFORE, meta=META, bearer=True)
    assert issued.tokens is not None
    sent = issued.tokens.refresh_token
    first = await _refresh(sent, BEFORE)
    # The new key comes first; the old one, which derived the pair, is still listed.
    assert (await _refresh(sent, DURING)).tokens == first.tokens


async def test_a_retry_whose_key_was_dropped_is_refused_without_ending_the_family(
    db: str,
) -> None:
    issued = await start_session(await _owner(), settings=BEFORE, meta=META, bearer=True)
    assert issued.tokens is not None
    sent = issued.tokens.refresh_token
    first = await _refresh(sent, BEFORE)
    try:
        await _refresh(sent, AFTER)
    except DomainError as refused:
        assert [e.code for e in refused.errors] == [ErrorCode.REFRESH_TOKEN_INVALID]
    else:
        raise AssertionError("the retry was answered")
    assert (await Session.get(id=issued.session.id)).revoked_at is None
    assert await resolve_session(first.tokens.access_token, settings=AFTER, meta=META)
    # The family goes on with the current refresh token, under the new key.
    assert (await _refresh(first.tokens.refresh_token, AFTER)).tokens.access_token
