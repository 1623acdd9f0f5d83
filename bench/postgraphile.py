"""Benchmark B1's peer: PostGraphile 5 (Amber preset) on the same PostgreSQL database.

Helpers for the benchmark runner:

* `setup()` installs Node.js 22 (when the machine's is older) and PostGraphile into the
  git-ignored `bench/.peer/` (bench/peer/setup.sh; idempotent);
* `start(database_url, port)` / `stop(proc)` run the peer server;
* `peer_request_body(practice_id)` is the JSON POST body of the peer's query
  (bench/peer/staff_page.graphql), `our_request_body()` the one of ours
  (bench/queries/staff_page.graphql);
* `normalize_ours(response)` and `normalize_peer(response)` reduce both answers to the same
  plain structure, so that `normalize_ours(a) == normalize_peer(b)` shows that both sides
  fetched the same rows, fields and counts.

Command line (the one-off equality check, and a body file for wrk):

    python -m bench.postgraphile --check \\
        --database-url postgres://postgres@127.0.0.1:5432/staff_bench \\
        --our-url http://127.0.0.1:8124/graphql [--token TOKEN | --username U --password P]
    python -m bench.postgraphile --write-body /tmp/peer-body.json --practice-id UUID
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from backend.api.ids import from_global_id

ROOT = Path(__file__).resolve().parent.parent
PEER_SOURCE = ROOT / "bench" / "peer"  # committed: package.json, config, query, setup.sh
PEER_HOME = ROOT / "bench" / ".peer"  # git-ignored: node binary, node_modules, logs
PEER_APP = PEER_HOME / "app"
SETUP_SCRIPT = PEER_SOURCE / "setup.sh"
CONFIG_FILE = PEER_SOURCE / "graphile.config.mjs"
PEER_QUERY_FILE = PEER_SOURCE / "staff_page.graphql"
OUR_QUERY_FILE = ROOT / "bench" / "queries" / "staff_page.graphql"
POSTGRAPHILE_CLI = PEER_APP / "node_modules" / "postgraphile" / "dist" / "cli-run.js"

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "Demo-Practice-2026"

_PROBE = b'{"query":"{ __typename }"}'


class PeerError(RuntimeError):
    """The peer could not be installed, started or asked."""


# --- installing and running -----------------------------------------------------------------


def setup() -> None:
    """Install Node 22 and PostGraphile into bench/.peer/ (skips what is already there)."""
    result = subprocess.run(["bash", str(SETUP_SCRIPT)], check=False)
    if result.returncode != 0:
        raise PeerError(f"{SETUP_SCRIPT} failed with exit status {result.returncode}")


def node_binary() -> Path:
    """The Node.js (22 or later) that setup() chose."""
    marker = PEER_HOME / "NODE"
    if not marker.exists() or not POSTGRAPHILE_CLI.exists():
        raise PeerError(
            f"the peer is not installed: run bench.postgraphile.setup() ({SETUP_SCRIPT})"
        )
    node = Path(marker.read_text().strip())
    if not node.exists():
        raise PeerError(f"{node} (named in {marker}) is missing: run {SETUP_SCRIPT} again")
    return node


def graphql_url(port: int, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{port}/graphql"


def log_path(port: int) -> Path:
    return PEER_HOME / f"postgraphile-{port}.log"


def start(
    database_url: str,
    port: int,
    *,
    host: str = "127.0.0.1",
    pool_max: int | None = None,
    timeout: float = 60.0,
) -> subprocess.Popen[bytes]:
    """Start PostGraphile on `host:port` against `database_url` and wait until it answers
    `{ __typename }`. Its output goes to bench/.peer/postgraphile-<port>.log. `pool_max`
    sizes its node-postgres pool (default 10)."""
    node = node_binary()
    if _port_open(host, port):
        raise PeerError(f"{host}:{port} is already in use; pick another port for the peer")
    # The config must sit next to node_modules for its imports to resolve.
    installed_config = PEER_APP / CONFIG_FILE.name
    if not installed_config.exists() or installed_config.read_bytes() != CONFIG_FILE.read_bytes():
        shutil.copyfile(CONFIG_FILE, installed_config)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HOST": host,
        "PORT": str(port),
        # Grafast plans more cheaply outside development mode; be explicit.
        "NODE_ENV": "production",
        "GRAPHILE_ENV": "production",
    }
    if pool_max is not None:
        env["PG_POOL_MAX"] = str(pool_max)
    log = log_path(port)
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [str(node), str(POSTGRAPHILE_CLI), "-C", installed_config.name],
            cwd=PEER_APP,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = graphql_url(port, host)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise PeerError(
                f"PostGraphile exited with status {proc.returncode} while starting:\n"
                + _log_excerpt(log)
            )
        try:
            answer = post_json(url, _PROBE, timeout=2.0)
        except OSError:
            answer = None  # not listening yet
        except PeerError as error:
            # It listens but the schema could not be built (e.g. no such database): with
            # watch mode off that will not change, so fail now rather than at the timeout.
            stop(proc)
            raise PeerError(
                f"PostGraphile started but failed: {error}\n" + _log_excerpt(log)
            ) from error
        if answer is not None:
            data = answer.get("data")
            if isinstance(data, dict) and data.get("__typename") == "Query":
                return proc
            stop(proc)
            raise PeerError(
                f"PostGraphile answered {json.dumps(answer)[:500]}\n" + _log_excerpt(log)
            )
        if time.monotonic() > deadline:
            stop(proc)
            raise PeerError(
                f"PostGraphile did not answer at {url} within {timeout:.0f} s:\n"
                + _log_excerpt(log)
            )
        time.sleep(0.2)


def stop(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop the server that start() returned (SIGTERM, then SIGKILL)."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _log_excerpt(path: Path, head: int = 30, tail: int = 15) -> str:
    """The start of the log (where the first, real error is) and its end."""
    if not path.exists():
        return f"(no log at {path})"
    lines = path.read_text(errors="replace").splitlines(keepends=True)
    if len(lines) <= head + tail:
        shown = "".join(lines)
    else:
        skipped = len(lines) - head - tail
        shown = "".join(lines[:head]) + f"[... {skipped} lines ...]\n" + "".join(lines[-tail:])
    return f"--- {path} ---\n{shown}"


# --- requests -------------------------------------------------------------------------------


def peer_query() -> str:
    return PEER_QUERY_FILE.read_text()


def our_query() -> str:
    return OUR_QUERY_FILE.read_text()


def peer_request_body(practice_id: str, first: int = 25, status: str = "ACTIVE") -> bytes:
    """The JSON body to POST to the peer's /graphql for one page of `practice_id`."""
    variables = {"practiceId": str(UUID(practice_id)), "status": status, "first": first}
    return json.dumps(
        {"query": peer_query(), "variables": variables, "operationName": "StaffPage"}
    ).encode()


