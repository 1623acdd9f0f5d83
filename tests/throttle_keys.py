"""The sign-in throttle's row keys as the tests' settings compute them (a keyed hash of the
username, with the fixed key of APP_ENV=test)."""

from backend.config import Settings
from backend.services.login_locks import account_key


def user_key(username: str) -> str:
    return account_key(username, Settings(environment="test"))
