"""Each API client's rate limit: RateLimit-* headers on every answer to it, 429 with
Retry-After and TOO_MANY_REQUESTS beyond it, a refill over time, and concurrent requests
(on PostgreSQL, in parallel on the pool's connections) that never take more than the bucket
holds."""

import asyncio
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backend.config import Settings
from backend.models import ApiClient
from backend.services import api_client_rate
from tests.api.api_clients import API_CLIENT_REVOKE, CURRENT, create_api_client
from tests.api.client import GraphQLClient
from tests.api.conftest import _http, with_settings

BURST = 5
RATE = 0.01  # a token every 100 s: nothing refills while a test runs


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_settings(settings, api_client_rate_burst=BURST, api_client_rate_per_second=RATE)


async def _post(http: httpx.AsyncClient, secret: str) -> httpx.Response:
    return await http.post(
        "/graphql", json={"query": CURRENT}, headers={"authorization": f"Bearer {secret}"}
    )


async def test_headers_on_every_answer_then_429_with_retry_after(
    app: Starlette, admin: GraphQLClient
) -> None:
    created = await create_api_client(admin, ["STAFF_READ"])
    async with _http(app) as http:
        for remaining in range(BURST - 1, -1, -1):
            response = await _post(http, created["secret"])
            assert response.status_code == 200
            assert response.json()["data"]["currentApiClient"]["apiClient"]["name"] == "HR sync"
            assert response.headers["ratelimit-limit"] == str(BURST)
            assert response.headers["ratelimit-remaining"] == str(remaining)
            reset = int(response.headers["ratelimit-reset"])
            assert 0 < reset <= (BURST - remaining) / RATE + 1
        refused = await _post(http, created["secret"])
    assert refused.status_code == 429
    (error,) = refused.json()["errors"]
    assert error["extensions"]["code"] == "TOO_MANY_REQUESTS"
    retry_after = int(refused.headers["retry-after"])
    assert 0 < retry_after <= 1 / RATE and error["extensions"]["retryAfterSeconds"] == retry_after
    assert refused.headers["ratelimit-remaining"] == "0"
    assert created["secret"] not in refused.text


async def test_people_and_unknown_secrets_get_no_rate_limit_headers(
    app: Starlette, admin: GraphQLClient
) -> None:
    created = await create_api_client(admin, ["STAFF_READ"])
    await admin.mutate(API_CLIENT_REVOKE, {"id": created["apiClient"]["id"]})
    async with _http(app) as http:
        person = await http.post(
            "/graphql", json={"query": CURRENT}, headers={"authorization": f"Bearer {admin.token}"}
        )
        revoked = await _post(http, created["secret"])
    for response in (person, revoked):
        assert response.status_code == 200
        assert "ratelimit-limit" not in response.headers


async def test_the_bucket_refills_at_the_rate_and_holds_the_burst_at_most(
    admin: GraphQLClient, settings: Settings
) -> None:
    await create_api_client(admin, ["STAFF_READ"])
    client = await ApiClient.get()
    start = client.bucket_at
    draws = [await api_client_rate.draw(client.id, settings, now=start) for _ in range(BURST + 1)]
    assert [d.allowed for d in draws] == [True] * BURST + [False]
    assert draws[-1].retry_after_seconds == 100
    # 100 s later one token is back; a day later the bucket is full, not fuller.
    later = await api_client_rate.draw(client.id, settings, now=start + 100.5)
    assert later.allowed and later.remaining == 0
    much_later = await api_client_rate.draw(client.id, settings, now=start + 86_400)
    assert much_later.allowed and much_later.remaining == BURST - 1
    # A process whose clock is behind adds nothing and takes nothing back.
    behind = await api_client_rate.draw(client.id, settings, now=start)
    assert behind.allowed and behind.remaining == BURST - 2


async def test_concurrent_requests_never_take_more_than_the_bucket(
    app: Starlette, admin: GraphQLClient
) -> None:
    created = await create_api_client(admin, ["STAFF_READ"])
    async with _http(app) as http:
        responses = await asyncio.gather(*(_post(http, created["secret"]) for _ in range(20)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * BURST + [429] * (20 - BURST)
    remaining = sorted(
        int(r.headers["ratelimit-remaining"]) for r in responses if r.status_code == 200
    )
    assert remaining == list(range(BURST))


async def test_concurrent_draws_never_over_admit(admin: GraphQLClient, settings: Settings) -> None:
    await create_api_client(admin, ["STAFF_READ"])
    client = await ApiClient.get()
    many = with_settings(settings, api_client_rate_burst=BURST)
    draws: list[Any] = await asyncio.gather(
        *(api_client_rate.draw(client.id, many) for _ in range(40))
    )
    assert sum(draw.allowed for draw in draws) == BURST
    assert (await ApiClient.get()).bucket_tokens >= 0
