"""The database and its schema: create or drop it, apply the project's migrations, read the
loaded tables' columns and secondary indexes."""

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]

from bench.data.fixture import database_name
from bench.data.progress import GenerateError, Progress
from bench.data.spec import (
    LINK_COLUMNS,
    MIGRATIONS_DIR,
    OFFICE_COLUMNS,
    PRACTICE_COLUMNS,
    PROVIDER_COLUMNS,
    REBUILT_TABLES,
    ROLE_COLUMNS,
    STAFF_COLUMNS,
)


# ------------------------------------------------------------------------ database
def _admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _admin_execute(url: str, sql: str) -> None:
    connection = await asyncpg.connect(_admin_url(url))
    try:
        await connection.execute(sql)
    except asyncpg.ObjectInUseError:
        users = await connection.fetch(
            "SELECT pid, application_name, client_addr::text FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database_name(url),
        )
        raise GenerateError(
            f"database {database_name(url)!r} is in use by {len(users)} other session(s) "
            f"({[dict(user) for user in users]}); close them and run again"
        ) from None
    finally:
        await connection.close()


async def drop_database(url: str, log: Progress) -> None:
    await _admin_execute(url, f"DROP DATABASE IF EXISTS {_ident(database_name(url))}")
    log(f"dropped database {database_name(url)!r}")


async def create_database(url: str, log: Progress) -> None:
    await _admin_execute(url, f"CREATE DATABASE {_ident(database_name(url))}")
    log(f"created database {database_name(url)!r}")


def migration_files() -> list[str]:
    return sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.py"))


async def applied_migrations(connection: Any) -> list[str]:
    if not await connection.fetchval("SELECT to_regclass('tortoise_migrations') IS NOT NULL"):
        return []
    rows = await connection.fetch(
        "SELECT name FROM tortoise_migrations WHERE app = 'models' ORDER BY name"
    )
    return [row["name"] for row in rows]


async def apply_migrations(database_url: str, log: Progress) -> None:
    """The project's own migrations, exactly as `staff-accounts migrate` applies them."""
    from backend.db import apply_migrations as apply

    await apply(database_url)
    log("applied the project's migrations (backend.db.apply_migrations)")


@dataclass(frozen=True)
class Columns:
    """What one table is loaded with: the generated columns, then columns that later
    migrations added (NOT NULL, no database default), filled with the model's default."""

    table: str
    generated: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [*self.generated, *self.defaults]

    def rows(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        if not self.defaults:
            return rows
        extra = tuple(self.defaults.values())
        return [row + extra for row in rows]


GENERATED_COLUMNS = {
    "practice": PRACTICE_COLUMNS,
    "role": ROLE_COLUMNS,
    "provider": PROVIDER_COLUMNS,
    "office": OFFICE_COLUMNS,
    "staff_member": STAFF_COLUMNS,
    "staff_member_office": LINK_COLUMNS,
}
TABLE_MODELS = {
    "practice": "Practice",
    "role": "Role",
    "provider": "Provider",
    "office": "Office",
    "staff_member": "StaffMember",
}


async def table_columns(connection: Any, table: str) -> Columns:
    """Fails when a generated column is gone, or a required one has no model default."""
    rows = await connection.fetch(
        "SELECT column_name, is_nullable, column_default FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = $1",
        table,
    )
    generated = GENERATED_COLUMNS[table]
    gone = sorted(set(generated) - {row["column_name"] for row in rows})
    if gone:
        raise GenerateError(f"{table} has no columns {gone} any more: update bench/data/spec.py")
    defaults = {
        row["column_name"]: model_default(table, row["column_name"])
        for row in rows
        if row["is_nullable"] == "NO"
        and row["column_default"] is None
        and row["column_name"] not in generated
    }
    return Columns(table, generated, defaults)


def model_default(table: str, column: str) -> Any:
    """The default the app's model gives `column` (Tortoise defaults live in Python, not
    in the database), as a value for COPY."""
    from enum import Enum

    from backend import models

    model = getattr(models, TABLE_MODELS.get(table, ""), None)
    meta: Any = getattr(model, "_meta", None)
    projection: dict[str, str] = meta.fields_db_projection if meta is not None else {}
    for name, db_column in projection.items():
        if db_column != column:
            continue
        default = meta.fields_map[name].default
        value = default() if callable(default) else default
        if callable(default) and not isinstance(value, list | dict):
            value = None  # a per-row default (a uuid4, a clock): cannot be shared
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, list | dict):
            value = json.dumps(value)
        if value is not None:
            return value
    raise GenerateError(
        f"{table}.{column} is required and has no usable model default: generate it in "
        "bench/data/spec.py (and bump SPEC_VERSION)"
    )


@dataclass(frozen=True)
class IndexDefinition:
    table: str
    name: str
    indexdef: str
    constraint: str | None  # e.g. "UNIQUE (email)" when the index backs a constraint

    def drop_sql(self) -> str:
        if self.constraint:
            return f"ALTER TABLE {_ident(self.table)} DROP CONSTRAINT {_ident(self.name)}"
        return f"DROP INDEX {_ident(self.name)}"

    def create_sql(self) -> str:
        if self.constraint:
            return (
                f"ALTER TABLE {_ident(self.table)} ADD CONSTRAINT {_ident(self.name)} "
                f"{self.constraint}"
            )
        return self.indexdef


async def secondary_indexes(connection: Any) -> list[IndexDefinition]:
    rows = await connection.fetch(
        """
        SELECT t.relname AS table_name, i.relname AS index_name,
               pg_get_indexdef(i.oid) AS indexdef,
               pg_get_constraintdef(c.oid) AS constraintdef
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        LEFT JOIN pg_constraint c
               ON c.conindid = i.oid AND c.conrelid = t.oid AND c.contype IN ('u', 'x')
        WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY($1::text[])
          AND NOT x.indisprimary
        ORDER BY t.relname, i.relname
        """,
        list(REBUILT_TABLES),
    )
    return [
        IndexDefinition(row["table_name"], row["index_name"], row["indexdef"], row["constraintdef"])
        for row in rows
    ]
