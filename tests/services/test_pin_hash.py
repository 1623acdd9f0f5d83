"""The app PIN as a keyed hash: cheap, salted, unsearchable without the server's key."""

import pytest
from cryptography.fernet import Fernet

from backend.config import Settings
from backend.services import keys
from backend.services.pin_hash import SCHEME, PinCheck, hash_pin, verify_pin
from backend.services.secrets import hash_secret
from tests import secret_watch

PIN, OTHER_PIN = "0736", "0629"
secret_watch.remember_pin(PIN, OTHER_PIN)
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
SETTINGS = Settings(environment="test", password_hash_profile="fast", secret_keys=(NEW, OLD))


def test_the_stored_form_names_the_scheme_and_key_and_never_holds_the_pin() -> None:
    stored = hash_pin(PIN, SETTINGS)

    scheme, key_id, salt, digest = stored.split("$")
    assert (scheme, key_id) == (SCHEME, keys.key_ids(SETTINGS)[0])
    assert len(salt) == 22 and len(digest) == 43  # 16 and 32 bytes, unpadded base64
    assert PIN not in stored
    assert hash_pin(PIN, SETTINGS) != stored  # a fresh salt every time
    assert len(stored) <= 200  # StaffMember.pin_hash


async def test_the_right_pin_matches_and_a_wrong_one_does_not() -> None:
    stored = hash_pin(PIN, SETTINGS)

    assert await verify_pin(stored, PIN, SETTINGS) == PinCheck(matched=True, needs_rehash=False)
    assert await verify_pin(stored, OTHER_PIN, SETTINGS) == PinCheck(matched=False)
    assert await verify_pin(stored, "", SETTINGS) == PinCheck(matched=False)


async def test_without_the_key_the_hash_cannot_be_checked() -> None:
    stored = hash_pin(PIN, SETTINGS)
    elsewhere = Settings(environment="test", secret_keys=(Fernet.generate_key().decode(),))

    assert await verify_pin(stored, PIN, elsewhere) == PinCheck(matched=False)


async def test_an_older_key_still_verifies_and_asks_for_a_rehash() -> None:
    stored = hash_pin(PIN, Settings(environment="test", secret_keys=(OLD,)))

    assert await verify_pin(stored, PIN, SETTINGS) == PinCheck(matched=True, needs_rehash=True)
    assert await verify_pin(stored, OTHER_PIN, SETTINGS) == PinCheck(matched=False)


async def test_an_argon2_hash_from_before_still_verifies_and_asks_for_a_rehash() -> None:
    legacy = await hash_secret(PIN, SETTINGS)
    assert legacy.startswith("$argon2")

    assert await verify_pin(legacy, PIN, SETTINGS) == PinCheck(matched=True, needs_rehash=True)
    assert await verify_pin(legacy, OTHER_PIN, SETTINGS) == PinCheck(matched=False)


@pytest.mark.parametrize(
    "stored",
    ["", "not-a-hash", f"{SCHEME}$abc$def", f"{SCHEME}$nokey$AAAA$AAAA", "x$y$z$w"],
)
async def test_anything_else_matches_nothing(stored: str) -> None:
    assert await verify_pin(stored, PIN, SETTINGS) == PinCheck(matched=False)


async def test_a_corrupted_salt_or_digest_matches_nothing() -> None:
    scheme, key_id, _, digest = hash_pin(PIN, SETTINGS).split("$")

    assert not (await verify_pin(f"{scheme}${key_id}$!!$!!", PIN, SETTINGS)).matched
    assert not (await verify_pin(f"{scheme}${key_id}$A$" + digest, PIN, SETTINGS)).matched
