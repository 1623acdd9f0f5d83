"""GraphiQL in development carries its own Content-Security-Policy, which allows the
scripts and styles its page loads (by exact URL and hash, no 'unsafe-inline'); production
serves no GraphiQL."""

import base64
import dataclasses
import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from backend.app import create_app
from backend.config import Settings
from backend.http.request_context import SECURITY_HEADERS


@asynccontextmanager
async def _client(settings: Settings, environment: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(dataclasses.replace(settings, environment=environment, smtp_host=""))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        yield http


def _directive(policy: str, name: str) -> list[str]:
    for directive in policy.split(";"):
        words = directive.split()
        if words and words[0] == name:
            return words[1:]
    raise AssertionError(f"no {name} in {policy}")


def _sha256(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


async def test_graphiql_page_carries_a_policy_that_allows_its_scripts(settings: Settings) -> None:
    async with _client(settings, "development") as http:
        page = await http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "GraphiQL" in page.text
    policy = page.headers["content-security-policy"]
    assert policy != SECURITY_HEADERS["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    scripts = _directive(policy, "script-src")
    for url in re.findall(r'<script[^>]*\ssrc="([^"]+)"', page.text):
        assert url in scripts, url
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert inline and all(_sha256(source) in scripts for source in inline)
    styles = _directive(policy, "style-src")
    for url in re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', page.text, re.DOTALL):
        assert url in styles, url
    inline_styles = re.findall(r"<style>(.*?)</style>", page.text, re.DOTALL)
    assert all(_sha256(source) in styles for source in inline_styles)
    assert _directive(policy, "frame-ancestors") == ["'none'"]
    # Nothing but the page is allowed from outside: no wildcard host, no scheme source.
    assert not any(source in {"*", "https:", "http:"} for source in scripts + styles)


async def test_the_rest_of_the_app_keeps_the_strict_policy(settings: Settings) -> None:
    async with _client(settings, "development") as http:
        spa = await http.get("/")
    assert spa.headers["content-security-policy"] == SECURITY_HEADERS["content-security-policy"]


async def test_production_serves_no_graphiql(settings: Settings) -> None:
    async with _client(settings, "production") as http:
        page = await http.get("/graphql", headers={"accept": "text/html"})
    assert "graphiql" not in page.text.lower()
    assert not page.headers.get("content-type", "").startswith("text/html")
    assert page.headers["content-security-policy"] == SECURITY_HEADERS["content-security-policy"]
