"""Signed webhooks: events written with the change (events), their payloads (payloads),
delivery to partner endpoints by the worker (claims, sender, signing)."""
