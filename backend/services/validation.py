"""Checks of staff input: each returns the normalised value or raises a `FieldError`.

Field names are the GraphQL input names (camelCase), so the API can point at the field.
"""

import re
import unicodedata
from functools import cache
from importlib.resources import files

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from backend.services.errors import ErrorCode, FieldError

NAME_MAX_LENGTH = 50
USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254  # RFC 5321 forward-path limit
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128  # argon2 accepts more; this only bounds the hashing work
CARE_TEAM_ID_TYPES = ("NPI", "NCSBN_ID")

_USERNAME = re.compile(r"[A-Za-z0-9._@-]+")
_PIN = re.compile(r"[0-9]{4}")
_NPI = re.compile(r"[0-9]{10}")
_NCSBN_ID = re.compile(r"[0-9]{1,10}")
_DIGITS = "0123456789"
# Most frequent 4-digit PINs that are neither one repeated digit nor a straight run
# (DataGenetics' PIN study and similar lists): dates, pairs and keypad columns.
_COMMON_PINS = frozenset(
    {"1004", "1010", "1122", "1212", "1313", "1999", "2000", "2001", "2020", "2580", "0852", "6969"}
)
# NPIs are ISO 7812 card numbers with the prefix 80840; CMS computes the check digit
# with the Luhn formula over that prefix plus the first nine digits.
_NPI_LUHN_PREFIX = "80840"
_PHONE_EXAMPLE = "212-555-0123"


def clean_name(value: str | None, *, field: str, max_length: int = NAME_MAX_LENGTH) -> str:
    # NFC so that "é" typed as e + combining accent counts and compares as one character.
    name = unicodedata.normalize("NFC", (value or "").strip())
    if not name:
        raise FieldError(ErrorCode.REQUIRED, "Enter a name.", field=[field])
    if len(name) > max_length:
        raise FieldError(
            ErrorCode.TOO_LONG,
            f"Shorten the name to at most {max_length} characters.",
            field=[field],
        )
    # Category C covers line breaks, tabs, NUL and invisible format characters such as
    # zero-width spaces or bidi overrides, which would make names look alike or garble lists.
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise FieldError(
            ErrorCode.INVALID,
            "Remove line breaks, tabs and invisible characters from the name.",
            field=[field],
        )
    return name


def clean_username(value: str | None) -> str:
    username = (value or "").strip()
    if not username:
        raise FieldError(ErrorCode.REQUIRED, "Enter a username.", field=["username"])
    if len(username) < USERNAME_MIN_LENGTH:
        raise FieldError(
            ErrorCode.TOO_SHORT,
            f"Use at least {USERNAME_MIN_LENGTH} characters for the username.",
            field=["username"],
        )
    if len(username) > USERNAME_MAX_LENGTH:
        raise FieldError(
            ErrorCode.TOO_LONG,
            f"Shorten the username to at most {USERNAME_MAX_LENGTH} characters.",
            field=["username"],
        )
    if not _USERNAME.fullmatch(username):
        raise FieldError(
            ErrorCode.INVALID_USERNAME,
            "Use only letters A-Z, digits and the characters . _ - @ in the username.",
            field=["username"],
        )
    return username


def username_key(username: str) -> str:
    """The form compared for uniqueness, so "Ann" and "ann" cannot both exist."""
    return username.lower()


def clean_email(value: str | None, *, field: str = "email") -> str:
    address = (value or "").strip()
    if not address:
        raise FieldError(ErrorCode.REQUIRED, "Enter an email address.", field=[field])
    if len(address) > EMAIL_MAX_LENGTH:
        raise FieldError(
            ErrorCode.TOO_LONG,
            f"Use an email address of at most {EMAIL_MAX_LENGTH} characters.",
            field=[field],
        )
    try:
        validated = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        # The library's reasons are full sentences ("It must have exactly one @-sign.").
        raise FieldError(
            ErrorCode.INVALID_EMAIL,
            f"{error} Enter an address such as name@example.com.",
            field=[field],
        ) from None
    # Lower-cased whole, so that one mailbox cannot be registered twice by changing case.
    return validated.normalized.lower()


