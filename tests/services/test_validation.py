from importlib.resources import files

import pytest

from backend.services.errors import ErrorCode, FieldError
from backend.services.validation import (
    check_password,
    clean_care_team_id,
    clean_email,
    clean_name,
    clean_phone,
    clean_pin,
    clean_username,
    format_phone,
    is_valid_npi,
    phone_e164,
    username_key,
)

STRONG_PASSWORD = "Violet-harbour-lamp-42"


def _common_password_lines() -> list[str]:
    text = files("backend").joinpath("data", "common-passwords.txt").read_text(encoding="utf-8")
    return text.splitlines()


# --- names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Ann", "Ann"),
        ("  Ann  ", "Ann"),
        ("Mary Ann O'Neil-Smith", "Mary Ann O'Neil-Smith"),
        ("Zoë", "Zoë"),
        ("Zoe\u0308", "Zoë"),  # combining diaeresis composes to one character
        ("李", "李"),
        ("\tAnn\n", "Ann"),  # surrounding whitespace is trimmed, not refused
        ("a" * 50, "a" * 50),
    ],
)
def test_clean_name_returns_the_trimmed_name(value: str, expected: str) -> None:
    assert clean_name(value, field="firstName") == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, ErrorCode.REQUIRED),
        ("", ErrorCode.REQUIRED),
        ("   ", ErrorCode.REQUIRED),
        ("a" * 51, ErrorCode.TOO_LONG),
        ("Ann\nLee", ErrorCode.INVALID),
        ("Ann\tLee", ErrorCode.INVALID),
        ("Ann\x00", ErrorCode.INVALID),
        ("Ann\x7f", ErrorCode.INVALID),
        ("An\u200bn", ErrorCode.INVALID),  # zero-width space (Cf)
        ("Ann\u202e", ErrorCode.INVALID),  # right-to-left override (Cf)
        ("Ann\ue000", ErrorCode.INVALID),  # private use (Co)
    ],
)
def test_clean_name_refuses(value: str | None, code: ErrorCode) -> None:
    with pytest.raises(FieldError) as caught:
        clean_name(value, field="lastName")
    assert caught.value.code == code
    assert caught.value.field == ("lastName",)


# --- usernames -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ann", "ann"),
        ("  Ann.Lee  ", "Ann.Lee"),
        ("a_b-c@d.e", "a_b-c@d.e"),
        ("abc", "abc"),
        ("x" * 150, "x" * 150),
    ],
)
def test_clean_username_keeps_case(value: str, expected: str) -> None:
    assert clean_username(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, ErrorCode.REQUIRED),
        ("  ", ErrorCode.REQUIRED),
        ("ab", ErrorCode.TOO_SHORT),
        (" ab ", ErrorCode.TOO_SHORT),
        ("x" * 151, ErrorCode.TOO_LONG),
        ("ann lee", ErrorCode.INVALID_USERNAME),
        ("jürgen", ErrorCode.INVALID_USERNAME),
        ("ann+lee", ErrorCode.INVALID_USERNAME),
        ("ann\nlee", ErrorCode.INVALID_USERNAME),
        ("\uff11\uff12\uff13", ErrorCode.INVALID_USERNAME),  # fullwidth digits are not ASCII
    ],
)
def test_clean_username_refuses(value: str | None, code: ErrorCode) -> None:
    with pytest.raises(FieldError) as caught:
        clean_username(value)
    assert caught.value.code == code
    assert caught.value.field == ("username",)


def test_username_key_is_lower_case() -> None:
    assert username_key("Ann.Lee") == "ann.lee"
    assert username_key("Ann.Lee") == username_key("ANN.lee")


# --- email ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ann@example.com", "ann@example.com"),
        ("  Ann.Lee@Example.COM ", "ann.lee@example.com"),
        ("ANN+work@Clinic.Example.org", "ann+work@clinic.example.org"),
        ("jürgen@exämple.de", "jürgen@exämple.de"),
    ],
)
def test_clean_email_returns_the_lower_cased_address(value: str, expected: str) -> None:
    assert clean_email(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, ErrorCode.REQUIRED),
        ("   ", ErrorCode.REQUIRED),
        ("ann", ErrorCode.INVALID_EMAIL),
        ("ann@", ErrorCode.INVALID_EMAIL),
        ("@example.com", ErrorCode.INVALID_EMAIL),
        ("ann@@example.com", ErrorCode.INVALID_EMAIL),
        ("ann lee@example.com", ErrorCode.INVALID_EMAIL),
        ("ann@localhost", ErrorCode.INVALID_EMAIL),
        ("ann@example..com", ErrorCode.INVALID_EMAIL),
        ("a" * 64 + "@" + "b" * 186 + ".com", ErrorCode.TOO_LONG),  # 255 characters
    ],
)
def test_clean_email_refuses(value: str | None, code: ErrorCode) -> None:
    with pytest.raises(FieldError) as caught:
        clean_email(value, field="newEmail")
    assert caught.value.code == code
    assert caught.value.field == ("newEmail",)


