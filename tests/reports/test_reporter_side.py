"""The reporter's side: receipt codes, replies, verdict and reopening."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.reports.conftest import intake
from tests.reports.factories import MunicipalityReportSettingsFactory
from weerbaar.accounts.policy import actor_for
from weerbaar.reports import receipts, services
from weerbaar.reports.models import EventKind, Report, ReportStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous(public_actor: Any, municipality: Any) -> tuple[Report, str]:
    result = services.submit_report(
        public_actor, intake(municipality, is_anonymous=True, reporter_email="")
    )
    assert result.receipt_code is not None
    return result.report, result.receipt_code


def resolve(oov: Any, report: Report) -> None:
    report.refresh_from_db()
    services.transition_report(
        actor_for(oov),
        report,
        ReportStatus.RESOLVED,
        version=report.version,
        text="Afgehandeld met de wijkagent.",
    )
    report.refresh_from_db()


class TestReceiptCode:
    def test_the_code_opens_its_report_in_any_spelling(self, anonymous: Any) -> None:
        report, code = anonymous
        sloppy = code.replace("-", " ").lower().replace("0", "o").replace("1", "l")
        assert services.open_with_receipt_code(code, "client-1") == report
        assert services.open_with_receipt_code(sloppy, "client-1") == report

    @pytest.mark.parametrize("typed", ["", "ABCD", "ABCD-EFGH-JKMN-PQRU", "💥" * 16])
    def test_malformed_codes_are_rejected(self, typed: str) -> None:
        with pytest.raises(services.ReceiptRejected):
            services.open_with_receipt_code(typed, "client-2")

    def test_a_guessed_code_is_rejected(self, anonymous: Any) -> None:
        with pytest.raises(services.ReceiptRejected):
            services.open_with_receipt_code(receipts.new_receipt_code(), "client-3")

    def test_guessing_is_rate_limited_per_client(self, anonymous: Any) -> None:
        report, code = anonymous
        for _ in range(services.reporter.RECEIPT_ATTEMPTS):
            with pytest.raises(services.ReceiptRejected):
                services.open_with_receipt_code(receipts.new_receipt_code(), "guesser")
        with pytest.raises(services.TooManyAttempts):
            services.open_with_receipt_code(code, "guesser")  # even the right code now
        assert services.open_with_receipt_code(code, "someone-else") == report

    def test_a_pepper_change_invalidates_codes(self, anonymous: Any, settings: Any) -> None:
        _report, code = anonymous
        settings.RECEIPT_CODE_PEPPER = "another-secret"
        with pytest.raises(services.ReceiptRejected):
            services.open_with_receipt_code(code, "client-4")


class TestConversation:
    def test_anonymous_reporter_answers_a_question(self, anonymous: Any, oov: Any) -> None:
        report, _code = anonymous
        services.transition_report(actor_for(oov), report, ReportStatus.IN_PROGRESS, version=1)
        services.transition_report(
            actor_for(oov),
            report,
            ReportStatus.WAITING_FOR_REPORTER,
            version=2,
            text="Heeft u een kenteken gezien?",
        )
        services.reporter_reply(report, "Ja: 12-ABC-3")
        report.refresh_from_db()
        assert report.status == ReportStatus.IN_PROGRESS
        reply = report.events.get(kind=EventKind.MESSAGE_FROM_REPORTER)
        assert reply.author is None
        assert reply.author_kind == "reporter"

    def test_empty_or_huge_replies_are_refused(self, anonymous: Any) -> None:
        report, _code = anonymous
        for text in ("", "   ", "x" * 50_000):
            with pytest.raises(ValidationError):
                services.reporter_reply(report, text)
        assert not report.events.filter(kind=EventKind.MESSAGE_FROM_REPORTER).exists()

    def test_the_assignee_hears_about_a_reply(
        self,
        anonymous: Any,
        oov: Any,
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        report, _code = anonymous
        services.assign_report(actor_for(oov), report, oov, version=1)
        with django_capture_on_commit_callbacks(execute=True):
            services.reporter_reply(report, "Ik zag ze weer rijden vanavond.")
        assert [m.to for m in mailoutbox] == [[oov.email]]
        assert "rijden" not in mailoutbox[0].body  # content stays inside the platform


class TestVerdictAndReopen:
    def test_verdict_closes_a_resolved_report(self, anonymous: Any, oov: Any) -> None:
        report, _code = anonymous
        resolve(oov, report)
        services.record_verdict(report, satisfied=False, comment="Te laat gehoord.")
        assert report.status == ReportStatus.CLOSED
        assert report.is_satisfied is False
        with pytest.raises(ValidationError):
            services.record_verdict(report, satisfied=True)

    def test_verdict_needs_yes_or_no(self, anonymous: Any, oov: Any) -> None:
        report, _code = anonymous
        resolve(oov, report)
        with pytest.raises(ValidationError):
            services.record_verdict(report, satisfied=None)

    def test_verdict_on_an_open_report_is_refused(self, anonymous: Any) -> None:
        report, _code = anonymous
        with pytest.raises(ValidationError):
            services.record_verdict(report, satisfied=True)

    def test_reopen_within_the_window(self, anonymous: Any, oov: Any, municipality: Any) -> None:
        MunicipalityReportSettingsFactory(municipality=municipality, reopen_window_days=14)
        report, _code = anonymous
        resolve(oov, report)
        services.record_verdict(report, satisfied=False)
        Report.objects.filter(pk=report.pk).update(
            closed_at=timezone.now() - datetime.timedelta(days=15)
        )
        report.refresh_from_db()
        with pytest.raises(ValidationError):
            services.request_reopen(report, "Het gebeurt weer.")
        Report.objects.filter(pk=report.pk).update(
            closed_at=timezone.now() - datetime.timedelta(days=13)
        )
        report.refresh_from_db()
        services.request_reopen(report, "Het gebeurt weer.")
        assert report.status == ReportStatus.REOPENED
        assert report.is_satisfied is None

    def test_reopen_needs_a_reason(self, anonymous: Any, oov: Any) -> None:
        report, _code = anonymous
        resolve(oov, report)
        with pytest.raises(ValidationError):
            services.request_reopen(report, "")
        report.refresh_from_db()
        assert report.status == ReportStatus.RESOLVED

    def test_a_closed_report_takes_no_more_information(self, anonymous: Any, oov: Any) -> None:
        report, _code = anonymous
        services.transition_report(
            actor_for(oov), report, ReportStatus.CANCELLED, version=1, text="Geen strafbaar feit."
        )
        report.refresh_from_db()
        with pytest.raises(ValidationError):
            services.reporter_reply(report, "Nog een detail.")
