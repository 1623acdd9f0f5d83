from datetime import UTC, datetime
from email import message_from_bytes, policy
from uuid import uuid4

import pytest
from cryptography.fernet import Fernet

from backend.config import Settings
from backend.mail.body_crypto import UndecryptableBodyError, encrypt_body
from backend.mail.mime import MissingBodyError, build_message, sender_domain
from backend.models import OutboxMessage

NOW = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)
OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()
SETTINGS = Settings(
    environment="test",
    mail_from="Staff Accounts <no-reply@staff.example>",
    secret_keys=(NEW_KEY, OLD_KEY),
)


def _row(**overrides: object) -> OutboxMessage:
    values: dict[str, object] = {
        "id": uuid4(),
        "kind": "activation",
        "recipient": "ada@example.com",
        "subject": "Activate your staff account at Riverside",
        "body_text": "Open https://x.test/activate#token=t",
        "body_html": "<p>Open</p>",
        "next_attempt_at": NOW,
    }
    values.update(overrides)
    return OutboxMessage(**values)


def _encrypted_row(settings: Settings) -> OutboxMessage:
    return _row(
        body_text=encrypt_body("Open https://x.test/activate#token=t", settings),
        body_html=encrypt_body("<p>Open</p>", settings),
    )


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(_encrypted_row(SETTINGS), id="encrypted"),
        # Queued by the previous key of the set, before a rotation.
        pytest.param(
            _encrypted_row(Settings(environment="test", secret_keys=(OLD_KEY,))), id="older-key"
        ),
        # Queued in plain text before bodies were encrypted: sent as it is.
        pytest.param(_row(), id="legacy-plain-text"),
    ],
)
def test_text_with_an_html_alternative_and_all_headers(row: OutboxMessage) -> None:
    mime = build_message(row, settings=SETTINGS, now=NOW)

    parsed = message_from_bytes(mime.as_bytes(), policy=policy.default)
    assert parsed["From"] == "Staff Accounts <no-reply@staff.example>"
    assert parsed["To"] == "ada@example.com"
    assert parsed["Subject"] == "Activate your staff account at Riverside"
    assert parsed["Date"] == "Sun, 29 Nov 2026 09:30:00 +0000"
    # Stable across retries, so receivers can recognise a duplicate.
    assert parsed["Message-ID"] == f"<{row.id}@staff.example>"
    assert parsed.get_content_type() == "multipart/alternative"
    plain = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert plain is not None and plain.get_content() == "Open https://x.test/activate#token=t\n"
    assert html is not None and html.get_content() == "<p>Open</p>\n"


def test_text_only_when_there_is_no_html() -> None:
    mime = build_message(_row(body_html=None), settings=SETTINGS, now=NOW)

    assert mime.get_content_type() == "text/plain"


def test_a_row_without_text_cannot_be_built() -> None:
    with pytest.raises(MissingBodyError):
        build_message(_row(body_text=None), settings=SETTINGS, now=NOW)


def test_a_body_no_configured_key_decrypts_cannot_be_built() -> None:
    dropped = Settings(environment="test", secret_keys=(Fernet.generate_key().decode(),))

    with pytest.raises(UndecryptableBodyError) as raised:
        build_message(_encrypted_row(dropped), settings=SETTINGS, now=NOW)
    # It becomes the row's last_error: it names the setting, never a key.
    assert "SECRET_KEYS" in str(raised.value)
    assert not any(key in str(raised.value) for key in (OLD_KEY, NEW_KEY))


@pytest.mark.parametrize(
    ("mail_from", "domain"),
    [("Staff <no-reply@staff.example>", "staff.example"), ("nobody", "localhost")],
)
def test_the_message_id_domain_comes_from_the_sender(mail_from: str, domain: str) -> None:
    assert sender_domain(mail_from) == domain
