"""Phone numbers as people type them, normalised to E.164 (+31612345678).

Parsing and validation use `phonenumbers` (libphonenumber's metadata, the "lite" build without
geocoding and carrier data) rather than a hand-written parser: a Dutch-only parser is easy,
but "any international number starting with + or 00" needs every country's lengths and
prefixes to tell a real number from a typo, and that table changes every few months. The
package does no I/O and has no dependencies.

Two questions, two functions:

- `normalise_phone()`: is this any valid phone number (mobile, landline, 0800)? For storing
  a number someone may be called on.
- `normalise_mobile()`: can this number receive an SMS? Mobiles only: Dutch 06 numbers, and
  abroad the numbers the numbering plan marks as mobile, or as "fixed line or mobile" where
  it cannot tell (the United States, Canada). A Dutch landline (076-5123456), 0800/0900,
  085/088 and pager numbers are left out: an SMS to them is paid for and never read.

Input is strict about characters: digits, spaces, one leading "+", and the separators people
use (-, ., /, parentheses). Letters are refused, although libphonenumber would read them as
a phone keypad (0800-FLOWERS): on a form that is a typo, not a vanity number.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "NL"  # a number without "+" or "00" is Dutch
MAX_INPUT_LENGTH = 40  # a number with generous spacing; longer is not a phone number
_ALLOWED_RE = re.compile(r"^\+?[0-9 ()./-]+$")
_SMS_NUMBER_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)

INVALID_MOBILE_MESSAGE = _(
    "Enter a mobile number such as 06 12345678, or an international number starting with +."
)


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    value = " ".join((text or "").split())
    if not value or len(value) > MAX_INPUT_LENGTH or not _ALLOWED_RE.match(value):
        return None
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return number


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_phone(text: str) -> str | None:
    """`text` as E.164 ("+31612345678") when it is a valid phone number of any kind, else
    None. Dutch numbers may be written the usual ways: 06-12345678, 06 1234 5678,
    0031 6 12345678, +31 (0)6 12345678; other countries' numbers start with + or 00."""
    number = _parse(text)
    return _e164(number) if number is not None else None


def normalise_mobile(text: str) -> str | None:
    """`text` as E.164 when it is a valid number that can receive an SMS (see the module
    docstring), else None."""
    number = _parse(text)
    if number is None or phonenumbers.number_type(number) not in _SMS_NUMBER_TYPES:
        return None
    return _e164(number)


def validate_mobile(value: str) -> None:
    """Form and model field validator: a number SMS alerts can go to."""
    if normalise_mobile(value) is None:
        raise ValidationError(INVALID_MOBILE_MESSAGE, code="invalid_mobile")


def mask_phone(number: str) -> str:
    """A number for log lines: everything but a leading "+" and the last three digits
    hidden ("+********678"), enough to tell two test phones apart."""
    plus = "+" if number.startswith("+") else ""
    digits = number.removeprefix("+")
    if len(digits) <= 3:
        return plus + "*" * len(digits)
    return plus + "*" * (len(digits) - 3) + digits[-3:]
