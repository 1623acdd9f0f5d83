"""A Content-Security-Policy for strawberry's GraphiQL page (development only).

The app's policy allows scripts from itself only, which leaves GraphiQL a blank
"Loading…": the page loads React and GraphiQL from a CDN and starts them with an inline
script. This policy allows exactly what the page itself names — the URL of each script
and stylesheet it loads and the SHA-256 of each inline script and style — and nothing
else, so it follows strawberry's page when an upgrade changes it."""

import base64
import hashlib
from html.parser import HTMLParser


class _PageAssets(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.script_urls: list[str] = []
        self.style_urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.inline_styles: list[str] = []
        self._inline: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.script_urls.append(str(attributes["src"]))
        elif tag == "link" and attributes.get("rel") == "stylesheet" and attributes.get("href"):
            self.style_urls.append(str(attributes["href"]))
        elif tag in {"script", "style"}:
            self._inline = self.inline_scripts if tag == "script" else self.inline_styles
            self._inline.append("")

    def handle_data(self, data: str) -> None:
        if self._inline is not None:
            self._inline[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._inline = None


def _hash_source(content: str) -> str:
    digest = hashlib.sha256(content.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def graphiql_policy(page: str) -> str:
    assets = _PageAssets()
    assets.feed(page)
    assets.close()
    scripts = [*assets.script_urls, *map(_hash_source, assets.inline_scripts)]
    styles = [*assets.style_urls, *map(_hash_source, assets.inline_styles)]
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {' '.join(scripts)}",
            f"style-src 'self' {' '.join(styles)}",
            # The page's icon is a data: URL; GraphiQL's stylesheet may embed its fonts.
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )
