"""An SMTP server that accepts and drops every message: where the benchmarked server's
activation emails go (B5, B8), so that mail never blocks or fails."""

import socket
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller


class _Drop:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


class MailSink:
    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self._controller = Controller(_Drop(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "MailSink":
        self._controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._controller.stop()
