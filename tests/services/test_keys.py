"""One key set, a subkey per purpose: the newest key encrypts, every key decrypts."""

import base64
import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet, InvalidToken

from backend.config import Settings
from backend.services import keys

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def key_set(*secret_keys: str) -> Settings:
    return Settings(environment="test", secret_keys=secret_keys)


def test_the_newest_key_encrypts_and_every_key_decrypts() -> None:
    before, after = key_set(OLD), key_set(NEW, OLD)
    old_token = keys.fernet(before, "outbox").encrypt(b"queued")
    new_token = keys.fernet(after, "outbox").encrypt(b"queued")

    assert keys.fernet(after, "outbox").decrypt(old_token) == b"queued"
    assert keys.fernet(key_set(NEW), "outbox").decrypt(new_token) == b"queued"
    with pytest.raises(InvalidToken):  # made with the new key: the old set cannot read it
        keys.fernet(before, "outbox").decrypt(new_token)


def test_each_purpose_has_its_own_subkey_and_none_is_the_raw_key() -> None:
    settings = key_set(NEW)
    token = keys.fernet(settings, "totp").encrypt(b"secret")

    with pytest.raises(InvalidToken):
        keys.fernet(settings, "outbox").decrypt(token)
    with pytest.raises(InvalidToken):
        Fernet(NEW.encode()).decrypt(token)
    subkeys = {keys.hmac_keys(settings, purpose)[0][1] for purpose in ("pin", "throttle")}
    assert len(subkeys) == 2
    assert base64.urlsafe_b64decode(NEW) not in subkeys


def test_hmac_keys_are_newest_first_with_short_stable_ids() -> None:
    settings = key_set(NEW, OLD)

    (new_id, new_key), (old_id, old_key) = keys.hmac_keys(settings, "pin")

    assert new_id != old_id and len(new_id) == keys.KEY_ID_LENGTH
    assert all(c in "0123456789abcdef" for c in new_id)
    assert len(new_key) == len(old_key) == 32
    # The same key has the same id in any set and for any purpose; the id is no key part.
    assert keys.hmac_keys(key_set(OLD), "throttle")[0][0] == old_id
    assert keys.key_ids(settings) == (new_id, old_id)
    assert new_id not in NEW and new_id not in base64.urlsafe_b64decode(NEW).hex()


def test_keyed_digest_uses_the_newest_subkey_of_its_purpose() -> None:
    settings = key_set(NEW, OLD)
    (_, newest), _ = keys.hmac_keys(settings, "throttle")

    digest = keys.keyed_digest(settings, "throttle", "user:ada")

    assert digest == hmac.new(newest, b"user:ada", hashlib.sha256).hexdigest()
    assert digest != hashlib.sha256(b"user:ada").hexdigest()
    assert digest != keys.keyed_digest(settings, "pin", "user:ada")
    assert digest != keys.keyed_digest(key_set(OLD), "throttle", "user:ada")
    assert digest == keys.keyed_digest(key_set(NEW), "throttle", "user:ada")


def test_derivations_are_cached() -> None:
    settings = key_set(NEW, OLD)

    assert keys.fernet(settings, "totp") is keys.fernet(key_set(NEW, OLD), "totp")
    assert keys.hmac_keys(settings, "pin") is keys.hmac_keys(key_set(NEW, OLD), "pin")
