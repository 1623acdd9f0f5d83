"""/livez, /healthz and /readyz against real databases: current, behind on migrations,
and unreachable."""

import dataclasses
from pathlib import Path

import httpx
from starlette.applications import Starlette

from backend.app import create_app
from backend.config import Settings
from backend.db import apply_migrations
from backend.http.probes import migrations_on_disk
from tests.live_server import free_port


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def _get(settings: Settings, *paths: str) -> list[httpx.Response]:
    app = create_app(settings)
    async with app.router.lifespan_context(app), _client(app) as http:
        return [await http.get(path) for path in paths]


async def test_a_migrated_database_is_ready_and_stays_so(app: Starlette) -> None:
    async with _client(app) as http:
        for _ in range(2):  # the second answer comes from the remembered migrations
            ready = await http.get("/readyz")
            assert ready.status_code == 200
            assert ready.json() == {"status": "ok"}
            assert ready.headers["cache-control"] == "no-store"
        for path in ("/livez", "/healthz"):
            live = await http.get(path)
            assert (live.status_code, live.json()) == (200, {"status": "ok"})


async def test_a_pending_migration_is_not_ready(settings: Settings, tmp_path: Path) -> None:
    behind = f"sqlite://{tmp_path / 'behind.sqlite3'}"
    await apply_migrations(behind, target="models.0004_two_factor")
    pending = [name for name in migrations_on_disk() if name > "0004_two_factor"]
    assert pending  # the test means something only while later migrations exist

    ready, live = await _get(
        dataclasses.replace(settings, database_url=behind), "/readyz", "/livez"
    )
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "reason": f"migrations pending: {', '.join(pending)}",
    }
    assert live.status_code == 200  # alive all the same: restarting would not help

    await apply_migrations(behind)
    [ready] = await _get(dataclasses.replace(settings, database_url=behind), "/readyz")
    assert ready.status_code == 200


async def test_an_unreachable_database_is_not_ready() -> None:
    settings = Settings(
        environment="test",
        database_url=f"postgres://postgres@127.0.0.1:{free_port()}/nowhere",
        public_base_url="http://testserver",
        migrate_on_start=False,
        run_outbox_sender=False,
        password_hash_profile="fast",
    )
    ready, live, healthz = await _get(settings, "/readyz", "/livez", "/healthz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert ready.json()["reason"].startswith("database unreachable")
    assert "127.0.0.1" not in ready.text and "postgres" not in ready.text
    assert live.status_code == healthz.status_code == 200
