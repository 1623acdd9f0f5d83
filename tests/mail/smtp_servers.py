"""Misbehaving SMTP servers (aiosmtpd handlers) for the sender's error paths."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller

from tests.mail.factories import closed_port


class PickyServer:
    """Refuses recipients named bounce@…, and answers 421 to the MAIL FROM that
    exceeds `per_connection` messages on one connection, like servers that
    limit messages per connection."""

    def __init__(self, per_connection: int = 1000) -> None:
        self.per_connection = per_connection
        self.connections = 0
        self.delivered: list[str] = []
        self._mails: dict[int, int] = {}

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        self.connections += 1
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        count = self._mails.get(id(session), 0) + 1
        self._mails[id(session)] = count
        if count > self.per_connection:
            return "421 4.7.0 Too many messages on this connection"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.startswith("bounce@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


@contextmanager
def running(handler: object) -> Iterator[int]:
    """Serve `handler` on 127.0.0.1 and yield the port."""
    port = closed_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
