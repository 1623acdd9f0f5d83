"""Load generation: wrk with bench/wrk/post.lua (throughput at 16 connections, or
per-request latency at one), optionally split over several ports (one wrk thread each).

    python -m bench.wrk_load http://127.0.0.1:8125/graphql --body body.json --token TOKEN
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

POST_SCRIPT = Path(__file__).resolve().parent / "wrk" / "post.lua"
RESULT_PREFIX = "WRK_RESULT "


class LoadError(RuntimeError):
    """wrk is missing, failed, or the server answered with errors."""


@dataclass(frozen=True)
class LoadResult:
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    duration_s: float
    # Socket errors and timeouts (connect, read, write, timeout) plus statuses > 399.
    errors: int
    # Responses with a status outside 200-299.
    non_2xx: int


def run_wrk(
    url: str,
    body: bytes,
    *,
    token: str | None,
    connections: int = 16,
    threads: int = 2,
    duration_s: int = 10,
    warmup_s: int = 2,
    timeout_s: int = 5,
    split_ports: Sequence[int] = (),
) -> LoadResult:
    """POST `body` to `url` from `connections` connections: a warm-up of `warmup_s`
    seconds (not measured), then the measured run. Raises LoadError when wrk is missing,
    when one checked request before the load does not answer 2xx with a JSON body free of
    GraphQL `errors`, or when the measured run saw any error or non-2xx response.

    With `split_ports`, thread i connects to port split_ports[i % len(split_ports)] of the
    URL's host instead (`threads` should be a multiple of their number): one wrk run over
    several server processes, its latencies counted together."""
    if split_ports and threads % len(split_ports):
        raise ValueError(f"{threads} wrk threads do not split evenly over {len(split_ports)} ports")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise LoadError("wrk was not found on PATH; install it (apt-get install wrk)")
    authorization = f"Bearer {token}" if token else ""
    for check_url in [url] if not split_ports else [_on_port(url, p) for p in split_ports]:
        check_response(check_url, body, authorization=authorization)
    env = {**os.environ, "WRK_SPLIT_PORTS": ",".join(str(p) for p in split_ports)}
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        body_file = Path(folder) / "body.json"
        body_file.write_bytes(body)

        def run(seconds: int) -> LoadResult:
            command = [
                wrk,
                f"--threads={threads}",
                f"--connections={connections}",
                f"--duration={seconds}s",
                f"--timeout={timeout_s}s",
                f"--script={POST_SCRIPT}",
                url,
                "--",
                str(body_file),
                authorization,
                "--count-non-2xx",
            ]
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=seconds + timeout_s + 30,
                env=env,
            )
            if done.returncode != 0:
                raise LoadError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
            return parse_wrk_output(done.stdout)

        if warmup_s > 0:
            run(warmup_s)
        result = run(duration_s)
    if result.errors or result.non_2xx:
        raise LoadError(
            f"{url}: {result.errors} errors and {result.non_2xx} non-2xx responses "
            f"in {result.requests} requests"
        )
    return result


def one_connection(url: str, body: bytes, token: str, seconds: int = 3) -> LoadResult:
    """Per-request latency: one connection, back to back."""
    return run_wrk(url, body, token=token, connections=1, threads=1, duration_s=seconds, warmup_s=1)


def _on_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.hostname}:{port}"))


def check_response(url: str, body: bytes, *, authorization: str = "") -> bytes:
    """One request as wrk will send it; its body, when the answer is 2xx JSON without
    GraphQL `errors` (wrk sees only statuses, and GraphQL errors come with 200)."""
    headers = {"Content-Type": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: bytes = response.read()
    except urllib.error.HTTPError as error:
        raise LoadError(f"{url} answered {error.code}: {error.read()[:300]!r}") from None
    except OSError as error:
        raise LoadError(f"{url} did not answer: {error}") from None
    try:
        document = json.loads(answer)
    except ValueError:
        raise LoadError(f"{url} answered something other than JSON: {answer[:300]!r}") from None
    if not isinstance(document, dict) or document.get("errors"):
        raise LoadError(f"{url} answered with errors: {answer[:500]!r}")
    return answer


def parse_wrk_output(stdout: str) -> LoadResult:
    for line in stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            raw = json.loads(line.removeprefix(RESULT_PREFIX))
            break
    else:
        raise LoadError(f"no {RESULT_PREFIX.strip()} line in wrk's output:\n{stdout}")
    latency = raw["latency_us"]
    errors = raw["errors"]
    return LoadResult(
        rps=raw["rps"],
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        requests=raw["requests"],
        duration_s=raw["duration_us"] / 1e6,
        errors=sum(errors.values()),
        non_2xx=raw["non_2xx"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="POST a JSON body with wrk and print figures.")
    parser.add_argument("url")
    parser.add_argument("--body", type=Path, required=True, help="file with the JSON body")
    parser.add_argument(
        "--token", help="bearer token (write --token=... : tokens may start with -)"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds")
    parser.add_argument("--warmup", type=int, default=2, help="seconds")
    args = parser.parse_args()
    result = run_wrk(
        args.url,
        args.body.read_bytes(),
        token=args.token,
        connections=args.connections,
        threads=args.threads,
        duration_s=args.duration,
        warmup_s=args.warmup,
    )
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
