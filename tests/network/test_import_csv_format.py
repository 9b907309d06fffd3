"""Reading a KvK export: encodings, delimiters, limits and per-row checks (no database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from tests.network.import_helpers import HEADER, csv_bytes, row
from weerbaar.network import csv_format
from weerbaar.network.csv_format import CsvFormatError, clean_row, read_csv


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_reads_semicolon_utf8_with_bom() -> None:
    parsed = read_csv(csv_bytes([row(1), row(2)], bom=True))
    assert parsed.delimiter == ";"
    assert parsed.encoding == "utf-8"
    assert [r.row_number for r in parsed.rows] == [2, 3]
    assert parsed.rows[0].values["kvk_number"] == "90500001"
    assert parsed.headers["kvk_number"] == "KvK-nummer"  # the BOM is not part of the header


def test_reads_comma_delimited_with_a_comma_inside_a_quoted_name() -> None:
    parsed = read_csv(csv_bytes([row(1, Handelsnaam="Bakker, Zonen & Co")], delimiter=","))
    assert parsed.delimiter == ","
    assert parsed.rows[0].values["name"] == "Bakker, Zonen & Co"


def test_falls_back_to_windows_1252() -> None:
    data = csv_bytes([row(1, Handelsnaam="Café Ærlig")], encoding="cp1252")
    parsed = read_csv(data)
    assert parsed.encoding == "cp1252"
    assert parsed.rows[0].values["name"] == "Café Ærlig"


def test_reads_excel_unicode_text_export() -> None:
    data = csv_bytes([row(1, Handelsnaam="Café Ærlig")], delimiter="\t", encoding="utf-16")
    parsed = read_csv(data)
    assert (parsed.encoding, parsed.delimiter) == ("utf-16", "\t")
    assert parsed.rows[0].values["name"] == "Café Ærlig"


def test_headers_are_case_and_punctuation_insensitive() -> None:
    header = tuple(h.upper().replace("-", " ") for h in HEADER)
    values = [{h.upper().replace("-", " "): v for h, v in row(1).items()}]
    parsed = read_csv(csv_bytes(values, header=header))
    assert parsed.rows[0].values["establishment_number"] == "600000000001"


def test_naam_is_accepted_for_handelsnaam_and_unknown_columns_are_ignored() -> None:
    header = (*("Naam" if h == "Handelsnaam" else h for h in HEADER), "Opmerking")
    values = row(1)
    values["Naam"] = values.pop("Handelsnaam")
    parsed = read_csv(csv_bytes([values], header=header))
    assert parsed.rows[0].values["name"] == "Winkel 1"
    assert parsed.ignored_headers == ["Opmerking"]


def test_empty_lines_are_skipped_but_row_numbers_follow_the_spreadsheet() -> None:
    data = csv_bytes([row(1)]) + b";;;;;;;;;;;\r\n" + csv_bytes([row(2)]).split(b"\r\n", 1)[1]
    parsed = read_csv(data)
    assert [r.row_number for r in parsed.rows] == [2, 4]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"PK\x03\x04\x14\x00\x06\x00", "binary"),  # an .xlsx
        (b"KvK-nummer;Vestigingsnummer\x01\x02;Naam\r\n", "binary"),
        (b"\x81\x8d\x8f\x90", "encoding"),  # neither UTF-8 nor Windows-1252
        (b"Naam;Plaats\r\nWinkel;Breda\r\n", "missing_columns"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(data: bytes, code: str) -> None:
    with pytest.raises(CsvFormatError) as caught:
        read_csv(data)
    assert caught.value.code == code
    assert caught.value.message


def test_missing_columns_are_named() -> None:
    header = tuple(h for h in HEADER if h not in {"Postcode", "Gebied"})
    with pytest.raises(CsvFormatError) as caught:
        read_csv(csv_bytes([row(1)], header=header))
    assert "“Postcode”" in caught.value.message
    assert "“Gebied”" in caught.value.message


def test_an_unknown_delimiter_reads_as_missing_columns() -> None:
    with pytest.raises(CsvFormatError) as caught:
        read_csv(csv_bytes([row(1)], delimiter="|"))
    assert caught.value.code == "missing_columns"
    assert "semicolons or commas" in caught.value.message


def test_header_without_rows_is_refused() -> None:
    with pytest.raises(CsvFormatError) as caught:
        read_csv(csv_bytes([]))
    assert caught.value.code == "empty"


def test_unclosed_quote_is_reported_as_malformed() -> None:
    data = csv_bytes([row(1)]) + b'90500002;600000000002;"Winkel 2\r\n'
    with pytest.raises(CsvFormatError) as caught:
        read_csv(data)
    assert caught.value.code == "malformed"


def test_too_large_and_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_format, "MAX_FILE_BYTES", 100)
    with pytest.raises(CsvFormatError) as caught:
        read_csv(csv_bytes([row(1), row(2)]))
    assert caught.value.code == "too_large"
    monkeypatch.setattr(csv_format, "MAX_FILE_BYTES", 5 * 1024 * 1024)
    monkeypatch.setattr(csv_format, "MAX_ROWS", 2)
    with pytest.raises(CsvFormatError) as caught:
        read_csv(csv_bytes([row(1), row(2), row(3)]))
    assert caught.value.code == "too_many_rows"


def _clean(**overrides: str) -> tuple[dict, list[str]]:
    parsed = read_csv(csv_bytes([row(1, **overrides)]))
    cleaned, errors = clean_row(parsed.rows[0], parsed)
    return cleaned, [f"{e.column}: {e.message}" for e in errors]


def test_a_good_row_is_normalised() -> None:
    cleaned, errors = _clean(Postcode="4811jh", **{"KvK-nummer": "9050 0001"})
    assert errors == []
    assert cleaned["postal_code"] == "4811 JH"
    assert cleaned["kvk_number"] == "90500001"
    assert cleaned["employee_count"] == 3


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("KvK-nummer", "1234567", "KvK-nummer: A KvK number has exactly 8 digits"),
        ("KvK-nummer", "ABCDEFGH", "KvK-nummer: A KvK number has exactly 8 digits"),
        ("Vestigingsnummer", "12345", "Vestigingsnummer: A vestigingsnummer has exactly 12"),
        ("Postcode", "0123 AB", "Postcode: Enter a Dutch postal code"),
        ("SBI-code", "4", "SBI-code: An SBI code has 2 to 5 digits"),
        ("Werkzame personen", "veel", "Werkzame personen: Enter the number of people"),
        ("Handelsnaam", "", "Handelsnaam: This cell is empty"),
        ("Huisnummer", "12345678901", "Huisnummer: Use at most 10 characters"),
    ],
)
def test_row_errors_name_the_column(column: str, value: str, expected: str) -> None:
    _cleaned, errors = _clean(**{column: value})
    assert any(error.startswith(expected) for error in errors), errors


def test_short_numbers_hint_at_lost_leading_zeros() -> None:
    _cleaned, errors = _clean(Vestigingsnummer="51234567")
    assert "leading zeros" in errors[0]
