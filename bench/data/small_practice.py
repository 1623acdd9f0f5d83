"""A fresh PostgreSQL database with one practice and its owner, for the benchmarks that
run a server of ours on a small data set of their own (login_flood, reset_timing)."""

import asyncpg  # type: ignore[import-untyped]

from backend.config import Settings
from backend.db import apply_migrations
from backend.models import Plan, Practice
from backend.services.bootstrap import NewPractice, create_practice

OWNER_PIN = "0629"


async def recreate_database(database_url: str) -> None:
    """Drops and creates the database of `database_url`, then migrates it."""
    admin_url, name = database_url.rsplit("/", 1)
    connection = await asyncpg.connect(admin_url + "/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    await apply_migrations(database_url)


def fast_settings(database_url: str) -> Settings:
    """For making data only: hashes of the fast profile verify under the standard one
    (argon2 reads its parameters from the hash)."""
    return Settings(environment="test", database_url=database_url, password_hash_profile="fast")


async def owned_practice(
    name: str, *, owner_email: str, owner_password: str, settings: Settings
) -> Practice:
    """A practice with one provider and an owner named "owner" (database opened)."""
    practice, _owner = await create_practice(
        NewPractice(
            name=name,
            plan=Plan.INVOICED,
            provider_first_name="Hannah",
            provider_last_name="Provider",
            owner_first_name="Olivia",
            owner_last_name="Owner",
            owner_username="owner",
            owner_email=owner_email,
            owner_password=owner_password,
            owner_pin=OWNER_PIN,
        ),
        settings=settings,
    )
    return practice
