"""Import businesses from a CSV file (KvK export) on the command line.

    manage.py import_businesses breda bedrijven.csv --dry-run
    manage.py import_businesses breda bedrijven.csv --only-valid

Uses the same services as the back office, as the system (no user). Without --only-valid,
a file with any row in error imports nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weerbaar.network.csv_format import MAX_FILE_BYTES, CsvFormatError, too_large_message
from weerbaar.network.models import BusinessImport, Municipality
from weerbaar.network.services import imports


class Command(BaseCommand):
    help = "Check and import businesses from a CSV file (KvK export) into a municipality."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("municipality", help="Slug of the municipality, e.g. breda.")
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only check the file and print the errors; import nothing.",
        )
        parser.add_argument(
            "--only-valid",
            action="store_true",
            help="Import the rows without errors and leave out the others.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = Municipality.objects.get(slug=options["municipality"])
        except Municipality.DoesNotExist:
            raise CommandError(
                _("There is no municipality with the slug “%(slug)s”.")
                % {"slug": options["municipality"]}
            ) from None
        path: Path = options["file"]
        data = self._read(path)
        try:
            business_import = imports.check_import(None, municipality, data, path.name)
        except CsvFormatError as error:
            raise CommandError(error.message) from None
        self._print_check(business_import)

        summary = imports.summarise(business_import)
        if options["dry_run"]:
            self.stdout.write(
                _("Dry run: nothing was imported. The check is kept as import %(id)s.")
                % {"id": business_import.pk}
            )
            return
        if summary.invalid and not options["only_valid"]:
            raise CommandError(
                ngettext(
                    "%(count)s row has errors, so nothing was imported. Correct the file, "
                    "or pass --only-valid to import the other rows.",
                    "%(count)s rows have errors, so nothing was imported. Correct the file, "
                    "or pass --only-valid to import the other rows.",
                    summary.invalid,
                )
                % {"count": summary.invalid}
            )
        try:
            count = imports.confirm_import(None, business_import, only_valid=options["only_valid"])
        except imports.BusinessImportError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "%(count)s business was imported into %(municipality)s.",
                    "%(count)s businesses were imported into %(municipality)s.",
                    count,
                )
                % {"count": count, "municipality": municipality.name}
            )
        )

    def _read(self, path: Path) -> bytes:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(too_large_message())
            return path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("The file %(path)s cannot be read: %(reason)s.")
                % {"path": path, "reason": error.strerror}
            ) from None

    def _print_check(self, business_import: BusinessImport) -> None:
        summary = imports.summarise(business_import, limit=len(business_import.rows))
        self.stdout.write(
            _("%(file)s: %(total)s rows, %(valid)s without errors, %(invalid)s with errors.")
            % {
                "file": business_import.file_name,
                "total": summary.total,
                "valid": summary.valid,
                "invalid": summary.invalid,
            }
        )
        for row in summary.error_rows:
            for error in row["errors"]:
                self.stdout.write(
                    "  "
                    + _("Row %(row)s, %(column)s: %(message)s")
                    % {"row": row["row"], "column": error["column"], "message": error["message"]}
                )
