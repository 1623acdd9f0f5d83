from datetime import UTC, datetime, timedelta, timezone

import pytest

from backend.mail.render import (
    SUBJECT_MAX_LENGTH,
    RenderedEmail,
    render_activation_email,
    render_activation_link,
)

LINK = "https://staff.example.test/activate#token=abc123"
EXPIRES_AT = datetime(2026, 12, 2, 14, 5, 30, tzinfo=UTC)


def _render(
    practice_name: str = "Riverside Family Practice",
    *,
    expires_at: datetime = EXPIRES_AT,
    username: str = "ada.l",
) -> RenderedEmail:
    return render_activation_email(
        practice_name=practice_name,
        first_name="Ada",
        username=username,
        link=LINK,
        expires_at=expires_at,
    )


def test_the_link_carries_the_token_in_the_fragment() -> None:
    link = render_activation_link("https://staff.example.test/", "a-b_c9")

    assert link == "https://staff.example.test/activate#token=a-b_c9"


def test_both_bodies_say_who_what_and_until_when() -> None:
    email = _render()

    assert email.subject == "Activate your staff account at Riverside Family Practice"
    for body in (email.text, email.html):
        assert "Hello Ada," in body
        assert "Riverside Family Practice has created a staff account for you." in body
        assert LINK in body
        assert "until 2026-12-02 14:05 UTC" in body
        assert "ada.l" in body
        assert "the password your administrator gave you" in " ".join(body.split())
        assert "choose your own password" in body
    assert f'<a href="{LINK}">' in email.html


def test_the_validity_is_stated_in_hours_and_in_utc() -> None:
    in_72_hours = datetime.now(timezone(timedelta(hours=-5))) + timedelta(hours=72)

    email = _render(expires_at=in_72_hours)

    until = in_72_hours.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    assert f"valid for 72 hours, until {until}" in email.text
    assert f"valid for 72 hours, until {until}" in email.html


def test_a_naive_expiry_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _render(expires_at=datetime(2026, 12, 2, 14, 5))


def test_every_value_is_escaped_in_html_and_kept_as_is_in_text() -> None:
    email = _render("<b>&Co", username='o"hara<script>')

    assert "&lt;b&gt;&amp;Co has created a staff account" in email.html
    assert "o&quot;hara&lt;script&gt;" in email.html
    assert "<b>" not in email.html
    assert "<script>" not in email.html
    assert "<b>&Co has created a staff account" in email.text
    assert email.subject == "Activate your staff account at <b>&Co"


def test_no_password_field_exists_and_none_leaks() -> None:
    email = _render()

    for body in (email.text, email.html):
        assert "password:" not in body.lower()
    # The function cannot receive one: a password keyword is a TypeError.
    with pytest.raises(TypeError):
        render_activation_email(  # type: ignore[call-arg]
            practice_name="P",
            first_name="Ada",
            username="ada",
            link=LINK,
            expires_at=EXPIRES_AT,
            password="secret",
        )


def test_a_practice_name_cannot_inject_headers_or_overflow_the_subject() -> None:
    email = _render("Evil\r\nBcc: victim@example.com " + "x" * 300)

    assert "\n" not in email.subject and "\r" not in email.subject
    assert len(email.subject) == SUBJECT_MAX_LENGTH
    assert email.subject.startswith("Activate your staff account at Evil Bcc:")
