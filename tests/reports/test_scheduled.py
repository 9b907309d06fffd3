"""Scheduled work: retention of closed reports and the daily digest of overdue reports."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from tests.factories import MunicipalityFactory, OrganisationFactory, UserFactory
from tests.reports.anonymity import assert_nowhere_in_database
from tests.reports.conftest import make_handler
from tests.reports.factories import (
    MunicipalityReportSettingsFactory,
    ReportEventFactory,
    ReportFactory,
    category,
)
from weerbaar.accounts.models import OrganisationKind, Role
from weerbaar.core.models import AuditEntry, OutboundMessage
from weerbaar.core.outbox import Recipient, queue_message
from weerbaar.reports.attachments import CleanAttachment
from weerbaar.reports.models import (
    EventKind,
    Report,
    ReportAttachment,
    ReportEvent,
    ReportStatus,
    RetentionMode,
)
from weerbaar.reports.services import scheduled
from weerbaar.reports.services.intake import store_attachments

pytestmark = pytest.mark.django_db

NOW = timezone.now()
SECRET = "Drugslab in de loods achter Bakkerij Jansen"


def closed_report(municipality: Any, days_ago: int, **fields: Any) -> Report:
    """A closed report with everything retention must remove: identity, place, messages,
    a file and a queued email."""
    reporter = UserFactory(email="jansen@bakkerij.example.nl")
    values: dict[str, Any] = {
        "municipality": municipality,
        "description": SECRET,
        "location_text": "Industrieweg 7",
        "latitude": "51.589000",
        "longitude": "4.776000",
        "reporter": reporter,
        "reporter_name": "Jan Jansen",
        "reporter_email": "jan@bakkerij.example.nl",
        "reporter_phone": "0612345678",
        "status": ReportStatus.CLOSED,
        "feedback_at": NOW - datetime.timedelta(days=days_ago + 2),
        "closed_at": NOW - datetime.timedelta(days=days_ago),
        "is_satisfied": True,
        "satisfaction_comment": "Snel geholpen door wijkagent Pietersen",
    }
    values.update(fields)
    report = ReportFactory.create(**values)
    ReportEventFactory.create(report=report, kind=EventKind.SUBMITTED, text="")
    ReportEventFactory.create(
        report=report, kind=EventKind.MESSAGE_TO_REPORTER, text="Wat zag u precies bij Jansen?"
    )
    ReportEventFactory.create(
        report=report,
        kind=EventKind.MESSAGE_FROM_REPORTER,
        author=reporter,
        author_kind="reporter",
        text="Busjes om drie uur 's nachts",
    )
    ReportEventFactory.create(report=report, kind=EventKind.INTERNAL_NOTE, text="Eigenaar: Jansen")
    store_attachments(
        report,
        [CleanAttachment("foto.jpg", "image/jpeg", b"jpeg-bytes", 10, "0" * 64)],
        event=None,
        from_reporter=True,
    )
    queue_message(
        kind="report_feedback",
        subject="Terugkoppeling",
        body_text=f"U meldde: {SECRET}",
        recipients=[Recipient(address="jan@bakkerij.example.nl")],
        source=report,
    )
    return report


def retain(capture: Any) -> scheduled.RetentionResult:
    with capture(execute=True):
        return scheduled.apply_retention()


class TestRetention:
    def test_anonymising_removes_content_identity_messages_and_files_but_keeps_the_figures(
        self, municipality: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        MunicipalityReportSettingsFactory(municipality=municipality, retention_days=365)
        report = closed_report(municipality, days_ago=400, category=category("drug_lab"))
        stored_file = str(ReportAttachment.objects.get(report=report).file.name)
        assert storages["private"].exists(stored_file)
        created_at, closed_at = report.created_at, report.closed_at

        result = retain(django_capture_on_commit_callbacks)

        assert result == scheduled.RetentionResult(anonymised=1, deleted=0)
        report.refresh_from_db()
        assert report.description == scheduled.ANONYMISED_TEXT
        assert report.location_text == ""
        assert report.latitude is None
        assert report.reporter is None
        assert (report.reporter_name, report.reporter_email, report.reporter_phone) == ("", "", "")
        assert report.satisfaction_comment == ""
        assert report.anonymised_at is not None
        # What the figures need stays.
        assert report.category.code == "drug_lab"
        assert report.municipality == municipality
        assert (report.created_at, report.closed_at) == (created_at, closed_at)
        assert report.status == ReportStatus.CLOSED
        assert report.is_satisfied is True
        # Messages, files and emails are gone.
        assert not ReportAttachment.objects.filter(report=report).exists()
        assert not storages["private"].exists(stored_file)
        assert not ReportEvent.objects.filter(report=report).exclude(text="").exists()
        assert not ReportEvent.objects.filter(report=report, author__isnull=False).exists()
        assert ReportEvent.objects.filter(report=report, kind=EventKind.ANONYMISED).exists()
        assert not OutboundMessage.objects.exists()
        assert_nowhere_in_database(
            SECRET,
            "Jan Jansen",
            "jan@bakkerij",
            "Eigenaar",
            "Industrieweg",
            "0612345678",
            "Pietersen",
            "drie uur",
        )
        audit = AuditEntry.objects.get(action="reports.report.anonymised_by_retention")
        assert audit.actor_label == "system"
        assert audit.object_id == str(report.pk)

    def test_delete_mode_removes_the_report_entirely(
        self, municipality: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        MunicipalityReportSettingsFactory(
            municipality=municipality, retention_days=90, retention_mode=RetentionMode.DELETE
        )
        report = closed_report(municipality, days_ago=91)
        stored_file = str(ReportAttachment.objects.get(report=report).file.name)

        result = retain(django_capture_on_commit_callbacks)

        assert result == scheduled.RetentionResult(anonymised=0, deleted=1)
        assert not Report.objects.filter(pk=report.pk).exists()
        assert not ReportEvent.objects.exists()
        assert not storages["private"].exists(stored_file)
        assert not OutboundMessage.objects.exists()
        assert AuditEntry.objects.filter(
            action="reports.report.deleted_by_retention", object_id=str(report.pk)
        ).exists()
        assert_nowhere_in_database(SECRET, "drie uur")

    def test_reports_within_their_period_and_open_reports_are_untouched(
        self, municipality: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        recent = closed_report(municipality, days_ago=300)  # default period: 365 days
        open_reports = [
            closed_report(municipality, days_ago=900, status=status)
            for status in (ReportStatus.IN_PROGRESS, ReportStatus.REOPENED, ReportStatus.RESOLVED)
        ]

        result = retain(django_capture_on_commit_callbacks)

        assert result == scheduled.RetentionResult(anonymised=0, deleted=0)
        for report in (recent, *open_reports):
            report.refresh_from_db()
            assert report.description == SECRET
            assert report.anonymised_at is None
            assert report.attachments.count() == 1
        assert not AuditEntry.objects.filter(action__contains="retention").exists()

    def test_each_municipality_has_its_own_period(
        self, municipality: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        MunicipalityReportSettingsFactory(municipality=municipality, retention_days=30)
        elsewhere = MunicipalityFactory(name="Delft", slug="delft")
        MunicipalityReportSettingsFactory(municipality=elsewhere, retention_days=180)
        short = closed_report(municipality, days_ago=60)
        long = closed_report(elsewhere, days_ago=60)

        retain(django_capture_on_commit_callbacks)

        short.refresh_from_db()
        long.refresh_from_db()
        assert short.anonymised_at is not None
        assert long.anonymised_at is None

    def test_running_twice_does_nothing_the_second_time(
        self, municipality: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        closed_report(municipality, days_ago=400)
        assert retain(django_capture_on_commit_callbacks).anonymised == 1
        assert retain(django_capture_on_commit_callbacks).anonymised == 0
        assert AuditEntry.objects.filter(action__contains="retention").count() == 1

    def test_the_management_command_prints_the_counts(
        self, municipality: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        closed_report(municipality, days_ago=400)
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("apply_report_retention", stdout=out)
        assert "1" in out.getvalue()
        assert Report.objects.get().anonymised_at is not None


# --- the overdue digest ---------------------------------------------------------------

TUESDAY = datetime.date(2026, 3, 17)
KINGS_DAY = datetime.date(2026, 4, 27)  # a Monday
SATURDAY = datetime.date(2026, 3, 21)


@pytest.fixture
def handlers(municipality: Any, police: Any, gemeente: Any, oov: Any) -> dict[str, Any]:
    return {
        "oov": oov,
        "designated": make_handler(
            police, municipality, role=Role.POLICE, confidential=True, email="team@politie.nl"
        ),
        "officer": make_handler(
            police, municipality, role=Role.POLICE, email="wijkagent@politie.nl"
        ),
    }


def overdue(municipality: Any, organisation: Any, code: str = "shoplifting", **fields: Any) -> Any:
    values = {
        "municipality": municipality,
        "organisation": organisation,
        "category": category(code),
        "description": SECRET,
        "first_response_due": TUESDAY - datetime.timedelta(days=5),
        "feedback_due": TUESDAY - datetime.timedelta(days=1),
    }
    values.update(fields)
    return ReportFactory.create(**values)


def digest(capture: Any, today: datetime.date = TUESDAY) -> int:
    with capture(execute=True):
        return scheduled.send_overdue_digests(today)


class TestOverdueDigest:
    def test_each_handler_gets_one_email_with_the_overdue_reports_they_can_handle(
        self,
        municipality: Any,
        police: Any,
        gemeente: Any,
        handlers: dict[str, Any],
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        municipal = overdue(municipality, gemeente)
        police_report = overdue(municipality, police, "burglary")
        confidential = overdue(municipality, police, "drug_lab")
        overdue(municipality, gemeente, status=ReportStatus.CLOSED)  # closed: not overdue
        overdue(municipality, gemeente, feedback_due=TUESDAY, first_response_at=NOW)  # due today
        other_place = MunicipalityFactory(name="Delft", slug="delft")
        foreign = overdue(other_place, OrganisationFactory(municipality=other_place))

        assert digest(django_capture_on_commit_callbacks) == 3

        mails = {mail.to[0]: mail for mail in mailoutbox}
        assert set(mails) == {"oov@breda.example.nl", "team@politie.nl", "wijkagent@politie.nl"}
        oov_mail = mails["oov@breda.example.nl"].body
        assert municipal.reference in oov_mail
        assert police_report.reference not in oov_mail  # the police's to chase
        assert foreign.reference not in oov_mail
        team_mail = mails["team@politie.nl"].body
        assert police_report.reference in team_mail
        assert confidential.reference in team_mail
        assert "Drugslab" not in team_mail  # not even the category of a confidential report
        officer_mail = mails["wijkagent@politie.nl"].body
        assert police_report.reference in officer_mail
        assert confidential.reference not in officer_mail  # not designated
        for mail in mailoutbox:
            assert SECRET not in mail.body
            assert SECRET not in mail.subject

    def test_no_email_for_handlers_without_overdue_reports(
        self,
        municipality: Any,
        gemeente: Any,
        handlers: dict[str, Any],
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        overdue(
            municipality,
            gemeente,
            feedback_due=TUESDAY + datetime.timedelta(days=3),
            first_response_at=NOW,
        )
        assert digest(django_capture_on_commit_callbacks) == 0
        assert mailoutbox == []

    def test_reports_assigned_to_someone_else_are_left_out(
        self,
        municipality: Any,
        gemeente: Any,
        handlers: dict[str, Any],
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        colleague = make_handler(gemeente, municipality, email="collega@breda.example.nl")
        overdue(municipality, gemeente, assignee=colleague)
        digest(django_capture_on_commit_callbacks)
        assert [mail.to for mail in mailoutbox] == [["collega@breda.example.nl"]]

    def test_running_twice_on_the_same_day_sends_once(
        self,
        municipality: Any,
        gemeente: Any,
        handlers: dict[str, Any],
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        overdue(municipality, gemeente)
        assert digest(django_capture_on_commit_callbacks) == 1
        assert digest(django_capture_on_commit_callbacks) == 0
        assert len(mailoutbox) == 1
        # The next working day brings a new reminder.
        next_day = TUESDAY + datetime.timedelta(days=1)
        assert digest(django_capture_on_commit_callbacks, next_day) == 1

    @pytest.mark.parametrize("day", [SATURDAY, KINGS_DAY])
    def test_nothing_is_sent_on_weekends_and_public_holidays(
        self,
        day: datetime.date,
        municipality: Any,
        gemeente: Any,
        handlers: dict[str, Any],
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        overdue(municipality, gemeente)
        assert digest(django_capture_on_commit_callbacks, day) == 0
        assert mailoutbox == []

    def test_unrouted_overdue_reports_reach_every_handler_in_scope(
        self,
        municipality: Any,
        handlers: dict[str, Any],
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        unrouted = overdue(municipality, None)
        assert digest(django_capture_on_commit_callbacks) == 3
        assert all(unrouted.reference in mail.body for mail in mailoutbox)

    def test_inactive_memberships_and_other_roles_get_nothing(
        self,
        municipality: Any,
        gemeente: Any,
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        expert = make_handler(
            OrganisationFactory(kind=OrganisationKind.CCV),
            municipality,
            role=Role.PARTNER_EXPERT,
        )
        overdue(municipality, None)
        overdue(municipality, gemeente)
        digest(django_capture_on_commit_callbacks)
        assert expert.email not in [mail.to[0] for mail in mailoutbox]


class TestCloseResolvedReports:
    def resolved(self, municipality: Any, days_ago: int) -> Report:
        return ReportFactory(
            municipality=municipality,
            status=ReportStatus.RESOLVED,
            feedback_at=NOW - datetime.timedelta(days=days_ago),
        )

    def test_resolved_without_verdict_closes_after_the_period(self, municipality: Any) -> None:
        MunicipalityReportSettingsFactory(municipality=municipality, close_resolved_after_days=7)
        old = self.resolved(municipality, 8)
        recent = self.resolved(municipality, 6)
        assert scheduled.close_resolved_reports(NOW) == 1
        old.refresh_from_db()
        recent.refresh_from_db()
        assert old.status == ReportStatus.CLOSED
        assert old.closed_at == NOW
        assert recent.status == ReportStatus.RESOLVED
        event = old.events.get(kind=EventKind.STATUS_CHANGED)
        assert event.author_kind == "system"
        assert (
            AuditEntry.objects.filter(action="reports.report.closed_without_verdict").count() == 1
        )
        assert scheduled.close_resolved_reports(NOW) == 0  # safe to run twice

    def test_default_period_without_settings(self, municipality: Any) -> None:
        report = self.resolved(municipality, scheduled.DEFAULT_CLOSE_RESOLVED_AFTER_DAYS + 1)
        assert scheduled.close_resolved_reports(NOW) == 1
        report.refresh_from_db()
        assert report.status == ReportStatus.CLOSED

    def test_a_closed_report_can_still_be_reopened_by_its_reporter(self, municipality: Any) -> None:
        from weerbaar.reports import services

        report = self.resolved(municipality, 20)
        scheduled.close_resolved_reports(NOW)
        report.refresh_from_db()
        services.request_reopen(report, "Het probleem is terug.")
        assert report.status == ReportStatus.REOPENED