def check_password(
    password: str | None,
    *,
    confirmation: str | None,
    username: str | None,
    field: str = "password",
    confirmation_field: str = "passwordConfirmation",
) -> None:
    # Never strip or echo the password: spaces are legitimate characters of a passphrase.
    if not password:
        raise FieldError(ErrorCode.REQUIRED, "Enter a password.", field=[field])
    if len(password) < PASSWORD_MIN_LENGTH:
        raise FieldError(
            ErrorCode.PASSWORD_TOO_WEAK,
            f"Use at least {PASSWORD_MIN_LENGTH} characters for the password.",
            field=[field],
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise FieldError(
            ErrorCode.TOO_LONG,
            f"Shorten the password to at most {PASSWORD_MAX_LENGTH} characters.",
            field=[field],
        )
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(password)) == 1:
        raise FieldError(
            ErrorCode.PASSWORD_TOO_WEAK,
            "This password is too common and easy to guess. Choose a different one.",
            field=[field],
        )
    account_name = (username or "").strip().lower()
    if len(account_name) >= USERNAME_MIN_LENGTH and account_name in lowered:
        raise FieldError(
            ErrorCode.PASSWORD_TOO_WEAK,
            "The password must not contain the username. Choose a different one.",
            field=[field],
        )
    if not confirmation:
        raise FieldError(
            ErrorCode.REQUIRED, "Type the password again to confirm it.", field=[confirmation_field]
        )
    if confirmation != password:
        raise FieldError(
            ErrorCode.PASSWORD_MISMATCH,
            "The two passwords do not match. Type the same password in both fields.",
            field=[confirmation_field],
        )


@cache
def _common_passwords() -> frozenset[str]:
    text = files("backend").joinpath("data", "common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def clean_pin(value: str | None, *, field: str = "appUnlockPin") -> str:
    pin = (value or "").strip()
    if not pin:
        raise FieldError(ErrorCode.REQUIRED, "Enter a 4-digit PIN.", field=[field])
    if not _PIN.fullmatch(pin):
        raise FieldError(ErrorCode.INVALID_PIN, "Use exactly 4 digits for the PIN.", field=[field])
    if _is_guessable_pin(pin):
        raise FieldError(
            ErrorCode.INVALID_PIN,
            "This PIN is too easy to guess. Avoid repeated digits, digits in sequence and years.",
            field=[field],
        )
    return pin


def _is_guessable_pin(pin: str) -> bool:
    is_run = pin in _DIGITS or pin in _DIGITS[::-1]
    return len(set(pin)) == 1 or is_run or pin in _COMMON_PINS


def clean_phone(value: str | None, *, field: str) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    invalid = FieldError(
        ErrorCode.INVALID_PHONE,
        f"Enter a US phone number with area code, such as {_PHONE_EXAMPLE}.",
        field=[field],
    )
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        raise invalid from None
    if not phonenumbers.is_valid_number(number):
        raise invalid
    if phonenumbers.region_code_for_number(number) != "US":
        raise invalid
    if number.extension:
        # E.164 has no place for an extension; dropping it silently would lose data.
        raise FieldError(
            ErrorCode.INVALID_PHONE,
            f"Remove the extension; enter the phone number only, such as {_PHONE_EXAMPLE}.",
            field=[field],
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str | None) -> str | None:
    """Display form: 212-222-2222 for US numbers, international format otherwise."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164  # show stored data as it is rather than fail the whole response
    if phonenumbers.region_code_for_number(number) == "US":
        digits = str(number.national_number)
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_e164(stored: str | None) -> str | None:
    """The stored number as E.164 (+12122222222): what clean_phone stores. A stored value
    that is not a valid number gives None rather than something that only looks like it."""
    if not stored:
        return None
    try:
        number = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_care_team_id(id_type: str | None, number: str | None) -> tuple[str | None, str | None]:
    kind = (id_type or "").strip() or None
    digits = (number or "").strip() or None
    if kind is None and digits is None:
        return None, None
    if kind is None:
        raise FieldError(
            ErrorCode.REQUIRED,
            "Choose whether the care team ID is an NPI or an NCSBN ID.",
            field=["careTeamIdType"],
        )
    if kind not in CARE_TEAM_ID_TYPES:
        raise FieldError(
            ErrorCode.INVALID, "Choose NPI or NCSBN ID as the type.", field=["careTeamIdType"]
        )
    if digits is None:
        raise FieldError(
            ErrorCode.REQUIRED, "Enter the care team ID number.", field=["careTeamIdNumber"]
        )
    if kind == "NPI" and not is_valid_npi(digits):
        raise FieldError(
            ErrorCode.INVALID_NPI,
            "Enter the 10-digit NPI exactly as issued; this one is not a valid NPI.",
            field=["careTeamIdNumber"],
        )
    if kind == "NCSBN_ID" and not _NCSBN_ID.fullmatch(digits):
        raise FieldError(
            ErrorCode.INVALID_NCSBN_ID,
            "Enter the NCSBN ID as 1 to 10 digits.",
            field=["careTeamIdNumber"],
        )
    return kind, digits


def is_valid_npi(number: str) -> bool:
    if not _NPI.fullmatch(number):
        return False
    return _luhn_valid(_NPI_LUHN_PREFIX + number)


def _luhn_valid(digits: str) -> bool:
    total = 0
    # From the right, every second digit is doubled; a doubled digit over 9 loses 9.
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0
