"""Importing businesses from a CSV file (a KvK export): check first, then confirm.

`check_import()` reads the file, checks every row (format, area, duplicates in the file and
in the registry) and stores the outcome as a `BusinessImport`; nothing else is written.
`confirm_import()` turns the checked rows into businesses in one transaction, after
checking them against the registry once more. `discard_import()` closes a check without
importing. The web pages and the `import_businesses` command call these same functions.

`actor` None means the system (a management command run by an operator).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weerbaar.accounts.policy import Action, Actor, require
from weerbaar.core.audit import record
from weerbaar.network.csv_format import (
    COLUMNS_BY_KEY,
    CsvFormatError,
    ParsedFile,
    RowError,
    clean_row,
    read_csv,
)
from weerbaar.network.models import (
    Area,
    Business,
    BusinessImport,
    BusinessSource,
    ImportStatus,
    Municipality,
)
from weerbaar.network.validators import ESTABLISHMENT_NUMBER_RE

__all__ = [
    "BusinessImportError",
    "CsvFormatError",
    "ImportAlreadyFinished",
    "ImportConflict",
    "ImportHasErrors",
    "ImportSummary",
    "check_import",
    "confirm_import",
    "discard_import",
    "summarise",
]

# Rows per INSERT and per IN (...) lookup: well below every database's parameter limit.
BATCH_SIZE = 500

# The Business fields a row fills; everything else comes from the import itself.
BUSINESS_FIELDS = (
    "name",
    "kvk_number",
    "establishment_number",
    "sbi_code",
    "sbi_description",
    "street",
    "house_number",
    "house_number_addition",
    "postal_code",
    "city",
    "employee_count",
    "email",
    "phone",
    "website",
)


class BusinessImportError(Exception):
    """An import cannot go ahead; `message` says why, for the user. Nothing was written."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ImportHasErrors(BusinessImportError):
    """All rows were to be imported, but some have errors (or no row is valid)."""


class ImportAlreadyFinished(BusinessImportError):
    """The import was already imported or discarded (a second click, a second tab)."""

    status_code = 409


class ImportConflict(BusinessImportError):
    """Between the check and the confirmation the registry changed under some rows."""

    status_code = 409


# --- check (the dry run) -------------------------------------------------------------------


def check_import(
    actor: Actor | None, municipality: Municipality, data: bytes, file_name: str
) -> BusinessImport:
    """Check a CSV file of businesses for `municipality` and keep the result.

    Who: an actor with IMPORT_BUSINESSES covering the municipality (or the system).
    Guarantees: no business is written; the returned import (status validated) holds every
    row with its errors, so a confirmation imports exactly what the user saw. Raises
    CsvFormatError when the file as a whole cannot be read; nothing is stored then.
    """
    if actor is not None:
        require(actor, Action.IMPORT_BUSINESSES, municipality)
    parsed = read_csv(data)
    rows = _check_rows(municipality, parsed)
    invalid = sum(1 for row in rows if row["errors"])
    with transaction.atomic():
        business_import = BusinessImport.objects.create(
            municipality=municipality,
            uploaded_by=actor.account if actor is not None else None,
            file_name=file_name[:200],
            rows=rows,
        )
        record(
            actor.account if actor is not None else None,
            "network.check_business_import",
            business_import,
            {"rows": len(rows), "rows_with_errors": invalid, "encoding": parsed.encoding},
        )
    return business_import


def _area_index(municipality: Municipality) -> dict[str, Area]:
    """Areas by lower-case name and by slug: a file may use either."""
    index: dict[str, Area] = {}
    for area in Area.objects.filter(municipality=municipality):
        index[area.slug] = area
        index[area.name.casefold()] = area
    return index


def _registered_numbers(numbers: Iterable[str]) -> set[str]:
    """Which of `numbers` are already a business's vestigingsnummer (any municipality)."""
    numbers = list(numbers)
    found: set[str] = set()
    for start in range(0, len(numbers), BATCH_SIZE):
        found.update(
            Business.objects.filter(
                establishment_number__in=numbers[start : start + BATCH_SIZE]
            ).values_list("establishment_number", flat=True)
        )
    return found


