"""The activation email, as plain text and HTML."""

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

# Matches OutboxMessage.subject (max_length=200): a long practice name must not
# make the outbox insert fail inside the caller's transaction.
SUBJECT_MAX_LENGTH = 200


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_activation_link(public_base_url: str, token: str) -> str:
    # The token travels in the fragment: browsers never send it to the server,
    # so it cannot end up in access logs or proxies.
    return f"{public_base_url.rstrip('/')}/activate#token={quote(token, safe='')}"


def render_activation_email(
    *,
    practice_name: str,
    first_name: str,
    username: str,
    link: str,
    expires_at: datetime,
    chooses_secrets: bool = False,
) -> RenderedEmail:
    """`chooses_secrets`: the person was given no password (provisioned over SCIM) and
    chooses one, and the app's PIN, when activating."""
    # The password is deliberately not a parameter: it never travels by email.
    practice = _one_line(practice_name)
    credentials = (
        "You will confirm your username, {u}, and choose your password and your mobile app PIN."
        if chooses_secrets
        else "You will sign in with your username, {u}, and the password your administrator "
        "gave you. You will then choose your own password."
    )
    first_name = _one_line(first_name)
    validity = _validity(expires_at)
    return RenderedEmail(
        subject=_subject(practice),
        text=_TEXT.format(
            first_name=first_name,
            practice=practice,
            link=link,
            validity=validity,
            credentials=credentials.format(u=username),
        ),
        html=_HTML.format(
            first_name=html.escape(first_name),
            practice=html.escape(practice),
            link=html.escape(link),
            validity=html.escape(validity),
            credentials_html=credentials.format(u=f"<strong>{html.escape(username)}</strong>"),
        ),
    )


def _subject(practice: str) -> str:
    subject = f"Activate your staff account at {practice}"
    if len(subject) <= SUBJECT_MAX_LENGTH:
        return subject
    return subject[: SUBJECT_MAX_LENGTH - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _one_line(value: str) -> str:
    # Header values may not contain line breaks (header injection), and a name
    # with stray whitespace reads badly in a sentence anyway.
    return " ".join(value.split())


def _validity(expires_at: datetime) -> str:
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    until = expires_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    # Rendered when the link is issued, so the remaining time is the full validity.
    hours = round((expires_at - datetime.now(UTC)).total_seconds() / 3600)
    if hours < 1:
        return f"valid until {until}"
    unit = "hour" if hours == 1 else "hours"
    return f"valid for {hours} {unit}, until {until}"


_TEXT = """\
Hello {first_name},

{practice} has created a staff account for you.

To activate it, open this link:

{link}

The link is {validity}. If it has expired, ask your administrator to send a new one.

{credentials}

If you were not expecting this email, you can ignore it.
"""

_HTML = """\
<!DOCTYPE html>
<html lang="en">
<body style="font-family: sans-serif; line-height: 1.5; color: #1f2933;">
<p>Hello {first_name},</p>
<p>{practice} has created a staff account for you.</p>
<p><a href="{link}">Activate your account</a></p>
<p>If the link does not open, copy this address into your browser:<br>{link}</p>
<p>The link is {validity}. If it has expired, ask your administrator to send a new one.</p>
<p>{credentials_html}</p>
<p>If you were not expecting this email, you can ignore it.</p>
</body>
</html>
"""
