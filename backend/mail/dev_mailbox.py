"""A real SMTP server that keeps what it receives: the development mailbox and the tests' server."""

import asyncio
import email
import email.policy
import itertools
import re
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

_LINK = re.compile(r"https?://[^\s<>\"']+")
# Punctuation that ends a sentence rather than a link.
_TRAILING = ".,;:!?)]"


@dataclass(frozen=True)
class CapturedMessage:
    id: int
    sender: str
    recipients: tuple[str, ...]
    subject: str
    text: str
    html: str | None
    received_at: datetime
    links: tuple[str, ...]


class DevMailbox:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._handler = _Handler()
        self._controller: Controller | None = None

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        return self._port

    @property
    def connection_count(self) -> int:
        """SMTP sessions seen, counted by their greeting (this server offers no STARTTLS)."""
        return self._handler.greetings

    def start(self) -> None:
        if self._controller is not None:
            raise RuntimeError("the mailbox is already running")
        if self._port == 0:
            # Controller needs a concrete port to verify that it is listening.
            self._port = _free_port(self._host)
        controller = Controller(self._handler, hostname=self._host, port=self._port)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            # Closes the listening socket before returning, so a new mailbox
            # can bind the same port right away.
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[CapturedMessage]:
        return self._handler.snapshot()

    def clear(self) -> None:
        self._handler.clear()

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[CapturedMessage]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            messages = self.messages()
            if len(messages) >= count:
                return messages
            if loop.time() >= deadline:
                raise TimeoutError(f"expected {count} messages, received {len(messages)}")
            await asyncio.sleep(0.01)

    def as_json(self) -> list[dict[str, object]]:
        return [
            {
                "id": message.id,
                "from": message.sender,
                "to": list(message.recipients),
                "subject": message.subject,
                "text": message.text,
                "html": message.html,
                "receivedAt": message.received_at.isoformat(),
                "links": list(message.links),
            }
            for message in self.messages()
        ]


class _Handler:
    """aiosmtpd handler; its hooks run on the controller's thread, hence the lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[CapturedMessage] = []
        self._ids = itertools.count(1)
        self.greetings = 0

    def snapshot(self) -> list[CapturedMessage]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        self._greeted()
        return responses

    async def handle_HELO(self, server: Any, session: Any, envelope: Any, hostname: str) -> str:
        session.host_name = hostname
        self._greeted()
        return f"250 {server.hostname}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # The default policy yields an EmailMessage, with get_body() and decoded content.
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = _part(parsed, "plain") or ""
        with self._lock:
            self._messages.append(
                CapturedMessage(
                    id=next(self._ids),
                    sender=envelope.mail_from,
                    recipients=tuple(envelope.rcpt_tos),
                    subject=str(parsed.get("Subject", "")),
                    text=text,
                    html=_part(parsed, "html"),
                    received_at=datetime.now(UTC),
                    links=_links(text),
                )
            )
        return "250 Message accepted for delivery"

    def _greeted(self) -> None:
        with self._lock:
            self.greetings += 1


def _part(message: EmailMessage, subtype: str) -> str | None:
    body = message.get_body(preferencelist=(subtype,))
    if body is None or body.get_content_subtype() != subtype:
        return None
    content = body.get_content()
    if not isinstance(content, str):
        return None
    # Parts arrive with the wire's CRLF line endings; the viewer wants plain lines.
    return content.replace("\r\n", "\n")


def _links(text: str) -> tuple[str, ...]:
    return tuple(match.rstrip(_TRAILING) for match in _LINK.findall(text))


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
