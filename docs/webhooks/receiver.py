"""A webhook receiver to try webhooks with: it verifies each delivery with the
`standardwebhooks` package and prints one line per event it accepts.

    WEBHOOK_SECRET=whsec_… python docs/webhooks/receiver.py 9009

A delivery whose signature does not verify is answered 400 (and printed as refused); a
verified one 204, which tells the service it was received."""

import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

webhook = Webhook(os.environ["WEBHOOK_SECRET"])


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        try:
            event = webhook.verify(body, dict(self.headers.items()))
        except WebhookVerificationError:
            print("refused: the signature does not verify", flush=True)
            self.send_response(400)
            self.end_headers()
            return
        data = event["data"]
        who = data.get("username", data.get("name", ""))
        print(f"verified {event['type']} {who} sequence {event['sequence']}", flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per event is enough


HTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
