"""Activation email: rendering, the transactional outbox, the SMTP sender, a dev mailbox.

Services write an outbox row in the same transaction as the change that causes
the email (`outbox.enqueue_email`); an `OutboxSender` drains the table over SMTP,
so a crash or an SMTP outage delays mail but never loses it.
"""