def _check_rows(municipality: Municipality, parsed: ParsedFile) -> list[dict[str, Any]]:
    areas = _area_index(municipality)
    cleaned_rows = [(raw, *clean_row(raw, parsed)) for raw in parsed.rows]
    registered = _registered_numbers(
        {cleaned["establishment_number"] for _raw, cleaned, _errors in cleaned_rows}
    )
    first_seen: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    for raw, cleaned, errors in cleaned_rows:
        area_name = cleaned.pop("area")
        area = areas.get(area_name.casefold()) or areas.get(slugify(area_name))
        if area_name and area is None:
            errors.append(
                RowError(
                    parsed.header_for("area"),
                    _("There is no area “%(area)s” in %(municipality)s.")
                    % {"area": area_name, "municipality": municipality.name},
                )
            )
        number = cleaned["establishment_number"]
        if ESTABLISHMENT_NUMBER_RE.match(number):
            if number in first_seen:
                errors.append(
                    RowError(
                        parsed.header_for("establishment_number"),
                        _("This vestigingsnummer is also in row %(row)s of the file.")
                        % {"row": first_seen[number]},
                    )
                )
            else:
                first_seen[number] = raw.row_number
            if number in registered:
                column = parsed.header_for("establishment_number")
                errors.append(_already_registered(number, column))
        rows.append(
            {
                "row": raw.row_number,
                "values": {name: cleaned[name] for name in BUSINESS_FIELDS},
                "area": area_name,
                "area_id": area.pk if area is not None else None,
                "errors": [error.as_dict() for error in errors],
            }
        )
    return rows


def _already_registered(number: str, column: str | None = None) -> RowError:
    return RowError(
        column or COLUMNS_BY_KEY["establishment_number"].label,
        _("Vestigingsnummer %(number)s is already registered on the platform.")
        % {"number": number},
    )


# --- confirm -------------------------------------------------------------------------------


def confirm_import(actor: Actor | None, business_import: BusinessImport, only_valid: bool) -> int:
    """Create the businesses of a checked import; returns how many were created.

    Who: an actor with IMPORT_BUSINESSES covering the import's municipality (or the system).
    `only_valid` False imports all rows and is refused when any row has an error;
    True imports the rows without errors and leaves the others out.
    Guarantees: all or nothing, in one transaction. The rows are checked against the
    registry again at this moment; when a vestigingsnummer was registered (or an area
    removed) since the check, nothing is imported, ImportConflict says which rows, and
    the stored rows are updated so the next preview shows them. A second confirmation
    raises ImportAlreadyFinished.
    """
    if actor is not None:
        require(actor, Action.IMPORT_BUSINESSES, business_import)
    try:
        with transaction.atomic():
            locked = BusinessImport.objects.select_for_update().get(pk=business_import.pk)
            _ensure_open(locked)
            rows = locked.valid_rows if only_valid else locked.rows
            if not only_valid and locked.invalid_rows:
                raise ImportHasErrors(
                    ngettext(
                        "%(count)s row has errors. Fix the file, or import only the rows "
                        "without errors.",
                        "%(count)s rows have errors. Fix the file, or import only the rows "
                        "without errors.",
                        len(locked.invalid_rows),
                    )
                    % {"count": len(locked.invalid_rows)}
                )
            if not rows:
                raise ImportHasErrors(_("No row can be imported: every row has an error."))
            conflicts = _conflicts(locked, rows)
            if conflicts:
                raise _ConflictFound(conflicts)
            for start in range(0, len(rows), BATCH_SIZE):
                Business.objects.bulk_create(_businesses(locked, rows[start : start + BATCH_SIZE]))
            finished_at = timezone.now()
            claimed = BusinessImport.objects.filter(
                pk=locked.pk, status=ImportStatus.VALIDATED
            ).update(
                status=ImportStatus.IMPORTED, imported_count=len(rows), finished_at=finished_at
            )
            if not claimed:
                raise ImportAlreadyFinished(_already_finished_message(locked))
            locked.status, locked.imported_count = ImportStatus.IMPORTED, len(rows)
            record(
                actor.account if actor is not None else None,
                "network.import_businesses",
                locked,
                {
                    "imported": len(rows),
                    "left_out_rows": [row["row"] for row in locked.invalid_rows]
                    if only_valid
                    else [],
                    "municipality": locked.municipality.name,
                },
            )
    except _ConflictFound as found:
        _store_conflicts(business_import, found.errors_by_row)
        raise ImportConflict(_conflict_message(sorted(found.errors_by_row))) from None
    except IntegrityError:
        # Someone registered one of these vestigingsnummers after our check, in a
        # transaction that committed while ours ran: the unique constraint caught it.
        raise ImportConflict(
            _(
                "Nothing was imported: a business in this file was registered by someone "
                "else at the same moment. Check the file again."
            )
        ) from None
    business_import.refresh_from_db()
    return business_import.imported_count


class _ConflictFound(Exception):
    def __init__(self, errors_by_row: dict[int, list[RowError]]) -> None:
        super().__init__("conflict")
        self.errors_by_row = errors_by_row


