"""Tortoise configuration, shared by the app lifespan, the CLI and `tortoise` migrations."""

import os
from typing import Any

from tortoise.backends.base.config_generator import expand_db_url

from backend.config import DEFAULT_DATABASE_URL

MODELS_MODULE = "backend.models"
MIGRATIONS_MODULE = "backend.migrations"


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def is_postgres(database_url: str) -> bool:
    return database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def _connection(database_url: str) -> str | dict[str, Any]:
    if not is_postgres(database_url):
        _ensure_sqlite_folder(database_url)
        return database_url
    url = database_url.replace("postgresql://", "postgres://", 1)
    url = url.replace("asyncpg://", "postgres://", 1)
    connection = expand_db_url(url)
    # Cached prepared statements may switch to a generic plan that ignores the
    # trigram index (seconds instead of milliseconds for short search terms).
    connection["credentials"]["server_settings"] = {"plan_cache_mode": "force_custom_plan"}
    return connection


def _ensure_sqlite_folder(database_url: str) -> None:
    path = database_url.removeprefix("sqlite://")
    folder = os.path.dirname(path)
    if path != ":memory:" and folder:
        os.makedirs(folder, exist_ok=True)


# Read by `tortoise makemigrations` / `tortoise migrate` (see [tool.tortoise] in pyproject).
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