def test_clean_email_explains_the_problem() -> None:
    with pytest.raises(FieldError) as caught:
        clean_email("ann.example.com")
    assert caught.value.field == ("email",)
    assert "@-sign" in caught.value.message
    assert "name@example.com" in caught.value.message


# --- passwords -----------------------------------------------------------------------


def test_check_password_accepts_a_strong_password() -> None:
    check_password(STRONG_PASSWORD, confirmation=STRONG_PASSWORD, username="ann.lee")
    check_password("  spaced out phrase  ", confirmation="  spaced out phrase  ", username=None)


@pytest.mark.parametrize(
    ("password", "confirmation", "username", "code", "field"),
    [
        (None, None, None, ErrorCode.REQUIRED, "password"),
        ("", "", None, ErrorCode.REQUIRED, "password"),
        ("Sh0rt-but-ok", None, None, ErrorCode.REQUIRED, "passwordConfirmation"),
        ("Elevenchars", "Elevenchars", None, ErrorCode.PASSWORD_TOO_WEAK, "password"),
        ("x" * 129, "x" * 129, None, ErrorCode.TOO_LONG, "password"),
        ("password1234", "password1234", None, ErrorCode.PASSWORD_TOO_WEAK, "password"),
        ("PassWord1234", "PassWord1234", None, ErrorCode.PASSWORD_TOO_WEAK, "password"),
        ("123456789012", "123456789012", None, ErrorCode.PASSWORD_TOO_WEAK, "password"),
        ("QwertyUiopAsdf", "QwertyUiopAsdf", None, ErrorCode.PASSWORD_TOO_WEAK, "password"),
        ("1q2w3e4r5t6y", "1q2w3e4r5t6y", None, ErrorCode.PASSWORD_TOO_WEAK, "password"),
        ("trustno1trustno1", "trustno1trustno1", None, ErrorCode.PASSWORD_TOO_WEAK, "password"),
        ("zzzzzzzzzzzzzz", "zzzzzzzzzzzzzz", None, ErrorCode.PASSWORD_TOO_WEAK, "password"),
        ("            ", "            ", None, ErrorCode.PASSWORD_TOO_WEAK, "password"),
        ("my-AnnLee-secret", "my-AnnLee-secret", "annlee", ErrorCode.PASSWORD_TOO_WEAK, "password"),
        (
            "my-annlee-secret",
            "my-annlee-secret",
            " AnnLee ",
            ErrorCode.PASSWORD_TOO_WEAK,
            "password",
        ),
        (
            STRONG_PASSWORD,
            STRONG_PASSWORD + " ",
            None,
            ErrorCode.PASSWORD_MISMATCH,
            "passwordConfirmation",
        ),
        (
            STRONG_PASSWORD,
            STRONG_PASSWORD.lower(),
            None,
            ErrorCode.PASSWORD_MISMATCH,
            "passwordConfirmation",
        ),
    ],
)
def test_check_password_refuses(
    password: str | None,
    confirmation: str | None,
    username: str | None,
    code: ErrorCode,
    field: str,
) -> None:
    with pytest.raises(FieldError) as caught:
        check_password(password, confirmation=confirmation, username=username)
    assert caught.value.code == code
    assert caught.value.field == (field,)


@pytest.mark.parametrize("username", ["ab", "", None])
def test_check_password_ignores_usernames_shorter_than_three(username: str | None) -> None:
    password = "ab-violet-harbour-42"
    check_password(password, confirmation=password, username=username)


def test_check_password_reports_on_the_fields_it_is_given() -> None:
    with pytest.raises(FieldError) as caught:
        check_password(
            STRONG_PASSWORD,
            confirmation="other",
            username=None,
            field="newPassword",
            confirmation_field="newPasswordConfirmation",
        )
    assert caught.value.code == ErrorCode.PASSWORD_MISMATCH
    assert caught.value.field == ("newPasswordConfirmation",)

    with pytest.raises(FieldError) as caught:
        check_password("short", confirmation="short", username=None, field="newPassword")
    assert caught.value.field == ("newPassword",)


