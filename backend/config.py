"""One typed settings object, read once from the environment and passed in."""

import base64
import binascii
import hashlib
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal, cast
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "sqlite://var/staff.sqlite3"
DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "asyncpg")
# Addresses a server listens on that nobody can open in a browser: the default
# PUBLIC_BASE_URL (the start of every activation link) names the loopback instead.
_WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "localhost", "": "127.0.0.1"}

HashProfile = Literal["standard", "fast"]
LogFormat = Literal["json", "text"]


class SettingsError(ValueError):
    """Settings that are missing, malformed or unsafe for the environment: every problem
    found, each naming its variable, one a line."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(
        f"{name} must be a boolean (true/false, 1/0, yes/no, on/off), got {value!r}"
    )


def _float(name: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {value!r}") from None


def _int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {value!r}") from None


@dataclass(frozen=True, kw_only=True)
class Settings:
    environment: str = "development"
    database_url: str = DEFAULT_DATABASE_URL
    public_base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    # Mail: when smtp_host is empty in development, an embedded mailbox is used.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Staff Accounts <no-reply@staff.localhost>"
    mail_max_attempts: int = 8
    mail_retry_base_seconds: float = 5.0
    run_outbox_sender: bool = True
    mail_poll_seconds: float = 1.0
    dev_mailbox_port: int = 0
    # Production refuses SQLite (one file, one machine: no separate worker, no second
    # app process) unless this says it is meant.
    allow_sqlite_in_production: bool = False
    # Sessions and activation.
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    # The mobile app's short-lived access tokens (backend/services/session_tokens.py).
    access_token_minutes: int = 15
    activation_valid_hours: int = 72
    # Account self-service links (backend/services/account_tokens.py) and the limits of
    # forgot-password requests per account and per client address, per rolling hour.
    password_reset_valid_hours: int = 1
    email_change_valid_hours: int = 24
    password_reset_limit_per_hour: int = 3
    password_reset_ip_limit_per_hour: int = 20
    cookie_secure: bool = False
    migrate_on_start: bool = True
    password_hash_profile: HashProfile = "standard"
    # GraphQL over HTTP hardening.
    max_request_bytes: int = 100_000
    graphql_timeout_seconds: float = 10.0
    graphql_max_cost: int = 1000
    # Planned execution of queries over the staff types (backend/planner/): the same
    # answers as graphql-core's executor, which it falls back to, without its per-field
    # completion. Off only to compare or to rule it out.
    graphql_planner: bool = True
    # Trusted documents (backend/api/documents.py): when on, a person signed in with the
    # session cookie may run only the SPA's documents and registered ones; bearer sessions
    # and API clients are not restricted. Meant for production; off by default.
    trusted_documents_only: bool = False
    # Automatic Persisted Queries kept in the database (the least recently used pruned).
    persisted_queries_max: int = 10_000
    # Password hashing threads (see backend/services/hashing.py): per machine, shared by
    # the WEB_CONCURRENCY processes; HASH_QUEUE anonymous jobs may wait beyond them.
    hash_workers: int = field(default_factory=lambda: max(1, (os.cpu_count() or 2) - 1))
    hash_queue: int = 4
    web_concurrency: int = 1
    # Clients behind these proxies are known by X-Forwarded-For (uvicorn's setting).
    forwarded_allow_ips: str = "127.0.0.1"
    # Brute-force limits (see backend/services/throttle.py). With these, locking an
    # account takes at least about 7 hours of attempts (throttle.minimum_time_to_lock).
    login_delay_after: int = 5
    login_max_delay_seconds: int = 300
    login_lock_after: int = 100
    login_ip_limit: int = 100
    login_ip_window_minutes: int = 15
    resend_limit_per_hour: int = 5
    # The key set (Fernet-format keys, newest first) from which backend/services/keys.py
    # derives a subkey per purpose. Required in production; see effective_secret_keys.
    secret_keys: tuple[str, ...] = field(default=(), repr=False)
    # The older name of a single key: still accepted, as the oldest key of the set.
    two_factor_key: str = field(default="", repr=False)
    # Operations (backend/http/metrics.py): the bearer token /metrics asks for (in
    # production /metrics is off without one), and the worker's own metrics port (0: none).
    metrics_token: str = field(default="", repr=False)
    worker_metrics_port: int = 0
    # Processes: logs and retention (backend/logs.py, backend/services/retention.py).
    log_format: LogFormat = "text"
    # How long rows that only grow are kept; the worker prunes them every
    # retention_interval_minutes. Audit events: six years, as HIPAA keeps security records.
    retain_throttle_hours: int = 168
    retain_sessions_days: int = 30
    retain_sent_email_days: int = 30
    retain_audit_days: int = 2190
    retention_interval_minutes: int = 60
    # API clients (backend/services/api_clients.py): a rotated-out secret keeps working for
    # the overlap; a client unused for the idle period expires; each client's requests are
    # limited by a token bucket of `burst` requests refilled at `rate` a second.
    api_client_rotation_overlap_hours: int = 24
    api_client_idle_days: int = 90
    api_client_rate_per_second: float = 10.0
    api_client_rate_burst: int = 100
    # Webhooks (backend/webhooks/): endpoints that resolve to loopback, private,
    # link-local or metadata addresses, and plain http, are refused unless allowed; None
    # allows them everywhere but in production. Delivery logs are kept this many days.
    webhook_allow_private_targets: bool | None = None
    retain_webhook_deliveries_days: int = 30

    @property
    def allows_private_webhook_targets(self) -> bool:
        if self.webhook_allow_private_targets is not None:
            return self.webhook_allow_private_targets
        return self.environment != "production"

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def uses_dev_mailbox(self) -> bool:
        return self.is_development and not self.smtp_host

    @property
    def serves_https(self) -> bool:
        return self.public_base_url.startswith("https://")

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def session_absolute(self) -> timedelta:
        return timedelta(hours=self.session_absolute_hours)

    @property
    def access_token_valid_for(self) -> timedelta:
        return timedelta(minutes=self.access_token_minutes)

    @property
    def activation_valid_for(self) -> timedelta:
        return timedelta(hours=self.activation_valid_hours)

    @property
    def password_reset_valid_for(self) -> timedelta:
        return timedelta(hours=self.password_reset_valid_hours)

    @property
    def email_change_valid_for(self) -> timedelta:
        return timedelta(hours=self.email_change_valid_hours)

    @property
    def api_client_rotation_overlap(self) -> timedelta:
        return timedelta(hours=self.api_client_rotation_overlap_hours)

    @property
    def api_client_idle(self) -> timedelta:
        return timedelta(days=self.api_client_idle_days)

    @property
    def effective_secret_keys(self) -> tuple[str, ...]:
        """The key set, newest first: SECRET_KEYS, then TWO_FACTOR_KEY (its older name) as
        the oldest key; with neither, outside production, a fixed development key."""
        configured = self.secret_keys
        if self.two_factor_key and self.two_factor_key not in configured:
            configured = (*configured, self.two_factor_key)
        if configured:
            return configured
        if self.environment == "production":
            raise SettingsError(_KEYS_REQUIRED)
        # The development key of the TWO_FACTOR_KEY era, so that local enrolments survive.
        digest = hashlib.sha256(b"staff-accounts development two-factor key").digest()
        return (base64.urlsafe_b64encode(digest).decode(),)

    def check(self) -> None:
        """Raises one SettingsError listing every problem found."""
        problems = [*self._value_problems(), *self._production_problems(), *self._key_problems()]
        if problems:
            raise SettingsError(*problems)

    def _value_problems(self) -> list[str]:
        problems: list[str] = []
        if self.environment not in {"development", "production", "test"}:
            problems.append("APP_ENV must be development, production or test")
        scheme = self.database_url.partition("://")[0] if "://" in self.database_url else ""
        if scheme not in DATABASE_SCHEMES:
            # The scheme only: the rest of the URL may hold a password.
            supported = ", ".join(f"{name}://" for name in DATABASE_SCHEMES)
            problems.append(
                f"DATABASE_URL must start with one of {supported} (got {scheme or 'no'} scheme)"
            )
        if self.session_idle_minutes < 1 or self.session_absolute_hours < 1:
            problems.append("SESSION_IDLE_MINUTES and SESSION_ABSOLUTE_HOURS must be positive")
        if self.access_token_minutes < 1:
            problems.append("ACCESS_TOKEN_MINUTES must be positive")
        if self.password_hash_profile not in ("standard", "fast"):
            problems.append("PASSWORD_HASH_PROFILE must be standard or fast")
        if self.password_hash_profile == "fast" and self.environment != "test":
            problems.append("PASSWORD_HASH_PROFILE=fast is only allowed when APP_ENV=test")
        if self.activation_valid_hours < 1:
            problems.append("ACTIVATION_VALID_HOURS must be positive")
        if self.max_request_bytes < 1:
            problems.append("MAX_REQUEST_BYTES must be positive")
        if self.graphql_timeout_seconds <= 0:
            problems.append("GRAPHQL_TIMEOUT_SECONDS must be positive")
        if self.graphql_max_cost < 1:
            problems.append("GRAPHQL_MAX_COST must be positive")
        if self.persisted_queries_max < 1:
            problems.append("PERSISTED_QUERIES_MAX must be positive")
        # The outbox sender leases a message for 60 s and sends only while a whole SMTP
        # timeout of the lease is left (backend/mail/sender.py).
        if not 0 < self.smtp_timeout_seconds <= 30:
            problems.append("SMTP_TIMEOUT_SECONDS must be more than 0 and at most 30")
        if self.mail_retry_base_seconds <= 0:
            problems.append("MAIL_RETRY_BASE_SECONDS must be positive")
        if not 1 <= self.login_lock_after <= 100:
            problems.append("LOGIN_LOCK_AFTER must be between 1 and 100")
        if self.login_delay_after < 1 or self.login_max_delay_seconds < 0:
            problems.append("LOGIN_DELAY_AFTER must be positive")
        if self.login_ip_limit < 1 or self.login_ip_window_minutes < 1:
            problems.append("LOGIN_IP_LIMIT and LOGIN_IP_WINDOW_MINUTES must be positive")
        if self.hash_workers < 1 or self.hash_queue < 0 or self.web_concurrency < 1:
            problems.append(
                "HASH_WORKERS and WEB_CONCURRENCY must be positive, HASH_QUEUE at least 0"
            )
        if self.resend_limit_per_hour < 1:
            problems.append("RESEND_LIMIT_PER_HOUR must be positive")
        if self.password_reset_valid_hours < 1 or self.email_change_valid_hours < 1:
            problems.append(
                "PASSWORD_RESET_VALID_HOURS and EMAIL_CHANGE_VALID_HOURS must be positive"
            )
        if self.password_reset_limit_per_hour < 1 or self.password_reset_ip_limit_per_hour < 1:
            problems.append(
                "PASSWORD_RESET_LIMIT_PER_HOUR and PASSWORD_RESET_IP_LIMIT_PER_HOUR"
                " must be positive"
            )
        if self.api_client_rotation_overlap_hours < 0 or self.api_client_idle_days < 1:
            problems.append(
                "API_CLIENT_ROTATION_OVERLAP_HOURS must be at least 0 and "
                "API_CLIENT_IDLE_DAYS positive"
            )
        if self.api_client_rate_per_second <= 0 or self.api_client_rate_burst < 1:
            problems.append("API_CLIENT_RATE_PER_SECOND and API_CLIENT_RATE_BURST must be positive")
        if self.log_format not in ("json", "text"):
            problems.append("LOG_FORMAT must be json or text")
        periods = (
            self.retain_throttle_hours,
            self.retain_sessions_days,
            self.retain_sent_email_days,
            self.retain_audit_days,
            self.retention_interval_minutes,
        )
        if min(periods) < 1:
            problems.append("RETAIN_* and RETENTION_INTERVAL_MINUTES must be positive")
        return problems

    def _production_problems(self) -> list[str]:
        """The development defaults that must not reach production."""
        if self.environment != "production":
            return []
        problems: list[str] = []
        if not self.smtp_host:
            problems.append("SMTP_HOST is required in production")
        if not (self.serves_https or _is_loopback_http(self.public_base_url)):
            problems.append(
                "PUBLIC_BASE_URL must be https:// in production (plain http only on the"
                " loopback, e.g. http://localhost:8000)"
            )
        is_sqlite = self.database_url.startswith("sqlite://")
        if is_sqlite and not self.allow_sqlite_in_production:
            problems.append(
                "DATABASE_URL is SQLite: production needs PostgreSQL"
                " (or ALLOW_SQLITE_IN_PRODUCTION=true for a single process on one machine)"
            )
        domain = _mail_domain(self.mail_from)
        if domain == "localhost" or domain.endswith(".localhost"):
            problems.append(
                "MAIL_FROM must be an address of your domain in production (a .localhost"
                " sender cannot be replied to and is often refused as spam)"
            )
        if not (self.secret_keys or self.two_factor_key):
            problems.append(_KEYS_REQUIRED)
        return problems

    def _key_problems(self) -> list[str]:
        # Messages name the variable and the entry's position, never the key itself.
        problems: list[str] = []
        for position, key in enumerate(self.secret_keys, start=1):
            if not _is_fernet_key(key):
                problems.append(f"SECRET_KEYS: key {position} {_NOT_A_FERNET_KEY}")
            elif key in self.secret_keys[: position - 1]:
                problems.append(f"SECRET_KEYS: key {position} repeats an earlier key")
        if self.two_factor_key and not _is_fernet_key(self.two_factor_key):
            problems.append(f"TWO_FACTOR_KEY {_NOT_A_FERNET_KEY}")
        return problems


def _is_loopback_http(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _mail_domain(mail_from: str) -> str:
    """The domain of `Name <user@domain>` or `user@domain`, lower case."""
    address = mail_from.rpartition("<")[2].rstrip("> ").strip()
    return address.rpartition("@")[2].lower()


def default_public_base_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches a server listening on host:port."""
    reachable = _WILDCARD_HOSTS.get(host, host)
    if ":" in reachable:  # an IPv6 literal
        reachable = f"[{reachable}]"
    return f"http://{reachable}:{port}"