def our_request_body(first: int = 25, status: str = "ACTIVE") -> bytes:
    """The JSON body to POST to our /graphql (the practice comes from the session)."""
    variables = {"status": status, "first": first}
    return json.dumps(
        {"query": our_query(), "variables": variables, "operationName": "StaffPage"}
    ).encode()


def post_json(
    url: str, body: bytes, *, token: str | None = None, timeout: float = 30.0
) -> dict[str, Any]:
    """POST a GraphQL body; the decoded JSON answer (raises PeerError on HTTP errors)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer: dict[str, Any] = json.load(response)
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:2000]
        raise PeerError(f"POST {url}: HTTP {error.code}: {detail}") from error
    return answer


# --- normalisation --------------------------------------------------------------------------


def _data(response: Mapping[str, Any], side: str) -> Mapping[str, Any]:
    if response.get("errors"):
        raise PeerError(f"{side} answered with errors: {json.dumps(response['errors'])[:2000]}")
    data = response.get("data")
    if not isinstance(data, Mapping):
        raise PeerError(f"{side} answered without data: {json.dumps(response)[:2000]}")
    return data


def raw_id(global_id: str, expected_type: str) -> str:
    """The UUID inside one of our global IDs: unpadded base64url of "Type:uuid"
    (backend/api/ids.py)."""
    decoded = from_global_id(global_id)
    if decoded is None:
        raise PeerError(f"not one of our global IDs: {global_id!r}")
    type_name, value = decoded
    if type_name != expected_type:
        raise PeerError(f"{global_id!r} is a {type_name} ID, expected {expected_type}")
    return str(value)


def _uuid(value: str) -> str:
    return str(UUID(value))


def _offices(offices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sorted by name then id, as our API returns them; the peer's order is irrelevant."""
    return sorted(offices, key=lambda office: (office["name"], office["id"]))


