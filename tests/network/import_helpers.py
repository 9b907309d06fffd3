"""Building CSV files for the import tests."""

from __future__ import annotations

HEADER = (
    "KvK-nummer",
    "Vestigingsnummer",
    "Handelsnaam",
    "Straat",
    "Huisnummer",
    "Huisnummertoevoeging",
    "Postcode",
    "Plaats",
    "SBI-code",
    "SBI-omschrijving",
    "Werkzame personen",
    "Gebied",
)


def row(n: int, **overrides: str) -> dict[str, str]:
    """A valid row for business number `n` in Breda's Binnenstad."""
    values = {
        "KvK-nummer": f"{90500000 + n:08d}",
        "Vestigingsnummer": f"{600000000000 + n:012d}",
        "Handelsnaam": f"Winkel {n}",
        "Straat": "Ginnekenstraat",
        "Huisnummer": str(n),
        "Huisnummertoevoeging": "",
        "Postcode": "4811JH",
        "Plaats": "Breda",
        "SBI-code": "4711",
        "SBI-omschrijving": "Supermarkten",
        "Werkzame personen": "3",
        "Gebied": "Binnenstad",
    }
    values.update({key.replace("_", "-"): value for key, value in overrides.items()})
    return values


def csv_bytes(
    rows: list[dict[str, str]],
    delimiter: str = ";",
    header: tuple[str, ...] = HEADER,
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    lines = [delimiter.join(header)]
    for values in rows:
        cells = []
        for column in header:
            value = values.get(column, "")
            if delimiter in value or '"' in value:
                value = '"' + value.replace('"', '""') + '"'
            cells.append(value)
        lines.append(delimiter.join(cells))
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data
