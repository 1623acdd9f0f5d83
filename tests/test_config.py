import pytest
from cryptography.fernet import Fernet

from backend.config import Settings, SettingsError, load_settings


def test_defaults_are_the_embedded_development_setup() -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite://var/staff.sqlite3"
    assert settings.uses_dev_mailbox
    assert settings.public_base_url == "http://127.0.0.1:8000"
    assert settings.session_idle.total_seconds() == 30 * 60
    assert settings.session_absolute.total_seconds() == 12 * 3600
    assert settings.access_token_valid_for.total_seconds() == 15 * 60
    assert settings.activation_valid_for.total_seconds() == 72 * 3600
    assert not settings.cookie_secure
    assert not settings.trusted_documents_only


def test_environment_is_read_once_into_typed_values() -> None:
    settings = load_settings(
        {
            "APP_ENV": "production",
            "DATABASE_URL": "postgres://app@db/staff",
            "MAIL_FROM": "Staff <staff@example.com>",
            "SMTP_HOST": "mail.example.com",
            "SMTP_PORT": "587",
            "SMTP_STARTTLS": "true",
            "PUBLIC_BASE_URL": "https://staff.example.com/",
            "SESSION_IDLE_MINUTES": "15",
            "ACCESS_TOKEN_MINUTES": "5",
            "TWO_FACTOR_KEY": "q5jX1ZsQ0F8c1Vn2sQ9Zq7sXk8bYv3mJp0Wc4Rt6Uy8=",
            "TRUSTED_DOCUMENTS_ONLY": "on",
            "PERSISTED_QUERIES_MAX": "500",
        }
    )
    assert (settings.smtp_port, settings.smtp_starttls) == (587, True)
    assert (settings.trusted_documents_only, settings.persisted_queries_max) == (True, 500)
    assert settings.public_base_url == "https://staff.example.com"
    assert settings.cookie_secure and not settings.uses_dev_mailbox
    assert settings.session_idle.total_seconds() == 15 * 60
    assert settings.access_token_valid_for.total_seconds() == 5 * 60


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"APP_ENV": "production", "PUBLIC_BASE_URL": "https://x.example"}, "SMTP_HOST"),
        ({"APP_ENV": "production", "PUBLIC_BASE_URL": "http://staff.example.com"}, "https://"),
        ({"SMTP_PORT": "twenty-five"}, "SMTP_PORT"),
        ({"SMTP_STARTTLS": "maybe"}, "SMTP_STARTTLS must be a boolean"),
        ({"MIGRATE_ON_START": "x"}, r"MIGRATE_ON_START must be a boolean .*got 'x'"),
        ({"SMTP_TIMEOUT_SECONDS": "soon"}, "SMTP_TIMEOUT_SECONDS must be a number"),
        ({"SMTP_TIMEOUT_SECONDS": "90"}, "SMTP_TIMEOUT_SECONDS must be more than 0"),
        ({"MAIL_RETRY_BASE_SECONDS": "0"}, "MAIL_RETRY_BASE_SECONDS must be positive"),
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"PASSWORD_HASH_PROFILE": "fast"}, "APP_ENV=test"),
        ({"SESSION_IDLE_MINUTES": "0"}, "positive"),
        ({"ACCESS_TOKEN_MINUTES": "0"}, "ACCESS_TOKEN_MINUTES must be positive"),
        ({"ACCESS_TOKEN_MINUTES": "soon"}, "ACCESS_TOKEN_MINUTES must be an integer"),
        ({"TRUSTED_DOCUMENTS_ONLY": "sometimes"}, "TRUSTED_DOCUMENTS_ONLY must be a boolean"),
        ({"PERSISTED_QUERIES_MAX": "0"}, "PERSISTED_QUERIES_MAX must be positive"),
    ],
)
def test_unsafe_or_malformed_settings_are_refused(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(environ)


def test_smtp_password_is_not_in_the_settings_repr() -> None:
    assert "hunter2-secret" not in repr(Settings(smtp_password="hunter2-secret"))


KEY_1 = "q5jX1ZsQ0F8c1Vn2sQ9Zq7sXk8bYv3mJp0Wc4Rt6Uy8="
KEY_2 = "A" * 43 + "="
KEY_3 = "B" * 43 + "="
PRODUCTION = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgres://staff@db:5432/staff",
    "MAIL_FROM": "Staff Accounts <no-reply@staff.example.com>",
    "SMTP_HOST": "mail.example.com",
    "PUBLIC_BASE_URL": "https://staff.example.com",
}


def test_secret_keys_are_read_newest_first() -> None:
    settings = load_settings({"SECRET_KEYS": f" {KEY_1} , {KEY_2}"})
    assert settings.effective_secret_keys == (KEY_1, KEY_2)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"TWO_FACTOR_KEY": KEY_3}, (KEY_3,)),  # the older name alone: the whole set
        ({"SECRET_KEYS": f"{KEY_1},{KEY_2}", "TWO_FACTOR_KEY": KEY_3}, (KEY_1, KEY_2, KEY_3)),
        ({"SECRET_KEYS": f"{KEY_1},{KEY_3}", "TWO_FACTOR_KEY": KEY_3}, (KEY_1, KEY_3)),
    ],
)
def test_two_factor_key_is_an_alias_and_then_the_oldest_key(
    environ: dict[str, str], expected: tuple[str, ...]
) -> None:
    assert load_settings({**PRODUCTION, **environ}).effective_secret_keys == expected


