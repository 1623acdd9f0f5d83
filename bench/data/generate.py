"""Benchmark data: 2,000 practices and 1,000,000 staff in PostgreSQL.

    .venv/bin/python -m bench.data.generate [--database-url URL] [--force]

Creates the database if it is missing, applies the project's own migrations (the schema
is exactly what they create), then loads rows with COPY (asyncpg
`copy_records_to_table`), never one ORM call per row:

- 2,000 practices: one "large" practice of 50,000 staff (`large.admin`), one "small" of
  500 (`small.admin`), 100 small NON_INVOICED/ASCLEPIUS practices within their 3-seat
  limit, and the rest (INVOICED) sharing the remainder, 1,000,000 staff in all;
- about 80% ACTIVE, 10% PENDING, 10% INACTIVE staff with the three system roles and two
  roles of their practice, a primary provider (about 5 per practice, 200 in the large one)
  and 1 or 2 offices (about 3 per practice, 20 in the large one; `restrict_offices` is
  true for everyone, as the app stores offices only for restricted staff);
- names from a few hundred first and last names (Zipf-weighted, a few accented ones),
  unique usernames (first.last, flast, firstl, first_last, numbered when taken; some
  capitalised) and emails on the practice's domain or a personal one, all under
  example.com/.net/.org;
- every password (and PIN hash) is one argon2id hash of `Bench-Password-2026`, computed
  once with the app's own `hash_secret` in the production profile.

Everything is deterministic (seeded). What was generated is recorded in the
`bench_fixture` table (read it with `bench.data.fixture.load_fixture`); a second run finds it
and returns at once. `--force` drops and recreates the database.

While staff rows are copied, the secondary indexes of `staff_member` and
`staff_member_office` are dropped and afterwards rebuilt from their own catalogue
definitions (checked identical), and foreign-key triggers are skipped for the loading
sessions (`session_replication_role = replica`); the references are then checked with
joins instead. (Loading with the indexes in place, `--keep-indexes`, took 87 s for the
staff instead of 22 s plus 17 s of index builds.) Finally `VACUUM (FREEZE, ANALYZE)` and
a `CHECKPOINT`. Columns that later migrations add (NOT NULL, no database default) get the
model's default. About a minute in all on a 2-core machine.

The steps, one module each in bench/data/: spec.py (sizes, seed, columns), names.py (the
name lists), practices.py and staff.py (the rows), schema.py (database, migrations,
columns, indexes), copy_rows.py (COPY on parallel sessions), integrity.py (the joins that
check references), search_terms.py (B3's terms) and fixture.py (what was generated, read
back by the scenarios); this module runs them in order.
"""

import argparse
import asyncio
import base64
import contextlib
import json
import random
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench.data.copy_rows import _split_work, copy_rows, load_staff, run_parallel
from bench.data.fixture import (
    DEFAULT_DATABASE_URL,
    FIXTURE_TABLE,
    SPEC_VERSION,
    connect_url,
    database_name,
    is_complete,
    read_fixture,
)
from bench.data.integrity import check_integrity
from bench.data.practices import Practice
from bench.data.progress import GenerateError, Progress
from bench.data.schema import (
    _ident,
    applied_migrations,
    apply_migrations,
    create_database,
    drop_database,
    migration_files,
    secondary_indexes,
    table_columns,
)
from bench.data.search_terms import check_terms, choose_practice_terms, practice_texts
from bench.data.spec import (
    ADMIN_ROLE,
    ADMIN_ROLE_ID,
    ANCHOR,
    COPY_CONNECTIONS,
    LARGE_STAFF,
    LOADED_TABLES,
    NURSE_ROLE,
    PASSWORD,
    PRACTICE_COUNT,
    SEAT_LIMITED_PRACTICES,
    SEED,
    SMALL_STAFF,
    STAFF_COUNT,
    STAFF_ROLE,
)
from bench.data.staff import Generator, check_with_app_code


# ---------------------------------------------------------------------- generation
async def practice_summary(connection: Any, practice: Practice) -> dict[str, Any]:
    rows = await connection.fetch(
        "SELECT status, count(*) AS n FROM staff_member WHERE practice_id = $1 GROUP BY status",
        practice.id,
    )
    usernames = await connection.fetch(
        "SELECT username FROM staff_member WHERE practice_id = $1 AND status = 'ACTIVE' "
        "AND NOT two_factor_enabled AND username <> $2 ORDER BY username_key LIMIT 20",
        practice.id,
        practice.admin_username,
    )
    return {
        "practice_id": str(practice.id),
        "name": practice.name,
        "plan": practice.plan,
        "admin_username": practice.admin_username,
        "admin_id": str(practice.admin_id),
        "staff_count": practice.size,
        "status_counts": {row["status"]: row["n"] for row in rows},
        "providers": len(practice.providers),
        "offices": len(practice.offices),
        "email_domain": practice.domain,
        # Active staff without two-factor sign-in (the role varies), for sign-in loads.
        "active_usernames": [row["username"] for row in usernames],
    }


