"""Security notices and self-service links by email: plain text and HTML, the practice's
name, and no secret but a single-use link where the email exists to carry one."""

import html
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from backend.mail.render import SUBJECT_MAX_LENGTH, RenderedEmail, _one_line, _validity

_NOT_YOU = (
    "If this was not you, contact your practice administrator at once: they can end "
    "every session of your account and send you a password reset."
)


@dataclass(frozen=True)
class Notice:
    subject: str
    paragraphs: tuple[str, ...]
    link: str | None = None
    link_label: str = ""
    # Most notices tell of a change the person may not have made.
    warn: bool = True


def fragment_link(public_base_url: str, path: str, token: str) -> str:
    # The token travels in the fragment: browsers never send it to the server, so it
    # cannot end up in access logs or proxies; opening the page changes nothing.
    return f"{public_base_url.rstrip('/')}/{path}#token={quote(token, safe='')}"


def render_notice(*, practice_name: str, first_name: str, notice: Notice) -> RenderedEmail:
    practice = _one_line(practice_name)
    name = _one_line(first_name)
    subject = f"{notice.subject} — {practice}"
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1] + "\N{HORIZONTAL ELLIPSIS}"
    # Not str.format: an email address may hold braces.
    paragraphs = [p.replace("{practice}", practice) for p in notice.paragraphs]
    closing = [_NOT_YOU] if notice.warn else []
    text_parts = [f"Hello {name},", *paragraphs]
    html_parts = [f"<p>Hello {html.escape(name)},</p>"]
    html_parts += [f"<p>{html.escape(p)}</p>" for p in paragraphs]
    if notice.link:
        text_parts.append(notice.link)
        link = html.escape(notice.link)
        html_parts.append(f'<p><a href="{link}">{html.escape(notice.link_label)}</a></p>')
        html_parts.append(
            f"<p>If the link does not open, copy this address into your browser:<br>{link}</p>"
        )
    text_parts += closing
    html_parts += [f"<p>{html.escape(p)}</p>" for p in closing]
    return RenderedEmail(
        subject=subject,
        text="\n\n".join(text_parts) + "\n",
        html=_HTML.format(body="\n".join(html_parts)),
    )


def password_reset(link: str, expires_at: datetime) -> Notice:
    return Notice(
        subject="Reset your password",
        paragraphs=(
            "Someone asked to reset the password of your staff account at {practice}.",
            f"To choose a new password, open this link (it is {_validity(expires_at)} and "
            "works once):",
        ),
        link=link,
        link_label="Choose a new password",
        warn=False,
    )


def reset_pending() -> Notice:
    return Notice(
        subject="Your account is not activated yet",
        paragraphs=(
            "Someone asked to reset the password of your staff account at {practice}, but "
            "the account has not been activated yet.",
            "Use the activation link of the email that invited you, or ask your "
            "administrator to send a new one.",
        ),
        warn=False,
    )


def reset_inactive() -> Notice:
    return Notice(
        subject="Your account is deactivated",
        paragraphs=(
            "Someone asked to reset the password of your staff account at {practice}, but "
            "the account is deactivated.",
            "Contact your practice administrator if you need it again.",
        ),
        warn=False,
    )


def email_change_confirm(link: str, expires_at: datetime) -> Notice:
    return Notice(
        subject="Confirm your new email address",
        paragraphs=(
            "You asked to use this address for your staff account at {practice}.",
            f"To confirm it, open this link (it is {_validity(expires_at)} and works once):",
        ),
        link=link,
        link_label="Confirm this address",
        warn=False,
    )


def changed(what: str) -> Notice:
    """A change to the account that the person should know of, with no link."""
    return Notice(subject=what, paragraphs=(f"{what}: your staff account at {{practice}}.",))


def email_change_requested(new_email: str) -> Notice:
    return Notice(
        subject="Email change requested",
        paragraphs=(
            f"A change of your account's email address to {new_email} was requested at "
            "{practice}. Until it is confirmed from that address, this one stays in force.",
        ),
    )


def email_changed(new_email: str) -> Notice:
    return Notice(
        subject="Your email address was changed",
        paragraphs=(
            f"The email address of your staff account at {{practice}} is now {new_email}. "
            "This address will no longer receive its emails.",
        ),
    )


_HTML = """\
<!DOCTYPE html>
<html lang="en">
<body style="font-family: sans-serif; line-height: 1.5; color: #1f2933;">
{body}
</body>
</html>
"""