def test_check_password_says_the_minimum_length() -> None:
    with pytest.raises(FieldError) as caught:
        check_password("Elevenchars", confirmation="Elevenchars", username=None)
    assert "12" in caught.value.message


@pytest.mark.parametrize(
    ("password", "confirmation", "username"),
    [
        ("Secretive7", "Secretive7", None),
        ("welcome12345", "welcome12345", None),
        ("Ann-Lee-forever", "Ann-Lee-forever", "ann-lee"),
        ("Unique-Phrase-9x", "Unique-Phrase-9y", None),
        ("Q" * 200, "Q" * 200, None),
    ],
)
def test_check_password_never_echoes_the_password(
    password: str, confirmation: str, username: str | None
) -> None:
    with pytest.raises(FieldError) as caught:
        check_password(password, confirmation=confirmation, username=username)
    assert password not in caught.value.message
    assert confirmation not in caught.value.message
    assert password not in str(caught.value)
    assert password not in repr(caught.value)


def test_common_password_list_is_lowercase_and_large() -> None:
    lines = _common_password_lines()
    assert len(lines) >= 300
    assert all(line == line.strip().lower() and line for line in lines)
    for weak in ["password", "123456", "qwerty", "iloveyou1234", "passwordpassword"]:
        assert weak in lines


# --- PINs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [("1357", "1357"), (" 8642 ", "8642"), ("0470", "0470")]
)
def test_clean_pin_accepts_hard_to_guess_pins(value: str, expected: str) -> None:
    assert clean_pin(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, ErrorCode.REQUIRED),
        ("", ErrorCode.REQUIRED),
        ("135", ErrorCode.INVALID_PIN),
        ("13579", ErrorCode.INVALID_PIN),
        ("13a7", ErrorCode.INVALID_PIN),
        ("13 7", ErrorCode.INVALID_PIN),
        ("١٣٥٧", ErrorCode.INVALID_PIN),  # Arabic-Indic digits are not ASCII
        ("0000", ErrorCode.INVALID_PIN),
        ("1111", ErrorCode.INVALID_PIN),
        ("7777", ErrorCode.INVALID_PIN),
        ("0123", ErrorCode.INVALID_PIN),
        ("1234", ErrorCode.INVALID_PIN),
        ("6789", ErrorCode.INVALID_PIN),
        ("9876", ErrorCode.INVALID_PIN),
        ("4321", ErrorCode.INVALID_PIN),
        ("3210", ErrorCode.INVALID_PIN),
        ("1212", ErrorCode.INVALID_PIN),
        ("2000", ErrorCode.INVALID_PIN),
        ("1004", ErrorCode.INVALID_PIN),
        ("6969", ErrorCode.INVALID_PIN),
        ("1122", ErrorCode.INVALID_PIN),
        ("2580", ErrorCode.INVALID_PIN),
        ("0852", ErrorCode.INVALID_PIN),
        ("1010", ErrorCode.INVALID_PIN),
        ("2020", ErrorCode.INVALID_PIN),
        ("1999", ErrorCode.INVALID_PIN),
    ],
)
def test_clean_pin_refuses(value: str | None, code: ErrorCode) -> None:
    with pytest.raises(FieldError) as caught:
        clean_pin(value, field="newAppUnlockPin")
    assert caught.value.code == code
    assert caught.value.field == ("newAppUnlockPin",)


@pytest.mark.parametrize("pin", ["1234", "2580", "1357a"])
def test_clean_pin_never_echoes_the_pin(pin: str) -> None:
    with pytest.raises(FieldError) as caught:
        clean_pin(pin)
    assert caught.value.field == ("appUnlockPin",)
    assert pin not in caught.value.message


def test_clean_pin_says_a_guessable_pin_is_too_easy() -> None:
    with pytest.raises(FieldError) as caught:
        clean_pin("1111")
    assert "too easy to guess" in caught.value.message


# --- phones --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("2122222222", "+12122222222"),
        ("(212) 222-2222", "+12122222222"),
        ("212.222.2222", "+12122222222"),
        ("+1 212 222 2222", "+12122222222"),
        ("+12122222222", "+12122222222"),  # E.164 in, as partners send it
        ("1-212-222-2222", "+12122222222"),
        (" 650-253-0000 ", "+16502530000"),
    ],
)
def test_clean_phone_returns_e164(value: str | None, expected: str | None) -> None:
    assert clean_phone(value, field="cellPhone") == expected


