"""/metrics scraped after real requests: counts by operation name and error code, the
outbox as its rows are, and who may read it."""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from backend.app import create_app
from backend.config import Settings
from backend.db import close_database, open_database
from backend.http.metrics import alongside_metrics_server
from backend.models import OutboxMessage, OutboxStatus, Plan
from tests.api.conftest import make_practice
from tests.live_server import free_port
from tests.mail.factories import queue_activation

P = "staff_accounts"


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def _value(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


async def _scrape(http: httpx.AsyncClient) -> str:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return response.text


async def test_requests_errors_and_sign_ins_are_counted(app: Starlette) -> None:
    async with _client(app) as http:
        before = await _scrape(http)
        for _ in range(2):
            await http.post("/graphql", json={"query": "query StaffRoles { __typename }"})
        await http.post("/graphql", json={"query": "query MyOwnName { __typename }"})
        await http.post("/graphql", json={"query": "{ noSuchField }"})
        await http.post(
            "/graphql", content=b"not json", headers={"content-type": "application/json"}
        )
        login = (
            "mutation Login($input: LoginInput!) { login(input: $input) { token userErrors"
            " { code } } }"
        )
        variables = {"input": {"username": "nobody", "password": "Wrong-Password-0000"}}
        await http.post("/graphql", json={"query": login, "variables": variables})
        after = await _scrape(http)

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    requests = f"{P}_graphql_requests_total"
    assert grew(requests, operation="StaffRoles") == 2
    assert grew(requests, operation="other") == 1  # MyOwnName is no name of ours
    assert grew(requests, operation="anonymous") == 1
    assert grew(requests, operation="none") == 1  # refused before any operation ran
    assert grew(requests, operation="Login") == 1
    assert "MyOwnName" not in after
    assert grew(f"{P}_graphql_request_duration_seconds_count", operation="StaffRoles") == 2
    assert grew(f"{P}_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert grew(f"{P}_sign_in_failures_total") == 1
    assert f"{P}_hashing_queue_length 0.0" in after
    assert _value(after, f"{P}_database_reachable") == 1


async def test_the_outbox_gauges_match_its_rows(settings: Settings) -> None:
    app = create_app(dataclasses.replace(settings, run_outbox_sender=False))
    async with app.router.lifespan_context(app), _client(app) as http:
        practice = (await make_practice(settings, "Gauge Clinic", "gauge", Plan.INVOICED))[
            "practice"
        ]
        for recipient in ("a@example.com", "b@example.com", "c@example.com"):
            await queue_activation(practice, settings=settings, recipient=recipient)
        oldest = await OutboxMessage.filter(recipient="a@example.com").get()
        oldest.created_at = datetime.now(UTC) - timedelta(minutes=10)
        await oldest.save(update_fields=["created_at"])
        await OutboxMessage.filter(recipient="c@example.com").update(status=OutboxStatus.FAILED)
        text = await _scrape(http)
        queued = await OutboxMessage.filter(status=OutboxStatus.QUEUED).count()
    assert queued == 2
    assert _value(text, f"{P}_outbox_messages", status="queued") == queued
    assert _value(text, f"{P}_outbox_messages", status="failed") == 1
    assert _value(text, f"{P}_outbox_messages", status="sent") == 0
    assert 600 <= _value(text, f"{P}_outbox_oldest_queued_age_seconds") < 660


async def test_production_needs_the_token(settings: Settings) -> None:
    production = dataclasses.replace(
        settings, environment="production", public_base_url="https://staff.example.com"
    )
    for configured, headers, status in (
        ("", {}, 404),
        ("", {"authorization": "Bearer anything"}, 404),
        ("s3cret-scrape-token", {}, 401),
        ("s3cret-scrape-token", {"authorization": "Bearer wrong"}, 401),
        ("s3cret-scrape-token", {"authorization": "Bearer s3cret-scrape-token"}, 200),
    ):
        app = create_app(dataclasses.replace(production, metrics_token=configured))
        async with app.router.lifespan_context(app), _client(app) as http:
            response = await http.get("/metrics", headers=headers)
        assert response.status_code == status, (configured, headers)
        if status == 401:
            assert response.headers["www-authenticate"] == "Bearer"
        if status == 200:
            assert f"{P}_graphql_requests_total" in response.text


async def test_the_worker_serves_its_own_metrics(settings: Settings) -> None:
    port = free_port()
    worker = dataclasses.replace(settings, worker_metrics_port=port)
    stop = asyncio.Event()
    await open_database(settings.database_url)
    try:
        running = asyncio.create_task(alongside_metrics_server(stop.wait(), worker))
        async with httpx.AsyncClient() as http:
            for _ in range(50):
                try:
                    response = await http.get(f"http://127.0.0.1:{port}/metrics")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
        assert response.status_code == 200
        assert f"{P}_outbox_messages" in response.text
        stop.set()
        await asyncio.wait_for(running, 5)
    finally:
        await close_database()