async def generate(database_url: str, log: Progress, *, keep_indexes: bool) -> dict[str, Any]:
    from backend.config import load_settings
    from backend.services.secrets import hash_secret, verify_secret
    from backend.services.totp_crypto import encrypt_secret

    url = connect_url(database_url)
    await apply_migrations(database_url, log)
    connection = await asyncpg.connect(url)
    try:
        columns = {table: await table_columns(connection, table) for table in LOADED_TABLES}
        defaults = {table: c.defaults for table, c in columns.items() if c.defaults}
        if defaults:
            log(f"columns filled with the models' defaults: {defaults}")
        await connection.execute(
            f"CREATE TABLE IF NOT EXISTS {FIXTURE_TABLE} (key text PRIMARY KEY, value jsonb)"
        )
        await connection.execute(f"DELETE FROM {FIXTURE_TABLE}")
        existing = await connection.fetchval("SELECT count(*) FROM staff_member")
        if existing:
            raise GenerateError(f"staff_member already has {existing} rows; use --force")
        roles = {
            row["name"]: row["id"]
            for row in await connection.fetch("SELECT id, name FROM role WHERE is_system")
        }
        if roles.get(ADMIN_ROLE) != ADMIN_ROLE_ID or not {STAFF_ROLE, NURSE_ROLE} <= set(roles):
            raise GenerateError(f"unexpected system roles after migrating: {roles}")

        # One hash for everyone, made by the app in the production profile.
        production = load_settings(
            {
                "APP_ENV": "production",
                "DATABASE_URL": database_url,
                "MAIL_FROM": "Staff Accounts <no-reply@staff.example.org>",
                "SMTP_HOST": "smtp.invalid",
                "PUBLIC_BASE_URL": "https://staff.invalid",
                "TWO_FACTOR_KEY": base64.urlsafe_b64encode(b"\0" * 32).decode(),
            }
        )
        password_hash = await hash_secret(PASSWORD, production)
        if not await verify_secret(password_hash, PASSWORD, production):
            raise GenerateError("the app does not verify the generated password hash")
        log(f"hashed the password once ({production.password_hash_profile} profile, argon2id)")
        # Two-factor staff share one TOTP secret, encrypted with the key the app uses
        # outside production when TWO_FACTOR_KEY is not set.
        rng = random.Random(f"{SEED}:totp")
        totp_secret = base64.b32encode(rng.randbytes(20)).decode()
        totp_encrypted = encrypt_secret(totp_secret, load_settings({}))

        generator = Generator(
            password_hash=password_hash,
            totp_secret_encrypted=totp_encrypted,
            system_roles=roles,
        )
        practices = generator.practices()
        small_tables = generator.practice_rows(practices)
        for table, rows in small_tables.items():
            await copy_rows(connection, columns[table], rows)
        log("loaded " + ", ".join(f"{len(rows):,} {table}" for table, rows in small_tables.items()))

        indexes = [] if keep_indexes else await secondary_indexes(connection)
        for index in indexes:
            await connection.execute(index.drop_sql())
        if indexes:
            log(
                f"dropped {len(indexes)} secondary indexes for the load: "
                f"{[index.name for index in indexes]}"
            )
    finally:
        await connection.close()

    load_started = time.monotonic()
    links = await load_staff(url, generator, practices, columns, log)
    load_seconds = time.monotonic() - load_started
    log(f"loaded {generator.staff_total:,} staff and {links:,} office links in {load_seconds:.1f}s")
    npis = [row[4] for row in small_tables["provider"] if row[4]]
    check_with_app_code(generator.samples, npis[:500])
    log(f"checked {len(generator.samples):,} sample rows with the app's validators")
    large, small = practices[0], practices[1]
    # Substring counts take a few seconds of Python: done in a thread while PostgreSQL
    # builds the indexes.
    texts = {"large": await practice_texts(url, large), "small": await practice_texts(url, small)}
    choosing = asyncio.create_task(asyncio.to_thread(choose_practice_terms, texts))

    index_started = time.monotonic()
    # Rough cost: the trigram index dominates. (Nothing to do with --keep-indexes.)
    costs = {"gin": 10.0, "staff_member": 2.0}
    work = [
        (costs["gin"] if " gin " in i.indexdef else costs.get(i.table, 1.0), i.create_sql())
        for i in indexes
    ]
    if indexes:
        await run_parallel(url, _split_work(work, COPY_CONNECTIONS))
        connection = await asyncpg.connect(url)
        try:
            rebuilt = await secondary_indexes(connection)
        finally:
            await connection.close()
        if rebuilt != indexes:
            raise GenerateError(f"rebuilt indexes differ:\n{indexes}\n{rebuilt}")
        log(f"rebuilt the {len(indexes)} indexes (identical definitions) in "
            f"{time.monotonic() - index_started:.1f}s")  # fmt: skip

    await check_integrity(url)
    log("references checked (practice, provider, role, offices, seat limits, administrators)")

    vacuum_started = time.monotonic()
    vacuum = [(10.0 if t == "staff_member" else 1.0, f"VACUUM (FREEZE, ANALYZE) {t}")
              for t in LOADED_TABLES]  # fmt: skip
    await run_parallel(url, _split_work(vacuum, COPY_CONNECTIONS))
    log(f"VACUUM (FREEZE, ANALYZE) in {time.monotonic() - vacuum_started:.1f}s")

    connection = await asyncpg.connect(url)
    try:
        # As the app does: a generic plan of the prepared count would ignore the practice
        # and the term (seconds per count instead of milliseconds).
        await connection.execute("SET plan_cache_mode = force_custom_plan")
        terms = await choosing
        await check_terms(connection, large, terms["large"], log)
        await check_terms(connection, small, terms["small"], log)
        counts = {
            table: await connection.fetchval(f"SELECT count(*) FROM {_ident(table)}")
            for table in LOADED_TABLES
        }
        fixture: dict[str, Any] = {
            "large": await practice_summary(connection, large),
            "small": await practice_summary(connection, small),
            "password": {
                "password": PASSWORD,
                "hash_profile": production.password_hash_profile,
                "pin_hash": "the same hash as the password: no 4-digit PIN unlocks",
            },
            "two_factor": {
                "staff": generator.two_factor_count,
                "totp_secret": totp_secret,
                "encrypted_with": "the development key (APP_ENV development or test, "
                "no TWO_FACTOR_KEY)",
            },
            "search_terms": terms,
            "spec": {
                "version": SPEC_VERSION,
                "seed": SEED,
                "complete": True,
                "practices": PRACTICE_COUNT,
                "staff": STAFF_COUNT,
                "large_staff": LARGE_STAFF,
                "small_staff": SMALL_STAFF,
                "seat_limited_practices": SEAT_LIMITED_PRACTICES,
                "anchor": ANCHOR.isoformat(),
                "counts": counts,
                "status_counts": dict(generator.status_counts),
                "model_defaults": defaults,
                "migrations": await applied_migrations(connection),
                "generated_at": datetime.now(UTC).isoformat(),
                "seconds": round(log.elapsed, 1),
            },
        }
        async with connection.transaction():
            await connection.execute(f"DELETE FROM {FIXTURE_TABLE}")
            # The spec row last: only a complete fixture carries `complete`.
            for key, value in fixture.items():
                await connection.execute(
                    f"INSERT INTO {FIXTURE_TABLE} (key, value) VALUES ($1, $2::jsonb)",
                    key,
                    json.dumps(value),
                )
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await connection.execute("CHECKPOINT")
    finally:
        await connection.close()
    return fixture


