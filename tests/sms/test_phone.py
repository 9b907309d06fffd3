"""Phone numbers as people type them: E.164 or None, never an exception."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from weerbaar.contrib.sms.phone import (
    mask_phone,
    normalise_mobile,
    normalise_phone,
    validate_mobile,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("06-12345678", "+31612345678"),
        ("06 1234 5678", "+31612345678"),
        ("06 12 34 56 78", "+31612345678"),
        ("0612345678", "+31612345678"),
        ("06.12.34.56.78", "+31612345678"),
        ("06/12345678", "+31612345678"),
        ("  06-12345678\n", "+31612345678"),
        ("0031 6 12345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("+31612345678", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("+31 (0) 6-1234 5678", "+31612345678"),
        ("0031(0)612345678", "+31612345678"),
        ("+32 470 12 34 56", "+32470123456"),  # Belgian mobile
        ("0032 470 12 34 56", "+32470123456"),
        ("+44 7911 123456", "+447911123456"),  # British mobile
        ("+49 1512 3456789", "+4915123456789"),  # German mobile
        ("+1 650 253 0000", "+16502530000"),  # US: fixed line or mobile, cannot tell
    ],
)
def test_mobile_numbers_written_any_usual_way_become_e164(typed: str, expected: str) -> None:
    assert normalise_phone(typed) == expected
    assert normalise_mobile(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("076-5123456", "+31765123456"),  # Breda landline
        ("010 123 4567", "+31101234567"),
        ("0800-1234", "+318001234"),  # free phone
        ("085 1234567", "+31851234567"),  # VoIP
        ("+31 66 1234567", "+31661234567"),  # pager
    ],
)
def test_other_dutch_numbers_are_valid_but_get_no_sms(typed: str, expected: str) -> None:
    assert normalise_phone(typed) == expected
    assert normalise_mobile(typed) is None


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "06",
        "112",  # emergency, not a subscriber number
        "06-1234567",  # one digit short
        "06-123456789",  # one digit too many
        "+31 6 1234567",
        "06-1234567a",
        "06-CALLME12",  # letters are a typo on a form, not a phone keypad
        "0800-FLOWERS",
        "06 12345678 ext. 12",
        "++31612345678",
        "+31+612345678",
        "31612345678+",
        "+999 123456789",  # no such country code
        "+0 612345678",
        "tel:+31612345678",
        "+31 6 1234 5678 " + "0" * 40,  # absurdly long
        "٠٦١٢٣٤٥٦٧٨",  # Arabic-Indic digits: not ASCII
        "06\u200b12345678",  # zero-width space
        "mijn nummer is 06-12345678",
        "bakker@example.nl",
    ],
)
def test_anything_that_is_not_a_phone_number_is_none(typed: str) -> None:
    assert normalise_phone(typed) is None
    assert normalise_mobile(typed) is None


def test_validator_for_forms_gives_a_clear_message() -> None:
    validate_mobile("06-12345678")
    with pytest.raises(ValidationError) as caught:
        validate_mobile("076-5123456")
    assert caught.value.code == "invalid_mobile"
    assert caught.value.messages == [
        "Vul een mobiel nummer in, zoals 06 12345678, of een internationaal nummer dat begint "
        "met +."
    ]


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+31612345678", "+********678"),
        ("0031612345678", "**********678"),
        ("+12", "+**"),
        ("", ""),
    ],
)
def test_mask_keeps_only_the_last_three_digits(number: str, masked: str) -> None:
    assert mask_phone(number) == masked
