"""The SPA's webhook event choices are the schema's WebhookEventType values a person can
subscribe to, in the enum's order (every one but PING, which is sent on request only)."""

import re

from backend.spa import FRONTEND_DIR
from backend.webhooks.payloads import EventType


def test_the_spa_offers_every_subscribable_event_type() -> None:
    source = (FRONTEND_DIR / "src" / "webhook-event-types.js").read_text()
    catalogue = re.search(r"SUBSCRIBABLE_EVENTS = \{(.*?)\n\};", source, re.S)
    assert catalogue is not None
    offered = re.findall(r"^\s+([A-Z_]+):", catalogue.group(1), re.M)
    assert offered == [event.name for event in EventType if event is not EventType.PING]
