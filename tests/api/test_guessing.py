"""Guessing a secret costs a counted attempt each, however the guesses are sent: in
parallel, aliased in one request, or from many clients behind one proxy. And a flood of
anonymous sign-ins is refused early instead of starving the server.

An attempt counts as *checked* when its secret was compared (INVALID_CREDENTIALS, or a
session); TOO_MANY_ATTEMPTS means it was refused before any check and not counted."""

import asyncio
import contextlib
import dataclasses
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pyotp
from starlette.applications import Starlette

from backend.app import create_app
from backend.config import Settings
from backend.models import LoginThrottle, StaffMember, StaffStatus
from backend.services.throttle import delay_seconds
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD
from tests.api.documents import STAFF_CREATE
from tests.api.staff_factory import create_staff, staff_input
from tests.api.test_lifecycle import activate, token_from
from tests.pins import NEW_PIN
from tests.throttle_keys import user_key

GUESSES = 40
WRONG = "Wrong-Password-0000"
ERRORS = "userErrors { code retryAfterSeconds }"
LOGIN = f"mutation($input: LoginInput!) {{ login(input: $input) {{ token {ERRORS} }} }}"
PIN_CHANGE = f"mutation($input: PinChangeInput!) {{ pinChange(input: $input) {{ ok {ERRORS} }} }}"
ENROLL_START = "mutation { twoFactorEnrollStart { secret } }"
ENROLL_CONFIRM = (
    "mutation($input: TwoFactorEnrollConfirmInput!) "
    "{ twoFactorEnrollConfirm(input: $input) { recoveryCodes } }"
)


@contextlib.asynccontextmanager
async def running(settings: Settings, **changes: Any) -> AsyncIterator[Starlette]:
    app = create_app(dataclasses.replace(settings, **changes))
    async with app.router.lifespan_context(app):
        yield app


def client(app: Starlette, **headers: str) -> GraphQLClient:
    return GraphQLClient(
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
        )
    )


def checked_budget(elapsed: float, settings: Settings) -> int:
    """The most attempts that can be checked within `elapsed` seconds from no failures,
    each made the moment its delay ends."""
    attempts, waited = 1, 0.0
    while waited + delay_seconds(attempts, settings) <= elapsed:
        waited += delay_seconds(attempts, settings)
        attempts += 1
    return attempts


def next_code(secret: str) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30)


def outcome(payload: dict[str, Any]) -> str:
    errors = payload["userErrors"]
    return errors[0]["code"] if errors else "SIGNED_IN"


async def concurrently(*calls: Any) -> tuple[Counter[str], float]:
    started = time.monotonic()
    results = await asyncio.gather(*calls)
    return Counter(outcome(r) for r in results), time.monotonic() - started


def checked(outcomes: Counter[str]) -> int:
    return outcomes["INVALID_CREDENTIALS"] + outcomes["SIGNED_IN"] + outcomes["INVALID_PIN"]


async def test_parallel_guesses_are_each_counted_before_the_check(
    settings: Settings, practice: dict[str, Any]
) -> None:
    # Other apps of one test share its database connections: what a test checks in the
    # database, it checks before its own app stops (and closes them).
    # A queue as long as the flood: here the throttle decides, not the hashing lane.
    async with running(settings, hash_queue=GUESSES) as app:
        anonymous = client(app)
        guesses = [{"username": "owner", "password": WRONG}] * (GUESSES - 1)
        guesses.append({"username": "owner", "password": ADMIN_PASSWORD})
        outcomes, elapsed = await concurrently(*(anonymous.mutate(LOGIN, g) for g in guesses))
        row = await LoginThrottle.get(key=user_key("owner"))
    budget = checked_budget(elapsed, settings)
    print(f"\n{GUESSES} parallel guesses in {elapsed:.2f} s: {dict(outcomes)}, budget {budget}")
    assert checked(outcomes) <= budget < GUESSES // 2
    assert outcomes["TOO_MANY_ATTEMPTS"] >= GUESSES - budget
    # Every checked attempt stays counted: a success amid the guesses resets nothing,
    # unless it was the last attempt counted.
    expected = {checked(outcomes), 0} if outcomes["SIGNED_IN"] else {checked(outcomes)}
    assert row.failures in expected


async def test_refused_attempts_cannot_lock_an_account(
    settings: Settings, practice: dict[str, Any]
) -> None:
    async with running(settings, login_lock_after=6) as app:
        fields = " ".join(
            f'a{i}: login(input: {{username: "owner", password: "{WRONG}"}}) {{ {ERRORS} }}'
            for i in range(21)
        )
        data = await client(app).data(f"mutation {{ {fields} }}")
        row = await LoginThrottle.get(key=user_key("owner"))
    answered = Counter(data[f"a{i}"]["userErrors"][0]["code"] for i in range(21))
    assert answered == {"INVALID_CREDENTIALS": 5, "TOO_MANY_ATTEMPTS": 16}
    assert (row.failures, row.locked_at) == (5, None)


async def test_parallel_guesses_of_the_current_password_are_counted(
    settings: Settings, admin: GraphQLClient
) -> None:
    guesses = [{"currentPassword": WRONG, "newPin": NEW_PIN}] * GUESSES
    outcomes, elapsed = await concurrently(*(admin.mutate(PIN_CHANGE, g) for g in guesses))
    assert checked(outcomes) <= checked_budget(elapsed, settings) < GUESSES // 2
    assert outcomes["TOO_MANY_ATTEMPTS"] > GUESSES // 2