def test_without_keys_development_and_test_use_a_fixed_key_production_refuses() -> None:
    (development_key,) = load_settings({}).effective_secret_keys
    Fernet(development_key.encode())  # a valid key, the same in every process
    assert load_settings({"APP_ENV": "test"}).effective_secret_keys == (development_key,)
    with pytest.raises(SettingsError, match="SECRET_KEYS is required in production"):
        load_settings(PRODUCTION)
    with pytest.raises(SettingsError, match="SECRET_KEYS"):
        _ = Settings(environment="production").effective_secret_keys


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (f"{KEY_1},not-a-key", "SECRET_KEYS: key 2 must be a Fernet key"),
        (f"{KEY_1},,{KEY_2}", "SECRET_KEYS: key 2 is empty"),
        (f",{KEY_1}", "SECRET_KEYS: key 1 is empty"),
        (f"{KEY_1},{KEY_2},{KEY_1}", "SECRET_KEYS: key 3 repeats an earlier key"),
        ("QUFBQQ==", "SECRET_KEYS: key 1 must be a Fernet key"),  # base64, but 4 bytes
    ],
)
def test_malformed_secret_keys_are_refused_by_position(value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as raised:
        load_settings({"SECRET_KEYS": value})
    assert KEY_1 not in str(raised.value) and KEY_2 not in str(raised.value)


def test_a_malformed_two_factor_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(SettingsError, match="TWO_FACTOR_KEY must be a Fernet key") as raised:
        load_settings({"TWO_FACTOR_KEY": "hunter2-not-a-key"})
    assert "hunter2" not in str(raised.value)


def test_keys_are_not_in_the_settings_repr() -> None:
    settings = load_settings({"SECRET_KEYS": f"{KEY_1},{KEY_2}", "TWO_FACTOR_KEY": KEY_3})
    assert not any(key in repr(settings) for key in (KEY_1, KEY_2, KEY_3))


def test_production_reports_every_unsafe_default_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"APP_ENV": "production", "PUBLIC_BASE_URL": "http://staff.example.com"})
    problems = raised.value.problems
    named = ["SMTP_HOST", "PUBLIC_BASE_URL", "DATABASE_URL", "MAIL_FROM", "SECRET_KEYS"]
    assert len(problems) == len(named), problems
    for name, problem in zip(named, problems, strict=True):
        assert problem.startswith(name), problem
    assert str(raised.value) == "\n".join(problems)


def test_production_is_accepted_with_every_setting_made() -> None:
    settings = load_settings({**PRODUCTION, "SECRET_KEYS": KEY_1})
    assert settings.environment == "production" and settings.cookie_secure


@pytest.mark.parametrize(
    ("environ", "refused"),
    [
        ({"DATABASE_URL": "sqlite:///srv/staff.sqlite3"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:///srv/s.sqlite3", "ALLOW_SQLITE_IN_PRODUCTION": "yes"}, None),
        ({"MAIL_FROM": "Staff Accounts <no-reply@staff.localhost>"}, "MAIL_FROM"),
        ({"MAIL_FROM": "ops@localhost"}, "MAIL_FROM"),
        ({"MAIL_FROM": "ops@mylocalhost.example"}, None),
        # The compose demo: production on one machine, over plain http on the loopback.
        ({"PUBLIC_BASE_URL": "http://localhost:8000"}, None),
        ({"PUBLIC_BASE_URL": "http://127.0.0.1:8000"}, None),
        ({"PUBLIC_BASE_URL": "http://[::1]:8000"}, None),
        ({"PUBLIC_BASE_URL": "http://10.0.0.5:8000"}, "PUBLIC_BASE_URL"),
        # Unset: no loopback default in production, where links must reach people.
        ({"PUBLIC_BASE_URL": ""}, "PUBLIC_BASE_URL"),
    ],
)
def test_production_refuses_development_defaults(
    environ: dict[str, str], refused: str | None
) -> None:
    environ = {**PRODUCTION, "SECRET_KEYS": KEY_1, **environ}
    if refused is None:
        settings = load_settings(environ)
        assert settings.cookie_secure == settings.public_base_url.startswith("https://")
        return
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    (problem,) = raised.value.problems
    assert problem.startswith(refused), problem


@pytest.mark.parametrize("url", ["mysql://root:hunter2@db/staff", "staff.sqlite3"])
def test_an_unsupported_database_url_names_the_variable_and_the_schemes(url: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"DATABASE_URL": url})
    (problem,) = raised.value.problems
    assert problem.startswith("DATABASE_URL must start with one of sqlite://, postgres://")
    assert "hunter2" not in problem


def test_smtp_timeout_and_retry_base_are_read() -> None:
    settings = load_settings({"SMTP_TIMEOUT_SECONDS": "2.5", "MAIL_RETRY_BASE_SECONDS": "0.5"})
    assert (settings.smtp_timeout_seconds, settings.mail_retry_base_seconds) == (2.5, 0.5)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("0.0.0.0", "http://127.0.0.1:8080"),
        ("::", "http://localhost:8080"),
        ("192.168.1.20", "http://192.168.1.20:8080"),
        ("::1", "http://[::1]:8080"),
    ],
)
def test_the_default_public_base_url_is_one_a_browser_can_open(host: str, expected: str) -> None:
    settings = load_settings({"HOST": host, "PORT": "8080"})
    assert settings.public_base_url == expected
    assert settings.host == host
