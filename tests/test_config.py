import pytest

from backend.config import Settings, SettingsError, load_settings


def test_defaults_are_the_embedded_development_setup() -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite://var/staff.sqlite3"
    assert settings.uses_dev_mailbox
    assert settings.public_base_url == "http://127.0.0.1:8000"
    assert settings.session_idle.total_seconds() == 30 * 60
    assert settings.session_absolute.total_seconds() == 12 * 3600
    assert settings.activation_valid_for.total_seconds() == 72 * 3600
    assert not settings.cookie_secure


def test_environment_is_read_once_into_typed_values() -> None:
    settings = load_settings(
        {
            "APP_ENV": "production",
            "DATABASE_URL": "postgres://app@db/staff",
            "SMTP_HOST": "mail.example.com",
            "SMTP_PORT": "587",
            "SMTP_STARTTLS": "true",
            "PUBLIC_BASE_URL": "https://staff.example.com/",
            "SESSION_IDLE_MINUTES": "15",
            "TWO_FACTOR_KEY": "q5jX1ZsQ0F8c1Vn2sQ9Zq7sXk8bYv3mJp0Wc4Rt6Uy8=",
        }
    )
    assert (settings.smtp_port, settings.smtp_starttls) == (587, True)
    assert settings.public_base_url == "https://staff.example.com"
    assert settings.cookie_secure and not settings.uses_dev_mailbox
    assert settings.session_idle.total_seconds() == 15 * 60


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"APP_ENV": "production", "PUBLIC_BASE_URL": "https://x.example"}, "SMTP_HOST"),
        ({"APP_ENV": "production", "SMTP_HOST": "mail"}, "https://"),
        ({"SMTP_PORT": "twenty-five"}, "SMTP_PORT"),
        ({"SMTP_STARTTLS": "maybe"}, "boolean"),
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"PASSWORD_HASH_PROFILE": "fast"}, "APP_ENV=test"),
        ({"SESSION_IDLE_MINUTES": "0"}, "positive"),
    ],
)
def test_unsafe_or_malformed_settings_are_refused(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(environ)


def test_smtp_password_is_not_in_the_settings_repr() -> None:
    assert "hunter2-secret" not in repr(Settings(smtp_password="hunter2-secret"))
