"""A staff member activates their account from the emailed link."""

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.models import ActivationToken, StaffMember, StaffStatus
from backend.services import audit, hashing, throttle, two_factor, validation
from backend.services.errors import DomainError, ErrorCode, ErrorCollector
from backend.services.pin_hash import hash_pin
from backend.services.plans import lock_practice
from backend.services.secrets import hash_secret, token_digest, verify_secret
from backend.services.sessions import IssuedSession, start_session
from backend.services.viewer import AuthMethod, RequestMeta
from backend.webhooks import events as webhook_events
from backend.webhooks.payloads import Actor, EventType

_LINK_UNUSABLE = (
    "This activation link is invalid, already used or expired. Ask your administrator to resend it."
)


@dataclass(frozen=True)
class ActivationForm:
    """The activation form: the link's token, the credentials the administrator gave, and
    the person's own new password. A person provisioned over SCIM was given no password
    and no PIN: they leave the given password out and choose their PIN here too."""

    token: str
    username: str
    password: str | None
    new_password: str
    new_password_confirmation: str
    new_pin: str | None = None


@dataclass(frozen=True)
class ActivationLinkForm:
    """What the activation form asks for on a usable link: `chooses_secrets` when the
    person was given no password and no PIN (provisioned over SCIM) and chooses both."""

    expires_at: datetime
    chooses_secrets: bool


async def link_form(token: str) -> ActivationLinkForm | None:
    """The form a usable link leads to, or None for an invalid, used or expired link.
    Read only: opening the link counts no attempt and uses nothing. A link token is 256
    random bits, so answering whether one is usable tells a guesser nothing."""
    try:
        link = await _usable_link(token)
    except DomainError:
        return None
    staff = await StaffMember.get_or_none(id=link.staff_id, status=StaffStatus.PENDING)
    if staff is None:
        return None
    return ActivationLinkForm(
        expires_at=link.expires_at, chooses_secrets=staff.password_hash is None
    )


async def activate_account(
    *, form: ActivationForm, settings: Settings, meta: RequestMeta
) -> tuple[StaffMember, IssuedSession]:
    """Check the link and the credentials the administrator gave, set the person's own
    password and make the account active. Only the first of concurrent redemptions wins.
    The given password is a guess like a sign-in's: counted first, against the account."""
    async with hashing.anonymous_work(settings) as lane:
        return await _activate(form, settings, meta, lane)


async def _activate(
    form: ActivationForm, settings: Settings, meta: RequestMeta, lane: hashing.Lane
) -> tuple[StaffMember, IssuedSession]:
    token, username, password = form.token, form.username, form.password
    new_password, new_password_confirmation = form.new_password, form.new_password_confirmation
    link = await _usable_link(token)
    staff = await StaffMember.get(id=link.staff_id)
    try:
        attempt = await throttle.reserve(
            throttle.keys_for(staff.username_key, meta, settings), settings, datetime.now(UTC)
        )
    except DomainError:
        # Refused while concurrent redemptions of this link were counted: if one of them
        # used it meanwhile, the link is what failed.
        await _usable_link(token)
        raise
    same_name = validation.username_key((username or "").strip()) == staff.username_key
    # Provisioned without secrets (SCIM): the emailed link and the username are all the
    # person was given, so they are the proof; nothing else to check.
    provisioned = staff.password_hash is None
    if provisioned:
        matched = True
    else:
        matched = await verify_secret(staff.password_hash, password or "", settings, lane=lane)
    if not (same_name and matched):
        await attempt.failed(staff=staff, meta=meta)
        # A concurrent redemption may have used the link (and replaced the password)
        # meanwhile: then the link is what failed, not the person's credentials.
        await _usable_link(token)
        await audit.record(
            action="staff.activate",
            outcome="FAILURE",
            practice_id=staff.practice_id,
            actor_id=None,
            target_id=staff.id,
            meta=meta,
        )
        # A provisioned person gave only a username, so say which one was wrong: the link's
        # holder has the username from the same email, so this reveals nothing.
        message = (
            "This is not the username of this activation link: use the one in your email."
            if provisioned
            else "The username or password is incorrect."
        )
        raise DomainError.single(ErrorCode.INVALID_CREDENTIALS, message)
    await attempt.succeeded()

    errors = ErrorCollector()
    errors.check(
        lambda: validation.check_password(
            new_password,
            confirmation=new_password_confirmation,
            username=staff.username,
            field="newPassword",
            confirmation_field="newPasswordConfirmation",
        )
    )
    if not provisioned and new_password and new_password == password:
        errors.add(
            ErrorCode.PASSWORD_TOO_WEAK,
            "Choose a password of your own, different from the one you were given.",
            "newPassword",
        )
    # Only a person without a PIN chooses one here; the drawer's people keep theirs.
    new_pin = None
    if provisioned:
        new_pin = errors.check(lambda: validation.clean_pin(form.new_pin, field="newAppUnlockPin"))
    errors.raise_if_any()
    new_hash = await hash_secret(new_password, settings, lane=lane)
    secrets: dict[str, str] = {"password_hash": new_hash}
    if new_pin is not None:
        secrets["pin_hash"] = hash_pin(new_pin, settings)

    now = datetime.now(UTC)
    async with in_transaction() as db:
        # Lock order as in the lifecycle (practice, then staff, then links): a concurrent
        # cancel or resend waits for us instead of deadlocking or passing a stale check.
        await lock_practice(staff.practice_id, db)
        consumed = (
            await ActivationToken.filter(
                id=link.id, used_at=None, revoked_at=None, expires_at__gt=now
            )
            .using_db(db)
            .update(used_at=now)
        )
        activated = (
            await StaffMember.filter(id=staff.id, status=StaffStatus.PENDING)
            .using_db(db)
            .update(status=StaffStatus.ACTIVE, activated_at=now, updated_at=now, **secrets)
        )
        if consumed != 1 or activated != 1:
            raise DomainError.single(ErrorCode.TOKEN_INVALID_OR_EXPIRED, _LINK_UNUSABLE, ["token"])
        await audit.record_own(staff, "staff.activate", meta=meta, using_db=db)
        await staff.refresh_from_db(using_db=db)
        await webhook_events.record_staff(
            EventType.STAFF_ACTIVATED, staff, Actor.own(staff, AuthMethod.PASSWORD), using_db=db
        )
        # A manager in a practice that requires two-factor sign-in enrols first.
        must_enroll = await two_factor.enrollment_required(staff, using_db=db)
        issued = await start_session(
            staff,
            settings=settings,
            meta=meta,
            using_db=db,
            two_factor_enrollment_required=must_enroll,
        )
    return staff, issued


async def _usable_link(token: str) -> ActivationToken:
    link = None
    if token and len(token) <= 100:
        link = await ActivationToken.get_or_none(token_hash=token_digest(token))
    now = datetime.now(UTC)
    if link is None or link.used_at or link.revoked_at or link.expires_at <= now:
        raise DomainError.single(ErrorCode.TOKEN_INVALID_OR_EXPIRED, _LINK_UNUSABLE, ["token"])
    return link
