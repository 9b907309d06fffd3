"""Load the demo: four municipalities from the seeds with areas, businesses, people,
ambassadors, contacts, consents, a login per role, a year of reports with their
routing (`weerbaar.reports.demo`), and newsletter segments with a draft newsletter
(`weerbaar.newsletters.demo`). Safe to run again; every run prints the logins and the
receipt code of one anonymous demo report.

    manage.py load_demo_data
    manage.py load_demo_data --force   # also with DEBUG off (never on production)
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from weerbaar.network.demo_load import DemoResult, load_demo_data

if TYPE_CHECKING:
    from weerbaar.reports.demo import ReportDemoResult


class Command(BaseCommand):
    help = "Load demo data (four municipalities, businesses, people and logins). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even though DEBUG is off. Never use this on production.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Operator output in the platform's language, whatever was active before.
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(**options)

    def _handle(self, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                _(
                    "DEBUG is off, so this may be a production database. The demo data was "
                    "not loaded. Use --force if you are sure this is a demo installation."
                )
            )
        started = time.monotonic()
        result = load_demo_data()
        # Reports build on the network demo (places, organisations, logins).
        from weerbaar.reports.demo import load_report_demo

        reports = load_report_demo()
        from weerbaar.newsletters.demo import load_newsletter_demo

        newsletters = load_newsletter_demo()
        self._print_summary(result, time.monotonic() - started)
        self._print_report_summary(reports)
        if any(newsletters.values()):
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Demo newsletters loaded (segments: %(segments)s, "
                        "newsletters: %(newsletters)s)."
                    )
                    % newsletters
                )
            )
        self._print_logins(result)
        self._print_receipt_code(reports)

    def _print_summary(self, result: DemoResult, seconds: float) -> None:
        if not result.created_anything:
            self.stdout.write(_("The demo data was already loaded; nothing new was created."))
            return
        parts = ", ".join(
            f"{name.replace('_', ' ')}: {count}" for name, count in result.created.items()
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo data loaded in %(seconds).1f s (%(parts)s).")
                % {"seconds": seconds, "parts": parts}
            )
        )

    def _print_report_summary(self, reports: ReportDemoResult) -> None:
        if not reports.created_anything:
            return
        parts = ", ".join(
            f"{name.replace('_', ' ')}: {count}" for name, count in reports.created.items()
        )
        self.stdout.write(
            self.style.SUCCESS(_("Demo reports loaded (%(parts)s).") % {"parts": parts})
        )

    def _print_receipt_code(self, reports: ReportDemoResult) -> None:
        if reports.receipt_code is None:
            return
        self.stdout.write("")
        self.stdout.write(
            _("Follow anonymous demo report %(reference)s at %(url)s with receipt code %(code)s.")
            % {
                "reference": reports.receipt_reference,
                "url": settings.SITE_URL + reverse("reports_public:follow"),
                "code": reports.receipt_code,
            }
        )

    def _print_logins(self, result: DemoResult) -> None:
        self.stdout.write("")
        self.stdout.write(
            _("Log in at %(url)s with one of these accounts. Password for all: %(password)s")
            % {"url": settings.SITE_URL + reverse("accounts:login"), "password": result.password}
        )
        rows = [(_("Role"), _("Email address"), _("How to log in"))]
        for login in result.logins:
            if login.is_staff:
                how = _("password; second factor skipped in the demo; then Back office")
            else:
                how = _(
                    "password, or a login link by email (shown on the page in the demo); "
                    "then My business (%(url)s)"
                ) % {"url": reverse("portal:dashboard")}
            rows.append((login.label, login.email, how))
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        for number, (role, email, how) in enumerate(rows):
            self.stdout.write(f"{role.ljust(widths[0])}  {email.ljust(widths[1])}  {how}")
            if number == 0:
                self.stdout.write(f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * len(how)}")