_NOT_A_FERNET_KEY = "must be a Fernet key (URL-safe base64 of 32 bytes)"
_KEYS_REQUIRED = (
    "SECRET_KEYS is required in production (or TWO_FACTOR_KEY, its older single-key name)"
)


def _is_fernet_key(value: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(value.encode("ascii"))) == 32
    except (binascii.Error, ValueError):
        return False


def _key_list(name: str, value: str) -> tuple[str, ...]:
    """Comma-separated keys, newest first. An empty entry is refused rather than skipped:
    `SECRET_KEYS=$NEW,$OLD` with $NEW unset must not quietly encrypt with the old key."""
    if not value.strip():
        return ()
    keys = tuple(part.strip() for part in value.split(","))
    for position, key in enumerate(keys, start=1):
        if not key:
            raise SettingsError(f"{name}: key {position} is empty (check the commas)")
    return keys


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    get = env.get
    public_base_url = get("PUBLIC_BASE_URL", "").rstrip("/")
    host = get("HOST", "127.0.0.1")
    port = _int("PORT", get("PORT", "8000"))
    environment = get("APP_ENV", "development")
    if not public_base_url and environment != "production":
        # Production names its address; elsewhere links point at this machine.
        public_base_url = default_public_base_url(host, port)
    settings = Settings(
        environment=environment,
        database_url=get("DATABASE_URL", DEFAULT_DATABASE_URL),
        public_base_url=public_base_url,
        host=host,
        port=port,
        smtp_host=get("SMTP_HOST", ""),
        smtp_port=_int("SMTP_PORT", get("SMTP_PORT", "25")),
        smtp_username=get("SMTP_USERNAME", ""),
        smtp_password=get("SMTP_PASSWORD", ""),
        smtp_starttls=_bool("SMTP_STARTTLS", get("SMTP_STARTTLS", "false")),
        smtp_timeout_seconds=_float("SMTP_TIMEOUT_SECONDS", get("SMTP_TIMEOUT_SECONDS", "10")),
        mail_from=get("MAIL_FROM", Settings.mail_from),
        mail_max_attempts=_int("MAIL_MAX_ATTEMPTS", get("MAIL_MAX_ATTEMPTS", "8")),
        mail_retry_base_seconds=_float(
            "MAIL_RETRY_BASE_SECONDS", get("MAIL_RETRY_BASE_SECONDS", "5")
        ),
        run_outbox_sender=_bool("RUN_OUTBOX_SENDER", get("RUN_OUTBOX_SENDER", "true")),
        mail_poll_seconds=_float("MAIL_POLL_SECONDS", get("MAIL_POLL_SECONDS", "1.0")),
        dev_mailbox_port=_int("DEV_MAILBOX_PORT", get("DEV_MAILBOX_PORT", "0")),
        allow_sqlite_in_production=_bool(
            "ALLOW_SQLITE_IN_PRODUCTION", get("ALLOW_SQLITE_IN_PRODUCTION", "false")
        ),
        session_idle_minutes=_int("SESSION_IDLE_MINUTES", get("SESSION_IDLE_MINUTES", "30")),
        session_absolute_hours=_int("SESSION_ABSOLUTE_HOURS", get("SESSION_ABSOLUTE_HOURS", "12")),
        access_token_minutes=_int("ACCESS_TOKEN_MINUTES", get("ACCESS_TOKEN_MINUTES", "15")),
        activation_valid_hours=_int("ACTIVATION_VALID_HOURS", get("ACTIVATION_VALID_HOURS", "72")),
        cookie_secure=public_base_url.startswith("https://"),
        migrate_on_start=_bool("MIGRATE_ON_START", get("MIGRATE_ON_START", "true")),
        password_hash_profile=cast(HashProfile, get("PASSWORD_HASH_PROFILE", "standard")),
        max_request_bytes=_int("MAX_REQUEST_BYTES", get("MAX_REQUEST_BYTES", "100000")),
        graphql_timeout_seconds=_float(
            "GRAPHQL_TIMEOUT_SECONDS", get("GRAPHQL_TIMEOUT_SECONDS", "10")
        ),
        graphql_max_cost=_int("GRAPHQL_MAX_COST", get("GRAPHQL_MAX_COST", "1000")),
        graphql_planner=_bool("GRAPHQL_PLANNER", get("GRAPHQL_PLANNER", "true")),
        trusted_documents_only=_bool(
            "TRUSTED_DOCUMENTS_ONLY", get("TRUSTED_DOCUMENTS_ONLY", "false")
        ),
        persisted_queries_max=_int("PERSISTED_QUERIES_MAX", get("PERSISTED_QUERIES_MAX", "10000")),
        hash_workers=_int("HASH_WORKERS", get("HASH_WORKERS", str(Settings().hash_workers))),
        hash_queue=_int("HASH_QUEUE", get("HASH_QUEUE", "4")),
        web_concurrency=_int("WEB_CONCURRENCY", get("WEB_CONCURRENCY", "1")),
        forwarded_allow_ips=get("FORWARDED_ALLOW_IPS", "127.0.0.1").strip(),
        login_delay_after=_int("LOGIN_DELAY_AFTER", get("LOGIN_DELAY_AFTER", "5")),
        login_max_delay_seconds=_int(
            "LOGIN_MAX_DELAY_SECONDS", get("LOGIN_MAX_DELAY_SECONDS", "300")
        ),
        login_lock_after=_int("LOGIN_LOCK_AFTER", get("LOGIN_LOCK_AFTER", "100")),
        login_ip_limit=_int("LOGIN_IP_LIMIT", get("LOGIN_IP_LIMIT", "100")),
        login_ip_window_minutes=_int(
            "LOGIN_IP_WINDOW_MINUTES", get("LOGIN_IP_WINDOW_MINUTES", "15")
        ),
        resend_limit_per_hour=_int("RESEND_LIMIT_PER_HOUR", get("RESEND_LIMIT_PER_HOUR", "5")),
        password_reset_valid_hours=_int(
            "PASSWORD_RESET_VALID_HOURS", get("PASSWORD_RESET_VALID_HOURS", "1")
        ),
        email_change_valid_hours=_int(
            "EMAIL_CHANGE_VALID_HOURS", get("EMAIL_CHANGE_VALID_HOURS", "24")
        ),
        password_reset_limit_per_hour=_int(
            "PASSWORD_RESET_LIMIT_PER_HOUR", get("PASSWORD_RESET_LIMIT_PER_HOUR", "3")
        ),
        password_reset_ip_limit_per_hour=_int(
            "PASSWORD_RESET_IP_LIMIT_PER_HOUR", get("PASSWORD_RESET_IP_LIMIT_PER_HOUR", "20")
        ),
        secret_keys=_key_list("SECRET_KEYS", get("SECRET_KEYS", "")),
        two_factor_key=get("TWO_FACTOR_KEY", "").strip(),
        # Operations.
        metrics_token=get("METRICS_TOKEN", "").strip(),
        worker_metrics_port=_int("WORKER_METRICS_PORT", get("WORKER_METRICS_PORT", "0")),
        # Processes: logs and retention.
        log_format=cast(
            LogFormat,
            get("LOG_FORMAT", "json" if get("APP_ENV") == "production" else "text").strip(),
        ),
        retain_throttle_hours=_int("RETAIN_THROTTLE_HOURS", get("RETAIN_THROTTLE_HOURS", "168")),
        retain_sessions_days=_int("RETAIN_SESSIONS_DAYS", get("RETAIN_SESSIONS_DAYS", "30")),
        retain_sent_email_days=_int("RETAIN_SENT_EMAIL_DAYS", get("RETAIN_SENT_EMAIL_DAYS", "30")),
        retain_audit_days=_int("RETAIN_AUDIT_DAYS", get("RETAIN_AUDIT_DAYS", "2190")),
        retention_interval_minutes=_int(
            "RETENTION_INTERVAL_MINUTES", get("RETENTION_INTERVAL_MINUTES", "60")
        ),
        # API clients.
        api_client_rotation_overlap_hours=_int(
            "API_CLIENT_ROTATION_OVERLAP_HOURS", get("API_CLIENT_ROTATION_OVERLAP_HOURS", "24")
        ),
        api_client_idle_days=_int("API_CLIENT_IDLE_DAYS", get("API_CLIENT_IDLE_DAYS", "90")),
        api_client_rate_per_second=_float(
            "API_CLIENT_RATE_PER_SECOND", get("API_CLIENT_RATE_PER_SECOND", "10")
        ),
        api_client_rate_burst=_int("API_CLIENT_RATE_BURST", get("API_CLIENT_RATE_BURST", "100")),
        # Webhooks.
        webhook_allow_private_targets=(
            _bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", raw)
            if (raw := get("WEBHOOK_ALLOW_PRIVATE_TARGETS", "").strip())
            else None
        ),
        retain_webhook_deliveries_days=_int(
            "RETAIN_WEBHOOK_DELIVERIES_DAYS", get("RETAIN_WEBHOOK_DELIVERIES_DAYS", "30")
        ),
    )
    settings.check()
    return settings
