"""Webhook delivery throughput (issue 14): the app's WebhookSender against a plain httpx
loop, both POSTing the same signed bodies to one local receiver.

`count` events are recorded through the app's own code (`webhook_events.record`, one
transaction each, as a staff change does) for one endpoint, then drained by
`WebhookSender.deliver_due` until a pass finds nothing. The reference POSTs the same bodies
and headers with one `httpx.AsyncClient`, in batches of the sender's size sent
concurrently, and does no database work. The receiver (a threaded http.server answering
204) runs in a child process, so that it does not share this process's GIL.

Target: sender >= 0.8 x plain httpx.

    python -m bench.webhook_bench [--database-url URL] [--count N]
"""

import argparse
import asyncio
import multiprocessing
import tempfile
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from time import perf_counter

import httpx
import orjson
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.db import apply_migrations, close_database, open_database
from backend.models import Plan, Practice, WebhookEndpoint, WebhookEvent
from backend.webhooks import events, signing
from backend.webhooks.payloads import Actor, EventType
from backend.webhooks.sender import WebhookSender

BATCH = 50


def _serve(pipe: Connection) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 512  # a batch connects at once

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    pipe.send(server.server_address[1])
    server.serve_forever()


async def _record(count: int, url: str, settings: Settings) -> None:
    practice = await Practice.create(name="Bench Practice", plan=Plan.INVOICED)
    await WebhookEndpoint.create(
        practice_id=practice.id,
        url=url,
        event_types=[EventType.STAFF_UPDATED.value],
        secret_encrypted=signing.seal(signing.new_secret(), settings),
    )
    for _ in range(count):
        async with in_transaction() as db:
            await events.record(
                type=EventType.STAFF_UPDATED,
                practice_id=practice.id,
                actor=Actor("system"),
                resource_id=uuid.uuid4(),
                data={"id": "x", "note": "bench"},
                using_db=db,
            )


async def _plain(url: str, bodies: list[str], secret: str) -> float:
    async with httpx.AsyncClient(timeout=10) as client:

        async def post(body: str) -> None:
            now = datetime.now(UTC)
            headers = signing.headers(
                message_id=str(uuid.uuid4()), timestamp=now, body=body, secrets=[secret]
            )
            response = await client.post(url, content=body, headers=headers)
            assert response.status_code == 204

        started = perf_counter()
        for start in range(0, len(bodies), BATCH):
            await asyncio.gather(*(post(body) for body in bodies[start : start + BATCH]))
        return perf_counter() - started


async def main(database_url: str, count: int) -> None:
    parent, child = multiprocessing.Pipe()
    receiver = multiprocessing.Process(target=_serve, args=(child,), daemon=True)
    receiver.start()
    url = f"http://127.0.0.1:{parent.recv()}/hook"
    settings = Settings(environment="test", password_hash_profile="fast")
    await apply_migrations(database_url)
    await open_database(database_url)
    try:
        await _record(count, url, settings)
        bodies = [orjson.dumps(e.payload).decode() for e in await WebhookEvent.all()]
        plain = await _plain(url, bodies, signing.new_secret())
        sender = WebhookSender(settings, batch_size=BATCH)
        started = perf_counter()
        delivered = 0
        while claimed := await sender.deliver_due():
            delivered += claimed
        ours = perf_counter() - started
        await sender.aclose()
    finally:
        await close_database()
        receiver.terminate()
    assert delivered == count, delivered
    print(f"events: {count}  database: {database_url.split(':')[0]}")
    print(f"plain httpx: {count / plain:8.0f} events/s")
    print(f"WebhookSender: {count / ours:6.0f} events/s  ({plain / ours:.2f} x plain)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    url = args.database_url or f"sqlite://{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    asyncio.run(main(url, args.count))
