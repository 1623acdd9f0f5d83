from datetime import UTC, datetime
from email import message_from_bytes, policy
from uuid import uuid4

import pytest

from backend.mail.mime import MissingBodyError, build_message, sender_domain
from backend.models import OutboxMessage

NOW = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)


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


def test_text_with_an_html_alternative_and_all_headers() -> None:
    row = _row()

    mime = build_message(row, mail_from="Staff Accounts <no-reply@staff.example>", now=NOW)

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
    mime = build_message(_row(body_html=None), mail_from="a@b.test", now=NOW)

    assert mime.get_content_type() == "text/plain"


def test_a_row_without_text_cannot_be_built() -> None:
    with pytest.raises(MissingBodyError):
        build_message(_row(body_text=None), mail_from="a@b.test", now=NOW)


@pytest.mark.parametrize(
    ("mail_from", "domain"),
    [("Staff <no-reply@staff.example>", "staff.example"), ("nobody", "localhost")],
)
def test_the_message_id_domain_comes_from_the_sender(mail_from: str, domain: str) -> None:
    assert sender_domain(mail_from) == domain
