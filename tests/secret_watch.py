"""Watches every log line the test run writes for the secrets the tests use or receive:
passwords, PINs, TOTP and recovery codes, session and activation tokens. The check runs
when the session ends and fails the run if one leaked (in this process's logs or a live
server's log file).

Long secrets are searched as bare substrings, wherever they stand. Short numeric ones (PINs,
TOTP codes) as numbers standing alone: `pin 0736`, `pin=0736`, `"0736"` and `0736.` all
count, `10736`, `a0736b`, `0.0736` and a UUID group `-0736-` do not. Test PINs start with 0
(tests/pins.py), so no year, port, process id or timestamp the logs print can be one."""

import logging
import re
from pathlib import Path

_secrets: set[str] = set()
_pins: set[str] = set()
_log_files: list[Path] = []


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a broken record must not break the test run
            self.lines.append(str(record.msg))


capture = _Capture()
capture.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(exc_text)s"))


def remember(*secrets: str | None) -> None:
    _secrets.update(s for s in secrets if s and len(s) >= 8)


def remember_pin(*pins: str) -> None:
    _pins.update(pins)


def remember_code(*codes: str) -> None:
    """A short numeric secret (a PIN or a TOTP code) the test generated."""
    _pins.update(codes)


# Response fields that carry a secret the server hands out once.
_SECRET_FIELDS = {
    "token",
    "accessToken",
    "refreshToken",
    "secret",
    "recoveryCodes",
    "provisioningUri",
}


def remember_from_response(value: object) -> None:
    """Remember every secret a GraphQL response handed out (tokens, TOTP secrets,
    recovery codes), so the log check looks for them too."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _SECRET_FIELDS and isinstance(item, str):
                remember(item)
            elif key in _SECRET_FIELDS and isinstance(item, list):
                remember(*(code for code in item if isinstance(code, str)))
            else:
                remember_from_response(item)
    elif isinstance(value, list):
        for item in value:
            remember_from_response(item)


def watch_totp_codes() -> None:
    """Record every TOTP code computed during the run (by the tests or the server), to be
    searched like PINs: as numbers standing alone."""
    import pyotp

    original = pyotp.OTP.generate_otp

    def generate_otp(self: pyotp.OTP, input: int) -> str:
        code: str = original(self, input)
        _pins.add(code)
        return code

    pyotp.OTP.generate_otp = generate_otp  # type: ignore[method-assign]


def watch_log_file(path: Path) -> None:
    _log_files.append(path)


def leaks() -> list[str]:
    texts = list(capture.lines)
    texts += [path.read_text(errors="replace") for path in _log_files if path.exists()]
    return [f"{found} in: {text[:200]}" for text in texts for found in leaks_in(text)]


def leaks_in(text: str) -> list[str]:
    """The remembered secrets found in `text` in any case (the code lower-cases some
    inputs, usernames among them), each named by its first characters."""
    lowered = text.lower()
    found = [f"{secret[:4]}…" for secret in _secrets if secret.lower() in lowered]
    if _pins:
        numbers = _standing_alone("|".join(sorted(map(re.escape, _pins))))
        found += [f"PIN or code {match.group()}" for match in re.finditer(numbers, text)]
    return found


def _standing_alone(alternatives: str) -> str:
    """A pattern for any of these (escaped) numbers standing alone: not inside a longer
    number, a word, a hex id or a UUID group, nor the digits of a decimal."""
    return rf"(?<![\w.-])(?:{alternatives})(?![\w-]|\.\d)"


def checked() -> tuple[int, int]:
    lines = len(capture.lines) + sum(
        len(path.read_text(errors="replace").splitlines()) for path in _log_files if path.exists()
    )
    return lines, len(_secrets) + len(_pins)