@pytest.mark.parametrize(
    "value",
    [
        "555-1234",  # no area code
        "123-456-7890",  # area codes never start with 1
        "not a phone",
        "+1 416 555 0199",  # Canada shares +1 but is not US
        "+1 787 555 1234",  # Puerto Rico has its own region code
        "+44 20 7946 0958",
        "212-222-2222 ext. 5",
        "2" * 300,
    ],
)
def test_clean_phone_refuses(value: str) -> None:
    with pytest.raises(FieldError) as caught:
        clean_phone(value, field="officePhone")
    assert caught.value.code == ErrorCode.INVALID_PHONE
    assert caught.value.field == ("officePhone",)
    assert "212-555-0123" in caught.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("+12122222222", "212-222-2222"),
        ("+16502530000", "650-253-0000"),
        ("+442079460958", "+44 20 7946 0958"),
    ],
)
def test_format_phone(value: str | None, expected: str | None) -> None:
    assert format_phone(value) == expected


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (None, None),
        ("", None),
        ("+12122222222", "+12122222222"),
        ("+16502530000", "+16502530000"),
        ("+442079460958", "+442079460958"),
        # Not E.164 (never stored so by clean_phone): no value, rather than a wrong one.
        ("212-222-2222", None),
        ("+1555", None),
    ],
)
def test_phone_e164(stored: str | None, expected: str | None) -> None:
    assert phone_e164(stored) == expected


# --- care team IDs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("1234567893", True),  # the CMS example
        ("1245319599", True),
        ("1234567890", False),
        ("1234567894", False),
        ("123456789", False),
        ("12345678931", False),
        ("123456789a", False),
        (
            "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff13",
            False,
        ),  # fullwidth digits, Luhn-valid if read as ASCII
    ],
)
def test_is_valid_npi(number: str, valid: bool) -> None:
    assert is_valid_npi(number) is valid


@pytest.mark.parametrize(
    ("id_type", "number", "expected"),
    [
        (None, None, (None, None)),
        ("", "  ", (None, None)),
        ("NPI", "1234567893", ("NPI", "1234567893")),
        (" NPI ", " 1245319599 ", ("NPI", "1245319599")),
        ("NCSBN_ID", "7", ("NCSBN_ID", "7")),
        ("NCSBN_ID", " 0012345678 ", ("NCSBN_ID", "0012345678")),
    ],
)
def test_clean_care_team_id_returns_type_and_digits(
    id_type: str | None, number: str | None, expected: tuple[str | None, str | None]
) -> None:
    assert clean_care_team_id(id_type, number) == expected


@pytest.mark.parametrize(
    ("id_type", "number", "code", "field"),
    [
        ("NPI", None, ErrorCode.REQUIRED, "careTeamIdNumber"),
        ("NCSBN_ID", "  ", ErrorCode.REQUIRED, "careTeamIdNumber"),
        (None, "1234567893", ErrorCode.REQUIRED, "careTeamIdType"),
        (" ", "1234567893", ErrorCode.REQUIRED, "careTeamIdType"),
        ("DEA", "1234567893", ErrorCode.INVALID, "careTeamIdType"),
        ("npi", "1234567893", ErrorCode.INVALID, "careTeamIdType"),
        ("NPI", "1234567890", ErrorCode.INVALID_NPI, "careTeamIdNumber"),
        ("NPI", "123456789", ErrorCode.INVALID_NPI, "careTeamIdNumber"),
        ("NPI", "123-456-7893", ErrorCode.INVALID_NPI, "careTeamIdNumber"),
        ("NCSBN_ID", "12345678901", ErrorCode.INVALID_NCSBN_ID, "careTeamIdNumber"),
        ("NCSBN_ID", "12AB", ErrorCode.INVALID_NCSBN_ID, "careTeamIdNumber"),
        ("NCSBN_ID", "-1", ErrorCode.INVALID_NCSBN_ID, "careTeamIdNumber"),
    ],
)
def test_clean_care_team_id_refuses(
    id_type: str | None, number: str | None, code: ErrorCode, field: str
) -> None:
    with pytest.raises(FieldError) as caught:
        clean_care_team_id(id_type, number)
    assert caught.value.code == code
    assert caught.value.field == (field,)
