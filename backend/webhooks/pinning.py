"""Deliveries connect to the addresses the SSRF check approved, never to a second lookup's.

Checking a name and then letting httpx resolve it again leaves a window: a rebinding DNS
server answers the check with a public address and the connection with 127.0.0.1. So the
sender's transport resolves nothing itself while a pin is set: its network backend
connects to the pinned addresses of the request's host. TLS still verifies the
certificate against the URL's name (httpcore passes the origin's host as SNI and
server_hostname) and the Host header is the name, so only the address is fixed. The pool
stays keyed by the name: a kept-alive connection was made to a checked address too.

Pins travel in a context variable set around one request (each delivery runs in its own
task), because the connection is opened deep inside httpcore, in that task."""

import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

import httpcore
import httpx

from backend.webhooks.ssrf import Resolver, connect_host, system_resolver

_pins: ContextVar[Mapping[str, tuple[str, ...]] | None] = ContextVar("webhook_pins", default=None)


@contextmanager
def pinned(url: str, addresses: tuple[str, ...]) -> Iterator[None]:
    """Within this block, connections to the URL's host go to `addresses` only (in
    order); with none (no check applied), the host is looked up as usual."""
    if not addresses:
        yield
        return
    token = _pins.set({connect_host(url): addresses})
    try:
        yield
    finally:
        _pins.reset(token)


def pinned_transport(
    *, resolver: Resolver = system_resolver, limits: httpx.Limits | None = None
) -> httpx.AsyncHTTPTransport:
    limits = limits or httpx.Limits()
    transport = httpx.AsyncHTTPTransport(limits=limits)
    if not isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        # Fail loudly rather than deliver unpinned, should a later httpx rename it.
        raise RuntimeError("this httpx keeps no httpcore pool to pin: update pinning.py")
    # httpx 0.28 takes no network backend; its transport only wraps this pool (and maps
    # httpcore's errors to httpx's), so the pool is replaced by one with ours.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_PinnedBackend(resolver),
    )
    return transport


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, resolver: Resolver) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._resolver = resolver

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        failure: Exception = httpcore.ConnectError(f"{host} has no address to connect to")
        for address in await self._addresses(host, port):
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as refused:
                failure = refused  # the next approved address may answer
        raise failure

    async def _addresses(self, host: str, port: int) -> tuple[str, ...]:
        pins = _pins.get()
        if pins is not None:
            if host.lower() not in pins:  # a host nobody checked: never resolved here
                raise httpcore.ConnectError(f"{host} was not checked before connecting")
            return pins[host.lower()]
        if _is_address(host):
            return (host,)
        # No check applies (development and tests): one lookup, as httpx would do.
        try:
            return tuple(await self._resolver(host, port))
        except OSError as failure:
            raise httpcore.ConnectError(f"{host} does not resolve: {failure}") from failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks are delivered over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
