"""The app fixtures of tests/api (an app on SQLite and PostgreSQL, a real SMTP server)."""

from tests.api.conftest import admin, anonymous, app, mailbox, practice, settings

__all__ = ["admin", "anonymous", "app", "mailbox", "practice", "settings"]
