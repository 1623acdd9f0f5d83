"""TOTP secrets under the key set, and those encrypted before it existed."""

from cryptography.fernet import Fernet

from backend.config import Settings
from backend.services.totp_crypto import decrypt_secret, encrypt_secret, rotate_secret

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_a_secret_round_trips_and_is_not_readable_with_the_raw_key() -> None:
    settings = Settings(environment="test", secret_keys=(NEW,))
    token = encrypt_secret(SECRET, settings)

    assert SECRET not in token
    assert decrypt_secret(token, settings) == SECRET
    assert decrypt_secret(token, Settings(environment="test", secret_keys=(OLD,))) is None


def test_a_secret_encrypted_the_old_way_with_two_factor_key_still_decrypts() -> None:
    # Before the key set: Fernet with the raw TWO_FACTOR_KEY, no derivation.
    legacy = Fernet(OLD.encode()).encrypt(SECRET.encode()).decode()

    alias_only = Settings(environment="test", two_factor_key=OLD)
    both = Settings(environment="test", secret_keys=(NEW,), two_factor_key=OLD)
    listed = Settings(environment="test", secret_keys=(NEW, OLD))

    for settings in (alias_only, both, listed):
        assert decrypt_secret(legacy, settings) == SECRET
    assert decrypt_secret(legacy, Settings(environment="test", secret_keys=(NEW,))) is None


def test_a_secret_encrypted_with_an_older_key_of_the_set_still_decrypts() -> None:
    token = encrypt_secret(SECRET, Settings(environment="test", secret_keys=(OLD,)))

    assert decrypt_secret(token, Settings(environment="test", secret_keys=(NEW, OLD))) == SECRET


def test_rotation_re_encrypts_legacy_and_older_key_secrets_with_the_newest_key() -> None:
    rotated_set = Settings(environment="test", secret_keys=(NEW, OLD))
    newest_only = Settings(environment="test", secret_keys=(NEW,))
    legacy = Fernet(OLD.encode()).encrypt(SECRET.encode()).decode()
    older = encrypt_secret(SECRET, Settings(environment="test", secret_keys=(OLD,)))

    for token in (legacy, older):
        rotated = rotate_secret(token, rotated_set)
        assert rotated is not None and rotated != token
        assert decrypt_secret(rotated, newest_only) == SECRET
    assert rotate_secret(older, newest_only) is None  # the old key is gone: unreadable
    assert decrypt_secret("not a token", rotated_set) is None
