"""Where webhooks may go: a partner's public https server, never this network's insides.

Checked when an endpoint is saved and again before every delivery, since a name can be
pointed at another address after it was checked (DNS rebinding); the delivery then
connects to the addresses this check approved, not to a second lookup's. Development and tests
allow loopback and plain http (Settings.allows_private_webhook_targets)."""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from backend.config import Settings

URL_MAX_LENGTH = 2000


def url_problem(url: str, settings: Settings) -> str | None:
    """What is wrong with the URL itself, before any address is looked up."""
    if len(url) > URL_MAX_LENGTH:
        return f"The URL is longer than {URL_MAX_LENGTH} characters."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range or not a number)
        connect_host(url)
    except (ValueError, httpx.InvalidURL):
        return "The URL is not valid: check its host name and port."
    allowed = {"https", "http"} if settings.allows_private_webhook_targets else {"https"}
    if parts.scheme not in allowed or not parts.hostname:
        return "Give an https:// URL." if "http" not in allowed else "Give an http(s):// URL."
    if parts.username or parts.password:
        return "The URL must not carry a user name or password: the signature authenticates."
    return None


def connect_host(url: str) -> str:
    """The host as httpx connects to it: lower case, IDNA 2008 (punycode) for a name with
    non-ASCII letters, which is the name to look up and to pin."""
    return httpx.URL(url).raw_host.decode("ascii").lower()


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # is_private covers 10/8, 172.16/12, 192.168/16, fc00::/7 and 169.254/16 (the cloud
    # metadata address 169.254.169.254) among others.
    return not ip.is_global or ip.is_link_local or ip.is_loopback or ip.is_private


# A name's addresses, looked up once: the sender connects to what this returned.
Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Verdict:
    refusal: str | None
    # The addresses that passed the check: the only ones a delivery may connect to
    # (backend/webhooks/pinning.py). Empty when no check applies (development, tests).
    addresses: tuple[str, ...] = ()


async def check(url: str, settings: Settings, resolver: Resolver = system_resolver) -> Verdict:
    """May this URL receive a webhook now, and at which addresses."""
    problem = url_problem(url, settings)
    if problem or settings.allows_private_webhook_targets:
        return Verdict(problem)
    parts = urlsplit(url)
    host = connect_host(url)
    try:
        addresses = await resolver(host, parts.port or 443)
    except OSError:
        return Verdict(f"The host {host} does not resolve.")
    if not addresses or any(_is_internal(address) for address in addresses):
        return Verdict(f"The host {host} resolves to a loopback, private or link-local address.")
    return Verdict(None, tuple(addresses))


async def refusal(url: str, settings: Settings, resolver: Resolver = system_resolver) -> str | None:
    """Why this URL may not receive a webhook now; None when it may."""
    return (await check(url, settings, resolver)).refusal
