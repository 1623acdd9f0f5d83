"""scim2-tester's check_server, every tag, against a live server (`serve --demo` on a real
socket) with an API client of the scim scope and the practice's SCIM defaults set. Checks
that contradict a product rule are listed in README ("SCIM provisioning", deviations)."""

import json
import os
import re
import subprocess
from pathlib import Path

import httpx
import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from backend.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME, DEMO_PRACTICE
from tests import secret_watch
from tests.live_server import ROOT, live_server

# Checks that contradict a product rule, told apart by what the server answered (the
# tester fills attributes with random values, so which checks meet them varies): the
# README lists each with its rule.
DEVIATIONS = {
    # Phones are valid US numbers, stored E.164; random digits are not one.
    r"phoneNumbers\[type eq \"(mobile|home)\"\]: Enter a US phone number": "US phones",
    # An NPI has a check digit, an NCSBN ID is 1-10 digits; type and number go together.
    r"careTeamId(Number|Type): ": "care-team identifier",
    # One work email; phones only mobile and home, normalised to E.164; so what a PATCH of
    # a random list (or of the whole extension, with a random identifier) reads back differs.
    r"returned unexpected value for '(emails|phoneNumbers|urn:ietf:params:scim:schemas:"
    r"extension:staffaccounts:2\.0:User)'": "one work email, typed phones, extension rules",
    # A random role may be one with Manage Accounts: no API client may give that.
    r"API clients cannot give the Manage Accounts permission": "Manage Accounts stays with people",
}


def _deviation(reason: str | None) -> bool:
    return any(re.search(pattern, reason or "") for pattern in DEVIATIONS)


def _graphql(base: str, token: str, query: str, variables: dict[str, object]) -> dict:  # type: ignore[type-arg]
    answer = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"} if token else {},
        timeout=10,
    ).json()
    assert "errors" not in answer, answer
    data: dict = answer["data"]  # type: ignore[type-arg]
    return data


def test_scim2_tester_finds_no_failure(tmp_path: Path) -> None:
    # The checks send a few hundred requests in a burst; the limit itself is tested elsewhere.
    with live_server(tmp_path, API_CLIENT_RATE_BURST="100000") as base:
        login = _graphql(
            base,
            "",
            "mutation($i: LoginInput!) { login(input: $i) { token } }",
            {"i": {"username": DEMO_ADMIN_USERNAME, "password": DEMO_ADMIN_PASSWORD}},
        )
        token = login["login"]["token"]
        reference = _graphql(base, token, "{ roles { id name } providers { id } }", {})
        nurse = next(r["id"] for r in reference["roles"] if r["name"] == "Nurse (System)")
        _graphql(
            base,
            token,
            "mutation($i: PracticeSetScimDefaultsInput!) "
            "{ practiceSetScimDefaults(input: $i) { userErrors { code } } }",
            {"i": {"roleId": nurse, "primaryProviderId": reference["providers"][0]["id"]}},
        )
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite://{tmp_path / 'serve.sqlite3'}",
            "API_CLIENT_RATE_BURST": "100000",  # the new client's bucket starts this full
        }
        env.pop("APP_ENV", None)
        secret = subprocess.run(
            [
                ".venv/bin/staff-accounts",
                "api-client",
                "create",
                "--practice",
                DEMO_PRACTICE,
                "--name",
                "scim2-tester",
                "--scope",
                "scim",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        secret_watch.remember(secret)
        with httpx2.Client(
            base_url=f"{base}/scim/v2/", headers={"authorization": f"Bearer {secret}"}
        ) as http:
            results = check_server(SyncSCIMClient(http))
        # scim-sanity's probe, strict, on the resource type we advertise (Users).
        probe = subprocess.run(
            [
                ".venv/bin/scim-sanity",
                "probe",
                f"{base}/scim/v2",
                "--token",
                secret,
                "--strict",
                "--resource",
                "User",
                "--i-accept-side-effects",
                "--json-output",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    report = json.loads(probe.stdout)
    probe_failures = [
        (check["name"], check.get("message"))
        for check in report["results"]
        if check["status"] not in ("pass", "skip")
        # displayName is the person's first and last name, not an attribute of its own.
        and not (check.get("message") or "").startswith("Expected displayName=")
    ]
    print(f"scim-sanity: {report['summary']}")
    assert probe_failures == [], probe.stdout
    failures = [
        (result.title, result.reason)
        for result in results
        if result.status not in (Status.SUCCESS, Status.SKIPPED) and not _deviation(result.reason)
    ]
    deviations = [r for r in results if r.status not in (Status.SUCCESS, Status.SKIPPED)]
    print(
        f"scim2-tester: {len(results)} checks, {len(failures)} failures, "
        f"{len(deviations) - len(failures)} product-rule deviations"
    )
    assert failures == []
