"""rotate-keys: after a new key is put first, nothing needs the old one but what cannot
be re-encrypted without its owner (PINs), and that is counted."""

from dataclasses import replace

import pytest
from cryptography.fernet import Fernet

from backend.config import Settings
from backend.mail.body_crypto import decrypt_body
from backend.mail.outbox import enqueue_email, supersede_queued
from backend.mail.render import RenderedEmail
from backend.models import OutboxMessage, OutboxStatus, Plan, Practice, StaffMember
from backend.services import key_rotation, keys
from backend.services.key_rotation import PinKeyUse, rotate_keys
from backend.services.pin_hash import hash_pin, verify_pin
from backend.services.secrets import hash_secret
from backend.services.totp_crypto import decrypt_secret, encrypt_secret
from tests import secret_watch
from tests.mail.factories import make_staff

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
BEFORE = Settings(environment="test", password_hash_profile="fast", secret_keys=(OLD,))
AFTER = replace(BEFORE, secret_keys=(NEW, OLD))
NEW_ONLY = replace(BEFORE, secret_keys=(NEW,))
SECRETS = [f"JBSWY3DPEHPK3PX{letter}" for letter in "ABCD"]
PIN = "0736"
secret_watch.remember_pin(PIN)


def email(token: str) -> RenderedEmail:
    return RenderedEmail(
        subject="Activate", text=f"https://x.test/activate#token={token}", html=f"<p>{token}</p>"
    )


@pytest.fixture
async def practice(db: str) -> Practice:
    return await Practice.create(name="Riverside Family Practice", plan=Plan.INVOICED)


async def test_totp_secrets_and_queued_emails_move_to_the_newest_key(practice: Practice) -> None:
    staff = await make_staff(practice, 5)
    tokens = [
        encrypt_secret(SECRETS[0], BEFORE),  # under the old key's subkey
        Fernet(OLD.encode()).encrypt(SECRETS[1].encode()).decode(),  # raw TWO_FACTOR_KEY era
        encrypt_secret(SECRETS[2], AFTER),  # already under the newest key
        encrypt_secret(SECRETS[3], replace(BEFORE, secret_keys=(Fernet.generate_key().decode(),))),
    ]
    for member, token in zip(staff, tokens, strict=False):
        await StaffMember.filter(id=member.id).update(totp_secret_encrypted=token)
    queued = await enqueue_email(
        kind="activation",
        practice_id=practice.id,
        staff_id=staff[0].id,
        recipient="a@example.com",
        email=email("tok-queued"),
        settings=BEFORE,
    )
    # Queued in plain text before bodies were encrypted: encrypted now.
    plain = await OutboxMessage.create(
        kind="activation",
        practice_id=practice.id,
        recipient="b@example.com",
        subject="Activate",
        body_text="https://x.test/activate#token=tok-plain",
        body_html=None,
        next_attempt_at=queued.next_attempt_at,
    )
    superseded = await enqueue_email(
        kind="activation",
        practice_id=practice.id,
        staff_id=staff[1].id,
        recipient="c@example.com",
        email=email("tok-gone"),
        settings=BEFORE,
    )
    await supersede_queued(staff_id=staff[1].id, kind="activation")
    lost = await enqueue_email(
        kind="activation",
        practice_id=practice.id,
        staff_id=staff[2].id,
        recipient="d@example.com",
        email=email("tok-lost"),
        settings=replace(BEFORE, secret_keys=(Fernet.generate_key().decode(),)),
    )

    report = await rotate_keys(settings=AFTER)

    assert (report.totp_rotated, report.totp_unreadable) == (3, 1)
    assert (report.emails_rotated, report.emails_unreadable) == (2, 1)
    rows = {m.id: m.totp_secret_encrypted for m in await StaffMember.all()}
    for member, secret in zip(staff, SECRETS[:3], strict=False):
        assert decrypt_secret(rows[member.id] or "", NEW_ONLY) == secret
    assert rows[staff[3].id] == tokens[3]  # unreadable: left for an administrator's reset
    assert rows[staff[4].id] is None
    for message_id, token in ((queued.id, "tok-queued"), (plain.id, "tok-plain")):
        row = await OutboxMessage.get(id=message_id)
        assert row.body_text is not None and token not in row.body_text
        assert token in (decrypt_body(row.body_text, NEW_ONLY) or "")
    assert decrypt_body((await OutboxMessage.get(id=queued.id)).body_html, NEW_ONLY)
    # The message rendered when queued is re-encrypted too: the sender sends it as it is.
    rendered = (await OutboxMessage.get(id=queued.id)).mime
    assert rendered is not None and "tok-queued" not in rendered
    assert "tok-queued" in (decrypt_body(rendered, NEW_ONLY) or "")
    assert (await OutboxMessage.get(id=lost.id)).body_text == lost.body_text  # left as it was
    gone = await OutboxMessage.get(id=superseded.id)
    assert (gone.status, gone.body_text) == (OutboxStatus.SUPERSEDED, None)


