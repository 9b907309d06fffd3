"""The CSV format of a business import: the columns of a KvK export and how a file is read.

Pure functions, no database: `read_csv()` turns the uploaded bytes into rows of raw values
(or raises `CsvFormatError` with a message for the user), `clean_row()` checks the values of
one row that need nothing but the row itself. Checks against the database (areas, already
registered vestigingsnummers) live in `network.services.imports`.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first business row 2.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weerbaar.network import validators

# Limits of one upload. A KvK export of a large municipality has a few thousand rows; these
# limits leave room for that while keeping a dry run well inside one request.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

_DELIMITERS = (";", ",", "\t")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Column:
    """One column of the import: the field it fills and the headers that name it."""

    key: str
    label: str  # the header we document and show when the column is missing
    headers: tuple[str, ...]
    required: bool = False
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("kvk_number", "KvK-nummer", ("kvknummer", "kvk"), required=True),
    Column("establishment_number", "Vestigingsnummer", ("vestigingsnummer",), required=True),
    Column(
        "name",
        "Handelsnaam",
        ("handelsnaam", "naam", "eerstehandelsnaam", "bedrijfsnaam"),
        required=True,
        max_length=200,
    ),
    Column("street", "Straat", ("straat", "straatnaam"), required=True, max_length=150),
    Column("house_number", "Huisnummer", ("huisnummer",), required=True, max_length=10),
    Column(
        "house_number_addition",
        "Huisnummertoevoeging",
        ("huisnummertoevoeging", "toevoeging"),
        max_length=10,
    ),
    Column("postal_code", "Postcode", ("postcode",), required=True),
    Column("city", "Plaats", ("plaats", "vestigingsplaats", "woonplaats"), required=True),
    Column("sbi_code", "SBI-code", ("sbicode", "sbi", "sbihoofdactiviteit")),
    Column(
        "sbi_description",
        "SBI-omschrijving",
        ("sbiomschrijving", "omschrijvingsbi", "activiteit", "omschrijvingactiviteit"),
        max_length=200,
    ),
    Column(
        "employee_count",
        "Werkzame personen",
        ("werkzamepersonen", "totaalwerkzamepersonen", "aantalwerkzamepersonen"),
    ),
    Column("area", "Gebied", ("gebied",), required=True),
    Column("email", "E-mailadres", ("emailadres", "email")),
    Column("phone", "Telefoonnummer", ("telefoonnummer", "telefoon"), max_length=20),
    Column("website", "Website", ("website", "internetadres")),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED_COLUMNS = tuple(column for column in COLUMNS if column.required)

# Limits taken from the Business model, so a row that passes never fails on save.
_CITY_MAX_LENGTH = 100


class CsvFormatError(Exception):
    """The file as a whole cannot be read. `code` says why (the view picks the status)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class RawRow:
    """One business row as it stands in the file: values by column key, stripped."""

    row_number: int
    values: dict[str, str]


@dataclass
class ParsedFile:
    rows: list[RawRow]
    headers: dict[str, str]  # column key → the header as the file spells it
    delimiter: str
    encoding: str
    ignored_headers: list[str] = field(default_factory=list)

    def header_for(self, key: str) -> str:
        return self.headers.get(key) or COLUMNS_BY_KEY[key].label


def normalise_header(header: str) -> str:
    """'KvK-nummer', 'kvk nummer' and 'KVKNUMMER' all become 'kvknummer'."""
    return re.sub(r"[^0-9a-z]", "", header.replace("\ufeff", "").strip().lower())


_HEADER_INDEX = {name: column.key for column in COLUMNS for name in column.headers}


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding of `data`: UTF-8 (with or without BOM), else Windows-1252.

    Excel's "Unicode text" export (UTF-16 with a byte order mark) is read as well.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _check_text(data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError:
            raise CsvFormatError(_binary_message(), code="binary") from None
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if b"\x00" in data:
        raise CsvFormatError(_binary_message(), code="binary")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            raise CsvFormatError(
                _(
                    "The file's characters could not be read. Save the file as CSV in UTF-8 "
                    "and upload it again."
                ),
                code="encoding",
            ) from exc
    return _check_text(text), encoding