async def main_async(database_url: str, *, force: bool, keep_indexes: bool = False) -> int:
    log = Progress()
    url = connect_url(database_url)
    name = database_name(url)
    if name == "postgres":
        raise GenerateError("refusing to fill the 'postgres' database; name another one")
    if force:
        await drop_database(url, log)
    try:
        connection = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        await create_database(url, log)
    else:
        try:
            fixture = await read_fixture(connection)
            if is_complete(fixture):
                missing = [m for m in migration_files() if m not in await applied_migrations(
                    connection
                )]  # fmt: skip
                if missing:
                    # As in production: new migrations run on the existing rows.
                    try:
                        await apply_migrations(database_url, log)
                    except Exception as error:
                        raise GenerateError(
                            f"new migrations {missing} fail on the bench data: {error!r}. "
                            "A migration must work on populated tables (production has "
                            "rows too); --force regenerates the data from scratch"
                        ) from error
                    print(f"applied new migrations to the bench data: {missing}")
                print(
                    f"bench data present in {name!r} "
                    "(python -m bench.data.generate --force to redo)"
                )
                return 0
            tables = await connection.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            )
        finally:
            await connection.close()
        if fixture is not None:
            log("bench data incomplete or of an older spec: generating it again")
            await drop_database(url, log)
            await create_database(url, log)
        elif tables:
            raise GenerateError(
                f"database {name!r} has {tables} tables but no {FIXTURE_TABLE}: it was not "
                "made by bench.data.generate; pass --force to drop it, or name another database"
            )
    fixture = await generate(database_url, log, keep_indexes=keep_indexes)
    spec = fixture["spec"]
    print("\nsummary")
    for table, count in spec["counts"].items():
        print(f"  {table:<22} {count:>10,} rows")
    print(f"  staff by status        {spec['status_counts']}")
    for key in ("large", "small"):
        practice = fixture[key]
        print(
            f"  {key} practice {practice['practice_id']}: {practice['staff_count']:,} staff, "
            f"admin {practice['admin_username']!r}, {practice['status_counts']}"
        )
    print(f"  password {PASSWORD!r} for every account")
    print(f"  generated in {log.elapsed:.1f}s")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.data.generate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}"
    )
    parser.add_argument("--force", action="store_true", help="drop and recreate the database")
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="load with every index in place (slower; to compare with the default)",
    )
    args = parser.parse_args(argv)
    try:
        connect_url(args.database_url)
    except ValueError as error:
        parser.error(str(error))
    try:
        return asyncio.run(
            main_async(args.database_url, force=args.force, keep_indexes=args.keep_indexes)
        )
    except GenerateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot reach PostgreSQL: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
