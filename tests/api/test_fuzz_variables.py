"""Fuzzing the inputs of every mutation that carries a secret, as variables and as inline
literals: each field missing, null, of the wrong type or huge, unknown fields added, the
input replaced by a string, a list, a number or nothing, nested far too deep.

Every value sent is a fresh secret (strings, PINs and codes alike), remembered by the
secret check. No answer may be a 5xx, an INTERNAL_SERVER_ERROR or an error without a
code, and no secret may appear in any answer or log line. The variants are enumerated,
not drawn at random, so every run sends the same ones (about a thousand requests)."""

import itertools
import json
import logging
import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    is_enum_type,
    is_list_type,
    is_non_null_type,
)

from tests import secret_watch
from tests.api.client import GraphQLClient
from tests.api.conftest import ADMIN_PASSWORD

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"
# Every mutation whose input carries a password, PIN, token or code.
SECRET_MUTATIONS = (
    "login",
    "accountActivate",
    "staffCreate",
    "staffUpdate",
    "appUnlock",
    "pinChange",
    "staffSetPin",
    "twoFactorEnrollConfirm",
    "twoFactorDisable",
    "passwordChange",
    "passwordResetRequest",
    "passwordResetComplete",
    "emailChangeRequest",
    "emailChangeConfirm",
    "sessionRefresh",
)
ANONYMOUS = {
    "login",
    "accountActivate",
    "passwordResetRequest",
    "passwordResetComplete",
    "emailChangeConfirm",
    "sessionRefresh",
}
VIEWER = "{ viewer { __typename } }"
# The nesting a JSON decoder or a recursive check could trip on; the body stays under
# MAX_REQUEST_BYTES.
DEEP = 3000
_pins = itertools.count(100)


@pytest.fixture(autouse=True)
def _sqlite_only(database_backend: str) -> None:
    if database_backend != "sqlite":
        pytest.skip("fuzzing exercises the GraphQL layer, the same on both databases")


def new_secret() -> str:
    value = f"Fz-{secrets.token_urlsafe(9)}"
    secret_watch.remember(value)
    return value


def new_digits(length: int) -> str:
    """A PIN or code starting with 0 (see tests/pins.py), new each time."""
    value = f"0{next(_pins) % 10 ** (length - 1):0{length - 1}d}"
    secret_watch.remember_code(value)
    return value


def field_value(name: str, type_: Any) -> Any:
    named = get_named_type(type_)
    lowered = name.lower()
    if is_list_type(type_.of_type if is_non_null_type(type_) else type_):
        return [new_secret()]
    if is_enum_type(named):
        return next(iter(named.values))
    if named.name == "Boolean":
        return True
    if "pin" in lowered:
        return new_digits(4)
    if lowered in {"code", "totpcode"}:
        return new_digits(6)
    return new_secret()


@dataclass
class Variant:
    label: str
    # The value of $input (a dict, or anything else), or MISSING.
    value: Any


MISSING = object()


@dataclass(frozen=True)
class Deep:
    """A secret inside DEEP nested objects: written as JSON text by hand (Python's own
    encoder would run out of recursion first)."""

    secret: str

    def json(self) -> str:
        return '{"a": ' * DEEP + json.dumps(self.secret) + "}" * DEEP


def variants(input_type: GraphQLInputObjectType) -> Iterator[Variant]:
    def base() -> dict[str, Any]:
        return {name: field_value(name, f.type) for name, f in input_type.fields.items()}

    yield Variant("all fields", base())
    for name in input_type.fields:
        for label, wrong in (
            ("missing", MISSING),
            ("null", None),
            ("a number", 90417),
            ("a boolean", False),
            ("a list", lambda: [new_secret()]),
            ("an object", lambda: {"value": new_secret()}),
            ("huge", lambda: new_secret() * 2000),
        ):
            value = base()
            if wrong is MISSING:
                del value[name]
            else:
                value[name] = wrong() if callable(wrong) else wrong
            yield Variant(f"{name} {label}", value)
    yield Variant("an unknown field", {**base(), "bogus": new_secret()})
    yield Variant("an unknown field named by a secret", {**base(), new_secret(): 1})
    yield Variant("input a string", new_secret())
    yield Variant("input a list", [base()])
    yield Variant("input a number", 90417)
    yield Variant("input null", None)
    yield Variant("input missing", MISSING)
    yield Variant("input nested too deep", Deep(new_secret()))