def _check_text(text: str) -> str:
    if _CONTROL_CHARACTERS.search(text):
        raise CsvFormatError(_binary_message(), code="binary")
    return text


def _binary_message() -> str:
    return _(
        "This is not a CSV file. Save the spreadsheet as CSV (separated by semicolons or "
        "commas) and upload that file."
    )


def _map_headers(header_row: list[str]) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Column key → position, column key → header as written, and unknown headers."""
    positions: dict[str, int] = {}
    spelled: dict[str, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(header_row):
        key = _HEADER_INDEX.get(normalise_header(header))
        if key is None or key in positions:
            if header.strip():
                ignored.append(header.strip())
            continue
        positions[key] = index
        spelled[key] = header.replace("\ufeff", "").strip()
    return positions, spelled, ignored


def _first_record(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return []


def _choose_delimiter(text: str) -> str:
    """The delimiter whose header row names the most required columns.

    csv.Sniffer guesses first; the guess is kept only when it reads the header at least
    as well as the alternatives, since a comma inside a trade name can fool it.
    """
    sample = text[:8192]
    candidates: list[str] = []
    with contextlib.suppress(csv.Error):
        candidates.append(csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter)
    candidates += [d for d in _DELIMITERS if d not in candidates]

    def score(delimiter: str) -> tuple[int, int]:
        positions, _spelled, _ignored = _map_headers(_first_record(text, delimiter))
        return (sum(1 for c in REQUIRED_COLUMNS if c.key in positions), len(positions))

    best = candidates[0]
    for delimiter in candidates[1:]:
        if score(delimiter) > score(best):
            best = delimiter
    return best


def read_csv(data: bytes) -> ParsedFile:
    """Read an uploaded KvK export. Raises CsvFormatError when the file cannot be used."""
    if len(data) > MAX_FILE_BYTES:
        raise CsvFormatError(too_large_message(), code="too_large")
    if not data.strip():
        raise CsvFormatError(_("The file is empty."), code="empty")
    text, encoding = decode(data)
    delimiter = _choose_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header_row = next(reader, [])
        positions, spelled, ignored = _map_headers(header_row)
        missing = [c.label for c in REQUIRED_COLUMNS if c.key not in positions]
        if missing:
            raise CsvFormatError(_missing_columns_message(missing), code="missing_columns")
        rows: list[RawRow] = []
        for row_number, record in enumerate(reader, start=2):
            if not any(value.strip() for value in record):
                continue  # an empty line between rows; the numbering still counts it
            if len(rows) >= MAX_ROWS:
                raise CsvFormatError(
                    _(
                        "The file has more than %(max)s businesses. Split it into smaller "
                        "files and import them one by one."
                    )
                    % {"max": f"{MAX_ROWS:,}".replace(",", ".")},
                    code="too_many_rows",
                )
            values = {
                key: (record[index].strip() if index < len(record) else "")
                for key, index in positions.items()
            }
            rows.append(RawRow(row_number=row_number, values=values))
    except csv.Error as exc:
        raise CsvFormatError(
            _(
                "The file could not be read near row %(row)s: %(reason)s. Check for a "
                "quotation mark that is not closed."
            )
            % {"row": reader.line_num, "reason": exc},
            code="malformed",
        ) from exc
    if not rows:
        raise CsvFormatError(
            _("The file has a header row but no businesses below it."), code="empty"
        )
    return ParsedFile(
        rows=rows, headers=spelled, delimiter=delimiter, encoding=encoding, ignored_headers=ignored
    )


def too_large_message() -> str:
    return _(
        "The file is larger than %(size)s MB. Split it into smaller files and import them "
        "one by one."
    ) % {"size": MAX_FILE_BYTES // (1024 * 1024)}


def _missing_columns_message(missing: list[str]) -> str:
    return ngettext(
        "The file has no column %(columns)s. Check the header row (the first row) and that "
        "the columns are separated by semicolons or commas.",
        "The file lacks the columns %(columns)s. Check the header row (the first row) and "
        "that the columns are separated by semicolons or commas.",
        len(missing),
    ) % {"columns": ", ".join(f"“{label}”" for label in missing)}


# --- one row ------------------------------------------------------------------------------


@dataclass
class RowError:
    column: str  # the header as the file spells it, so the user finds the cell
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"column": self.column, "message": self.message}


def _digits(value: str) -> str:
    """KvK numbers are often written with spaces or dots: '1234 5678', '12.34.56.78'."""
    return re.sub(r"[\s.]", "", value)


def clean_row(raw: RawRow, parsed: ParsedFile) -> tuple[dict[str, Any], list[RowError]]:
    """The values of one row ready for a Business, and what is wrong with them.

    The area stays a name here (`area` key); the service resolves it in the municipality.
    """
    values = raw.values
    errors: list[RowError] = []
    cleaned: dict[str, Any] = {}

    def error(key: str, message: str) -> None:
        errors.append(RowError(parsed.header_for(key), message))

    for column in COLUMNS:
        value = values.get(column.key, "")
        if column.required and not value:
            error(column.key, _("This cell is empty; it is required."))
        elif column.max_length and len(value) > column.max_length:
            error(
                column.key,
                _("Use at most %(max)s characters (this cell has %(length)s).")
                % {"max": column.max_length, "length": len(value)},
            )
        cleaned[column.key] = value

    def check(key: str, validator: Any, value: str) -> None:
        if not value:
            return
        try:
            validator(value)
        except ValidationError as exc:
            error(key, " ".join(str(m) for m in exc.messages))

    for key, validator, length in (
        ("kvk_number", validators.validate_kvk_number, 8),
        ("establishment_number", validators.validate_establishment_number, 12),
    ):
        if not values.get(key):
            continue
        number = cleaned[key] = _digits(values[key])
        try:
            validator(number)
        except ValidationError as exc:
            message = " ".join(str(m) for m in exc.messages)
            if number.isdigit() and len(number) < length:
                message = f"{message} {_leading_zero_hint()}"
            error(key, message)
    if values.get("postal_code"):
        cleaned["postal_code"] = validators.normalise_postal_code(values["postal_code"])
        check("postal_code", validators.validate_postal_code, cleaned["postal_code"])
    if len(values.get("city", "")) > _CITY_MAX_LENGTH:
        error("city", _("Use at most %(max)s characters.") % {"max": _CITY_MAX_LENGTH})
    if values.get("sbi_code"):
        cleaned["sbi_code"] = values["sbi_code"].replace(".", "").replace(" ", "")
        check("sbi_code", validators.validate_sbi_code, cleaned["sbi_code"])
    cleaned["employee_count"] = None
    if values.get("employee_count"):
        count = values["employee_count"].replace(".", "")
        if count.isdigit() and int(count) <= 1_000_000:
            cleaned["employee_count"] = int(count)
        else:
            error("employee_count", _("Enter the number of people as a whole number, such as 4."))
    if values.get("email"):
        check("email", EmailValidator(message=_("Enter a valid email address.")), values["email"])
    if values.get("website"):
        website = values["website"]
        if "://" not in website:
            website = f"https://{website}"
        cleaned["website"] = website
        check(
            "website",
            URLValidator(message=_("Enter a valid web address, such as www.example.nl.")),
            website,
        )
        if len(website) > 200:
            error("website", _("Use at most %(max)s characters.") % {"max": 200})
    return cleaned, errors


def _leading_zero_hint() -> str:
    return _(
        "A spreadsheet may have removed leading zeros: format the column as text and export again."
    )


def template_header() -> str:
    """The header row of an empty import file, as offered for download."""
    return ";".join(column.label for column in COLUMNS)