def _ensure_open(business_import: BusinessImport) -> None:
    if business_import.status != ImportStatus.VALIDATED:
        raise ImportAlreadyFinished(_already_finished_message(business_import))


def _already_finished_message(business_import: BusinessImport) -> str:
    if business_import.status == ImportStatus.IMPORTED:
        return ngettext(
            "This file was already imported (%(count)s business). Nothing was imported again.",
            "This file was already imported (%(count)s businesses). Nothing was imported again.",
            business_import.imported_count,
        ) % {"count": business_import.imported_count}
    return _("This import was discarded. Upload the file again to import it.")


def _conflicts(
    business_import: BusinessImport, rows: list[dict[str, Any]]
) -> dict[int, list[RowError]]:
    """Errors that arose since the check: numbers registered meanwhile, areas removed."""
    registered = _registered_numbers(row["values"]["establishment_number"] for row in rows)
    area_ids = set(
        Area.objects.filter(municipality_id=business_import.municipality_id).values_list(
            "pk", flat=True
        )
    )
    conflicts: dict[int, list[RowError]] = {}
    for row in rows:
        number = row["values"]["establishment_number"]
        if number in registered:
            conflicts.setdefault(row["row"], []).append(_already_registered(number))
        if row["area_id"] is not None and row["area_id"] not in area_ids:
            conflicts.setdefault(row["row"], []).append(
                RowError(
                    COLUMNS_BY_KEY["area"].label,
                    _("The area “%(area)s” was removed after the check.") % {"area": row["area"]},
                )
            )
    return conflicts


def _businesses(business_import: BusinessImport, rows: list[dict[str, Any]]) -> list[Business]:
    return [
        Business(
            **{name: row["values"][name] for name in BUSINESS_FIELDS},
            municipality_id=business_import.municipality_id,
            area_id=row["area_id"],
            source=BusinessSource.CSV_IMPORT,
        )
        for row in rows
    ]


def _store_conflicts(
    business_import: BusinessImport, errors_by_row: dict[int, list[RowError]]
) -> None:
    """Mark the conflicting rows, so the preview shows them and 'only valid' skips them."""
    with transaction.atomic():
        locked = BusinessImport.objects.select_for_update().get(pk=business_import.pk)
        if locked.status != ImportStatus.VALIDATED:
            return
        for row in locked.rows:
            for error in errors_by_row.get(row["row"], []):
                row["errors"].append(error.as_dict())
        locked.save(update_fields=["rows"])
    business_import.refresh_from_db()


def _conflict_message(row_numbers: list[int]) -> str:
    shown = ", ".join(str(number) for number in row_numbers[:10])
    if len(row_numbers) > 10:
        shown += " …"
    return ngettext(
        "Nothing was imported: since the check, row %(rows)s can no longer be imported. "
        "The row is now marked below; check the list and confirm again.",
        "Nothing was imported: since the check, rows %(rows)s can no longer be imported. "
        "The rows are now marked below; check the list and confirm again.",
        len(row_numbers),
    ) % {"rows": shown}


# --- discard -------------------------------------------------------------------------------


def discard_import(actor: Actor | None, business_import: BusinessImport) -> None:
    """Close a checked import without importing anything.

    Who: an actor with IMPORT_BUSINESSES covering the import's municipality (or the system).
    Guarantees: only a validated import can be discarded; otherwise ImportAlreadyFinished.
    """
    if actor is not None:
        require(actor, Action.IMPORT_BUSINESSES, business_import)
    with transaction.atomic():
        locked = BusinessImport.objects.select_for_update().get(pk=business_import.pk)
        _ensure_open(locked)
        locked.status = ImportStatus.DISCARDED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        record(
            actor.account if actor is not None else None,
            "network.discard_business_import",
            locked,
            {},
        )
    business_import.refresh_from_db()


# --- what a preview shows ------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    total: int
    valid: int
    invalid: int
    error_rows: list[dict[str, Any]]  # at most `shown_limit`, in file order
    shown_limit: int

    @property
    def is_clean(self) -> bool:
        return self.invalid == 0

    @property
    def more_error_rows(self) -> int:
        return self.invalid - len(self.error_rows)


def summarise(business_import: BusinessImport, limit: int = 500) -> ImportSummary:
    """Counts and the rows with errors (the first `limit`) of a checked import."""
    invalid = business_import.invalid_rows
    return ImportSummary(
        total=len(business_import.rows),
        valid=len(business_import.rows) - len(invalid),
        invalid=len(invalid),
        error_rows=invalid[:limit],
        shown_limit=limit,
    )