async def test_pages_cover_every_row(practice: Practice, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(key_rotation, "BATCH_SIZE", 2)
    staff = await make_staff(practice, 5)
    for member in staff:
        await StaffMember.filter(id=member.id).update(
            totp_secret_encrypted=encrypt_secret(SECRETS[0], BEFORE)
        )

    assert (await rotate_keys(settings=AFTER)).totp_rotated == 5
    for member in await StaffMember.all():
        assert decrypt_secret(member.totp_secret_encrypted or "", NEW_ONLY) == SECRETS[0]


async def test_pin_hashes_are_counted_per_key(practice: Practice) -> None:
    newest, older, argon2, unusable = await make_staff(practice, 4)
    await StaffMember.filter(id=newest.id).update(pin_hash=hash_pin(PIN, AFTER))
    await StaffMember.filter(id=older.id).update(pin_hash=hash_pin(PIN, BEFORE))
    await StaffMember.filter(id=argon2.id).update(pin_hash=await hash_secret(PIN, BEFORE))
    dropped = replace(BEFORE, secret_keys=(Fernet.generate_key().decode(),))
    await StaffMember.filter(id=unusable.id).update(pin_hash=hash_pin(PIN, dropped))
    new_id, old_id = keys.key_ids(AFTER)

    report = await rotate_keys(settings=AFTER)

    assert report.pins_by_key == (
        PinKeyUse(position=1, key_id=new_id, count=1),
        PinKeyUse(position=2, key_id=old_id, count=1),
    )
    assert report.older_keys_in_use == (PinKeyUse(position=2, key_id=old_id, count=1),)
    assert (report.pins_argon2, report.pins_unusable) == (1, 1)
    # The PIN hashes themselves are untouched: only their owners' unlocks re-store them.
    stored = await StaffMember.get(id=older.id)
    assert stored.pin_hash is not None
    assert (await verify_pin(stored.pin_hash, PIN, AFTER)).needs_rehash

    settled = await rotate_keys(settings=NEW_ONLY)
    assert settled.older_keys_in_use == ()
    assert settled.pins_unusable == 2  # the old key's PIN, once it is dropped


async def test_webhook_signing_secrets_move_to_the_newest_key(practice: Practice) -> None:
    from backend.models import WebhookEndpoint
    from backend.webhooks import signing

    current, previous = signing.new_secret(), signing.new_secret()
    secret_watch.remember(current, previous)
    rotated_out = await WebhookEndpoint.create(
        practice_id=practice.id,
        url="https://hooks.example/a",
        secret_encrypted=signing.seal(current, BEFORE),
        previous_secret_encrypted=signing.seal(previous, BEFORE),
    )
    lost = await WebhookEndpoint.create(
        practice_id=practice.id,
        url="https://hooks.example/b",
        secret_encrypted=signing.seal(current, replace(BEFORE, secret_keys=(NEW,))),
    )
    lost_token = lost.secret_encrypted
    unknown_key = replace(BEFORE, secret_keys=(Fernet.generate_key().decode(),))
    gone = await WebhookEndpoint.create(
        practice_id=practice.id,
        url="https://hooks.example/c",
        secret_encrypted=signing.seal(current, unknown_key),
    )

    report = await rotate_keys(settings=AFTER)

    # The second endpoint is already under the newest key: re-sealed all the same.
    assert (report.webhook_secrets_rotated, report.webhook_secrets_unreadable) == (3, 1)
    stored = await WebhookEndpoint.get(id=rotated_out.id)
    assert signing.unseal(stored.secret_encrypted, NEW_ONLY) == current
    assert signing.unseal(stored.previous_secret_encrypted or "", NEW_ONLY) == previous
    assert (await WebhookEndpoint.get(id=lost.id)).secret_encrypted != lost_token
    with pytest.raises(signing.UnreadableSecretError):
        signing.unseal((await WebhookEndpoint.get(id=gone.id)).secret_encrypted, AFTER)
