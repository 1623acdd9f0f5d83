"""Counters of what happens in the process, for /metrics (backend/http/metrics.py renders
them). Services and the API layer increment them with one line each and know nothing of
HTTP or of how the numbers are served.

They live in prometheus_client's default registry: one set per process, which every
scrape of that process reads (the process is one scrape target; see the README)."""

from collections.abc import Iterable

from prometheus_client import Counter, Histogram

PREFIX = "staff_accounts"

GRAPHQL_REQUESTS = Counter(
    f"{PREFIX}_graphql_requests",
    "GraphQL requests, by operation name (known names only, see "
    "backend/http/operation_names.py; the rest are 'other').",
    ["operation"],
)
GRAPHQL_LATENCY = Histogram(
    f"{PREFIX}_graphql_request_duration_seconds",
    "Time from a GraphQL request's arrival to the end of its answer, by operation name.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
GRAPHQL_ERRORS = Counter(
    f"{PREFIX}_graphql_errors",
    "Top-level GraphQL errors, by extensions.code.",
    ["code"],
)
SIGN_IN_FAILURES = Counter(
    f"{PREFIX}_sign_in_failures",
    "Wrong secrets counted by the brute-force throttle (passwords, two-factor and recovery codes).",
)
SIGN_IN_LOCKS = Counter(
    f"{PREFIX}_sign_in_locks",
    "Usernames locked after LOGIN_LOCK_AFTER consecutive failures.",
)


def count_error_codes(codes: Iterable[str]) -> None:
    for code in codes:
        GRAPHQL_ERRORS.labels(code=code).inc()