async def test_parallel_guesses_of_the_given_password_at_activation_are_counted(
    settings: Settings, admin: GraphQLClient, mailbox: Any
) -> None:
    await create_staff(admin)
    [message] = await mailbox.wait_for(1)
    token = token_from(message.text)
    async with running(settings, hash_queue=GUESSES) as app:
        anonymous = client(app)
        outcomes, elapsed = await concurrently(
            *(activate(anonymous, token, password=WRONG) for _ in range(GUESSES))
        )
        nurse = await StaffMember.get(username_key="cnurse")
    assert checked(outcomes) <= checked_budget(elapsed, settings) < GUESSES // 2
    assert nurse.status == StaffStatus.PENDING


async def test_parallel_guesses_of_a_two_factor_code_are_counted(
    settings: Settings, admin: GraphQLClient
) -> None:
    secret = (await admin.data(ENROLL_START))["twoFactorEnrollStart"]["secret"]
    await admin.data(ENROLL_CONFIRM, {"input": {"code": pyotp.TOTP(secret).now()}})
    valid = {pyotp.TOTP(secret).at(time.time() + 30 * k) for k in (-1, 0, 1)}
    wrong = next(code for code in ("135790", "246801", "975310") if code not in valid)
    guess = {"username": "owner", "password": ADMIN_PASSWORD, "totpCode": wrong}
    async with running(settings, hash_queue=GUESSES) as app:
        anonymous = client(app)
        outcomes, elapsed = await concurrently(
            *(anonymous.mutate(LOGIN, guess) for _ in range(GUESSES))
        )
    assert checked(outcomes) <= checked_budget(elapsed, settings) < GUESSES // 2


async def test_behind_a_trusted_proxy_each_client_has_its_own_address_limit(
    settings: Settings, practice: dict[str, Any]
) -> None:
    async with running(settings, login_ip_limit=3) as app:
        attacker = client(app, **{"x-forwarded-for": "203.0.113.5"})
        for _ in range(4):
            await attacker.mutate(LOGIN, {"username": "someone", "password": WRONG})
        refused = await attacker.mutate(LOGIN, {"username": "owner", "password": ADMIN_PASSWORD})
        assert outcome(refused) == "TOO_MANY_ATTEMPTS"
        colleague = client(app, **{"x-forwarded-for": "198.51.100.7"})
        signed_in = await colleague.mutate(LOGIN, {"username": "owner", "password": ADMIN_PASSWORD})
        assert outcome(signed_in) == "SIGNED_IN"
        assert (await LoginThrottle.get(key="ip:203.0.113.5")).failures == 3


async def test_an_untrusted_peer_cannot_choose_its_address(
    settings: Settings, practice: dict[str, Any]
) -> None:
    async with running(settings, login_ip_limit=3, forwarded_allow_ips="10.9.8.7") as app:
        for spoofed in ("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"):
            sender = client(app, **{"x-forwarded-for": spoofed})
            await sender.mutate(LOGIN, {"username": "someone", "password": WRONG})
        assert (await LoginThrottle.get(key="ip:127.0.0.1")).failures == 3
        assert not await LoginThrottle.filter(key__startswith="ip:203.").exists()


async def test_a_flood_of_sign_ins_is_refused_early_and_managers_keep_working(
    settings: Settings, practice: dict[str, Any], mailbox: Any
) -> None:
    async with running(settings, hash_workers=1, hash_queue=0) as app:
        manager = client(app)
        await manager.login("owner", ADMIN_PASSWORD)
        flood = [
            client(app).http.post(
                "/graphql",
                json={"query": LOGIN, "variables": {"input": {"username": "x", "password": WRONG}}},
            )
            for _ in range(100)
        ]
        create = manager.mutate(STAFF_CREATE, await staff_input(manager))
        responses, created = await asyncio.gather(asyncio.gather(*flood), create)
        # Refused before any work: not even counted as attempts.
        counted = await LoginThrottle.get(key=user_key("x"))
    refused = [r for r in responses if r.status_code == 429]
    assert refused, [r.status_code for r in responses]
    assert {r.status_code for r in responses} <= {200, 429}
    for response in refused:
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "TOO_MANY_REQUESTS", "retryAfterSeconds": 1}
        assert response.headers["retry-after"] == "1"
    assert "TIMEOUT" not in str([r.text for r in responses])
    assert created["userErrors"] == [] and created["staffMember"]["status"] == "PENDING"
    assert counted.failures == len(responses) - len(refused)


async def test_a_pending_second_factor_is_not_counted_as_a_failure(
    settings: Settings, admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    secret = (await admin.data(ENROLL_START))["twoFactorEnrollStart"]["secret"]
    await admin.data(ENROLL_CONFIRM, {"input": {"code": pyotp.TOTP(secret).now()}})
    await LoginThrottle.filter(key=user_key("owner")).update(
        failures=4, last_failure_at=datetime.now(UTC)
    )
    first = await anonymous.mutate(LOGIN, {"username": "owner", "password": ADMIN_PASSWORD})
    assert outcome(first) == "TWO_FACTOR_REQUIRED"
    assert (await LoginThrottle.get(key=user_key("owner"))).failures == 4
    # So the code can follow at once: no delay was started by the password-only step.
    with_code = await anonymous.mutate(
        LOGIN,
        # The next step's code: the current one was spent on confirming the enrolment.
        {"username": "owner", "password": ADMIN_PASSWORD, "totpCode": next_code(secret)},
    )
    assert outcome(with_code) == "SIGNED_IN"