def _row(
    node: Mapping[str, Any],
    staff_id: str,
    role: dict[str, Any],
    provider: dict[str, Any],
    offices: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "id": staff_id,
        "firstName": node["firstName"],
        "lastName": node["lastName"],
        "username": node["username"],
        "email": node["email"],
        "status": node["status"],
        "twoFactorEnabled": node["twoFactorEnabled"],
        "role": role,
        "primaryProvider": provider,
        "offices": _offices(offices),
    }


def normalize_ours(response: Mapping[str, Any]) -> dict[str, Any]:
    """Our answer to bench/queries/staff_page.graphql as plain rows, hasNextPage, counts."""
    data = _data(response, "our API")
    connection = data["staffMembers"]
    rows = []
    for edge in connection["edges"]:
        node = edge["node"]
        role = node["role"]
        provider = node["primaryProvider"]
        rows.append(
            _row(
                node,
                raw_id(node["id"], "StaffMember"),
                {"id": raw_id(role["id"], "Role"), "name": role["name"]},
                {
                    "id": raw_id(provider["id"], "Provider"),
                    "firstName": provider["firstName"],
                    "lastName": provider["lastName"],
                },
                [
                    {"id": raw_id(office["id"], "Office"), "name": office["name"]}
                    for office in node["offices"]
                ],
            )
        )
    counts = data["staffCounts"]
    return {
        "rows": rows,
        "hasNextPage": connection["pageInfo"]["hasNextPage"],
        "counts": {
            "active": counts["active"],
            "pending": counts["pending"],
            "inactive": counts["inactive"],
        },
    }


def normalize_peer(response: Mapping[str, Any]) -> dict[str, Any]:
    """PostGraphile's answer to bench/peer/staff_page.graphql, shaped like normalize_ours."""
    data = _data(response, "PostGraphile")
    connection = data["staffMembers"]
    rows = []
    for edge in connection["edges"]:
        node = edge["node"]
        role = node["role"]
        provider = node["primaryProvider"]
        rows.append(
            _row(
                node,
                _uuid(node["rowId"]),
                {"id": _uuid(role["rowId"]), "name": role["name"]},
                {
                    "id": _uuid(provider["rowId"]),
                    "firstName": provider["firstName"],
                    "lastName": provider["lastName"],
                },
                [
                    {"id": _uuid(link["office"]["rowId"]), "name": link["office"]["name"]}
                    for link in node["offices"]["nodes"]
                ],
            )
        )
    return {
        "rows": rows,
        "hasNextPage": connection["pageInfo"]["hasNextPage"],
        "counts": {
            "active": data["active"]["totalCount"],
            "pending": data["pending"]["totalCount"],
            "inactive": data["inactive"]["totalCount"],
        },
    }


def differences(ours: Mapping[str, Any], peer: Mapping[str, Any], limit: int = 20) -> list[str]:
    """Human-readable differences between two normalised answers (empty when equal)."""
    found: list[str] = []

    def walk(path: str, a: Any, b: Any) -> None:
        if len(found) >= limit:
            return
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            for key in sorted(set(a) | set(b)):
                walk(f"{path}.{key}", a.get(key, "<missing>"), b.get(key, "<missing>"))
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                found.append(f"{path}: {len(a)} items (ours) vs {len(b)} (peer)")
            for index, (x, y) in enumerate(zip(a, b, strict=False)):
                walk(f"{path}[{index}]", x, y)
        elif a != b or type(a) is not type(b):
            found.append(f"{path}: {a!r} (ours) vs {b!r} (peer)")

    walk("$", ours, peer)
    return found


# --- one-off check from the command line ----------------------------------------------------


