"""Apply the retention periods now (Celery beat does this every night).

    manage.py apply_report_retention

Closed reports past their municipality's retention period are anonymised or deleted, as
the municipality configured; each gets an audit entry. Safe to run at any time.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from weerbaar.reports.services.scheduled import apply_retention


class Command(BaseCommand):
    help = "Anonymise or delete closed reports past their municipality's retention period."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            result = apply_retention()
            self.stdout.write(
                _("Retention applied: %(anonymised)d reports anonymised, %(deleted)d deleted.")
                % {"anonymised": result.anonymised, "deleted": result.deleted}
            )