def literal(value: Any) -> str:
    """`value` as a GraphQL literal."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


def is_graphql_name(key: str) -> bool:
    return key.replace("_", "a").isalnum() and not key[0].isdigit()


def literal_fits(value: Any, depth: int = 0) -> bool:
    """Whether `value` can be written inline (keys must be GraphQL names)."""
    if depth > 50:
        return False
    if isinstance(value, dict):
        return all(is_graphql_name(k) and literal_fits(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return all(literal_fits(v, depth + 1) for v in value)
    return True


def requests_for(schema: GraphQLSchema) -> Iterator[tuple[str, str, dict[str, Any] | str]]:
    """(mutation, label, request body) for every variant, as variables and as a literal."""
    assert schema.mutation_type is not None
    for name in SECRET_MUTATIONS:
        field = schema.mutation_type.fields[name]
        input_type = get_named_type(field.args["input"].type)
        assert isinstance(input_type, GraphQLInputObjectType)
        required = "!" if is_non_null_type(field.args["input"].type) else ""
        document = (
            f"mutation Fuzz($input: {input_type.name}{required}) "
            f"{{ {name}(input: $input) {{ __typename }} }}"
        )
        for variant in variants(input_type):
            if isinstance(variant.value, Deep):
                body = (
                    f'{{"query": {json.dumps(document)}, '
                    f'"variables": {{"input": {variant.value.json()}}}}}'
                )
                yield name, f"{variant.label} (variables)", body
                continue
            variables = {} if variant.value is MISSING else {"input": variant.value}
            yield name, f"{variant.label} (variables)", {"query": document, "variables": variables}
            if variant.value is not MISSING and literal_fits(variant.value):
                inline = f"mutation {{ {name}(input: {literal(variant.value)}) {{ __typename }} }}"
                yield name, f"{variant.label} (literal)", {"query": inline}


def problems(response: httpx.Response) -> Iterator[str]:
    if response.status_code >= 500:
        yield f"status {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        yield "not JSON"
        return
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if not code:
            yield f"an error without a code: {error.get('message')}"
        elif code == "INTERNAL_SERVER_ERROR":
            yield "INTERNAL_SERVER_ERROR"


async def test_fuzzed_inputs_of_secret_carrying_mutations(
    admin: GraphQLClient, anonymous: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # as in production (aiosqlite's DEBUG lines quote SQL values)
    schema = build_schema(SCHEMA_PATH.read_text())
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    sent = 0
    for number, (mutation, label, body) in enumerate(requests_for(schema)):
        client = anonymous if mutation in ANONYMOUS else admin
        # Each anonymous request from its own client address behind the (trusted) local
        # proxy, so the per-address sign-in limit does not end the run early.
        headers = {"x-forwarded-for": f"198.18.{number // 250}.{number % 250}"}
        if client.token:
            headers["authorization"] = f"Bearer {client.token}"
        if isinstance(body, str):
            headers["content-type"] = "application/json"
            response = await client.http.post("/graphql", content=body, headers=headers)
        else:
            response = await client.http.post("/graphql", json=body, headers=headers)
        sent += 1
        found = list(problems(response))
        for secret in _secrets_in(response.text):
            found.append(f"a secret in the answer: {secret}")
        codes = sorted(_codes(response))
        outcomes[f"{mutation}: {'+'.join(codes) or 'answered'}"] += 1
        if found:
            failures.append(f"{mutation} / {label}: {', '.join(found)}\n  {response.text[:200]}")
        if mutation == "appUnlock" and (await admin.data(VIEWER))["viewer"] is None:
            await admin.login("owner", ADMIN_PASSWORD)  # ten wrong PINs end a session, by design
    logged = [r for r in caplog.records if r.levelno > logging.INFO]
    leaked = [
        r.getMessage() for r in caplog.records if _secrets_in(r.getMessage() + (r.exc_text or ""))
    ]
    print(
        f"\nfuzzed variables and literals: {sent} operations, {len(failures)} failures, "
        f"{len(logged)} log records above INFO, {len(leaked)} log records with a secret"
    )
    for outcome, count in sorted(outcomes.items()):
        print(f"  {count:4d}  {outcome}")
    assert not failures, "\n".join(failures[:20])
    assert not leaked, leaked[:5]
    assert not logged, [r.getMessage() for r in logged[:5]]


def _codes(response: httpx.Response) -> set[str]:
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return {"(not JSON)"}
    return {str((error.get("extensions") or {}).get("code")) for error in errors}


def _secrets_in(text: str) -> list[str]:
    return secret_watch.leaks_in(text)