def login(our_url: str, username: str, password: str) -> str:
    body = json.dumps(
        {
            "query": "mutation Login($input: LoginInput!) { login(input: $input) "
            "{ token userErrors { field code message } } }",
            "variables": {"input": {"username": username, "password": password}},
        }
    ).encode()
    payload = _data(post_json(our_url, body), "our API")["login"]
    if not payload.get("token"):
        raise PeerError(f"login as {username!r} failed: {payload.get('userErrors')}")
    token: str = payload["token"]
    return token


def viewer_practice_id(our_url: str, token: str) -> str:
    body = b'{"query":"{ viewer { practice { id } } }"}'
    viewer = _data(post_json(our_url, body, token=token), "our API")["viewer"]
    if viewer is None:
        raise PeerError("our API has no viewer for this token")
    return raw_id(viewer["practice"]["id"], "Practice")


def check(
    *,
    database_url: str,
    our_url: str,
    token: str,
    practice_id: str | None,
    peer_url: str | None,
    port: int,
    first: int,
    run_setup: bool,
) -> bool:
    """Ask both sides for the same page; True when the normalised answers are equal."""
    practice = practice_id or viewer_practice_id(our_url, token)
    print(f"practice {practice}, first {first}, status ACTIVE")
    proc = None
    if peer_url is None:
        if run_setup:
            setup()
        started = time.monotonic()
        proc = start(database_url, port)
        peer_url = graphql_url(port)
        print(f"PostGraphile up at {peer_url} after {time.monotonic() - started:.1f} s")
    try:
        ours = normalize_ours(post_json(our_url, our_request_body(first), token=token))
        peer = normalize_peer(post_json(peer_url, peer_request_body(practice, first)))
    finally:
        if proc is not None:
            stop(proc)
    print(
        f"ours: {len(ours['rows'])} rows, hasNextPage {ours['hasNextPage']}, "
        f"counts {ours['counts']}, "
        f"{sum(len(row['offices']) for row in ours['rows'])} office links"
    )
    print(
        f"peer: {len(peer['rows'])} rows, hasNextPage {peer['hasNextPage']}, "
        f"counts {peer['counts']}, "
        f"{sum(len(row['offices']) for row in peer['rows'])} office links"
    )
    if ours == peer:
        print("EQUAL: normalize_ours(ours) == normalize_peer(peer)")
        return True
    print("DIFFERENT:")
    for line in differences(ours, peer):
        print(f"  {line}")
    return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.postgraphile",
        description="B1 peer (PostGraphile 5): setup and checks",
    )
    parser.add_argument("--check", action="store_true", help="compare our answer with the peer's")
    parser.add_argument("--setup", action="store_true", help="only install the peer")
    parser.add_argument("--write-body", metavar="PATH", help="write the peer's POST body here")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--our-url", default="http://127.0.0.1:8124/graphql")
    parser.add_argument("--token", help="bearer token for our API (else log in)")
    parser.add_argument("--username", default=DEMO_USERNAME)
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--practice-id", help="UUID; default: the viewer's practice")
    parser.add_argument("--peer-url", help="use a running peer instead of starting one")
    parser.add_argument("--port", type=int, default=5679, help="port for the started peer")
    parser.add_argument("--first", type=int, default=25)
    parser.add_argument("--no-setup", action="store_true", help="do not run setup.sh first")
    args = parser.parse_args(argv)
    try:
        if args.setup:
            setup()
        if args.write_body:
            if not args.practice_id:
                parser.error("--write-body needs --practice-id")
            Path(args.write_body).write_bytes(peer_request_body(args.practice_id, args.first))
            print(f"wrote {args.write_body}")
        if args.check:
            if not args.database_url and not args.peer_url:
                parser.error("--check needs --database-url (or DATABASE_URL) or --peer-url")
            token = args.token or login(args.our_url, args.username, args.password)
            equal = check(
                database_url=args.database_url,
                our_url=args.our_url,
                token=token,
                practice_id=args.practice_id,
                peer_url=args.peer_url,
                port=args.port,
                first=args.first,
                run_setup=not args.no_setup,
            )
            return 0 if equal else 1
    except PeerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not (args.setup or args.write_body or args.check):
        parser.print_help()
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
