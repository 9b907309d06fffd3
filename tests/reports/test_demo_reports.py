"""Demo reports (manage.py load_demo_data): idempotent, realistic, consistent, followable."""

from __future__ import annotations

import datetime
import re
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from weerbaar.accounts.models import Membership, User
from weerbaar.accounts.policy import Action, actor_for, scope_queryset
from weerbaar.reports.demo import DEMO_RECEIPT_CODE, REPORTS_PER_MUNICIPALITY, load_report_demo
from weerbaar.reports.models import (
    EventKind,
    MunicipalityReportSettings,
    Report,
    ReportEvent,
    ReportStatus,
    RoutingRule,
)
from weerbaar.reports.services import open_with_receipt_code
from weerbaar.reports.services.scheduled import overdue_reports
from weerbaar.reports.workflow import OPEN_STATES, Party, find_transition

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def load() -> str:
    out = StringIO()
    call_command("load_demo_data", "--force", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Report, ReportEvent, RoutingRule, MunicipalityReportSettings)
    }


def test_loading_twice_adds_nothing_and_prints_the_same_receipt_code() -> None:
    first_output = load()
    first = counts()
    second_output = load()

    assert counts() == first
    assert first["Report"] == sum(REPORTS_PER_MUNICIPALITY.values())
    assert first["RoutingRule"] == 20
    assert first["MunicipalityReportSettings"] == 4
    codes = [CODE_RE.findall(output) for output in (first_output, second_output)]
    assert codes == [[DEMO_RECEIPT_CODE], [DEMO_RECEIPT_CODE]]


def test_the_printed_receipt_code_opens_its_report_with_a_question_waiting() -> None:
    output = load()
    (code,) = CODE_RE.findall(output)

    report = open_with_receipt_code(code, "demo-test-client")

    assert report.reference in output
    assert report.is_anonymous
    assert report.status == ReportStatus.WAITING_FOR_REPORTER
    question = report.events.filter(to_status=ReportStatus.WAITING_FOR_REPORTER).get()
    assert question.text


def test_the_reports_are_varied_and_some_are_overdue() -> None:
    load()
    reports = Report.objects.all()

    assert set(reports.values_list("municipality__slug", flat=True)) == set(
        REPORTS_PER_MUNICIPALITY
    )
    assert len(set(reports.values_list("status", flat=True))) >= 7
    assert len(set(reports.values_list("channel", flat=True))) >= 5
    assert len(set(reports.values_list("category__parent__code", flat=True))) >= 5
    assert reports.filter(overdue_reports()).count() >= 5
    assert reports.filter(is_confidential=True).count() >= 10
    assert reports.filter(is_satisfied=False).exists()
    assert reports.filter(duplicate_of__isnull=False).exists()
    assert ReportEvent.objects.filter(kind=EventKind.MESSAGE_FROM_REPORTER).exists()
    assert reports.filter(reporter__email="ondernemer@breda.weerbaar.demo").exists()
    assert reports.filter(created_at__lt=timezone.now() - datetime.timedelta(days=300)).exists()


def test_anonymous_reports_carry_a_receipt_hash_and_nothing_identifying() -> None:
    load()
    anonymous = Report.objects.filter(is_anonymous=True)

    assert anonymous.count() >= 15
    assert not anonymous.filter(receipt_code_hash__isnull=True).exists()
    assert not anonymous.exclude(reporter=None).exists()
    assert not anonymous.exclude(reporter_email="", reporter_name="", reporter_phone="").exists()
    assert not Report.objects.filter(is_anonymous=False, receipt_code_hash__isnull=False).exists()


def test_every_timeline_follows_the_workflow_and_lies_in_the_past() -> None:
    load()
    now = timezone.now()
    for report in Report.objects.prefetch_related("events"):
        events = list(report.events.all())
        assert events[0].kind == EventKind.SUBMITTED
        status = ReportStatus.RECEIVED
        for event in events:
            assert report.created_at <= event.created_at <= now, report.reference
            if event.kind == EventKind.STATUS_CHANGED:
                party = Party.REPORTER if event.author_kind == "reporter" else Party.HANDLER
                assert event.from_status == status
                assert find_transition(status, event.to_status, party), (report, event)
                status = ReportStatus(event.to_status)
            elif event.kind == EventKind.FORWARDED:
                status = ReportStatus.FORWARDED
        assert report.status == status, report.reference
        if report.status in OPEN_STATES:
            assert report.closed_at is None
        if report.status == ReportStatus.RESOLVED:
            assert report.feedback_at is not None
        if report.status == ReportStatus.DUPLICATE:
            assert report.duplicate_of is not None


def test_confidential_reports_are_seen_only_by_the_designated_demo_users() -> None:
    load()
    designated = set(
        Membership.objects.filter(handles_confidential_reports=True).values_list(
            "user__email", flat=True
        )
    )
    assert designated == {
        "oov@breda.weerbaar.demo",
        "ondermijning@politie.weerbaar.demo",
        "bedrijfscontact@politie.weerbaar.demo",
    }
    breda_confidential = Report.objects.filter(municipality__slug="breda", is_confidential=True)
    assert breda_confidential.exists()

    def visible(email: str) -> set[int]:
        actor = actor_for(User.objects.get(email=email))
        return set(
            scope_queryset(actor, Action.VIEW_REPORT, breda_confidential).values_list(
                "pk", flat=True
            )
        )

    everything = set(breda_confidential.values_list("pk", flat=True))
    assert visible("ondermijning@politie.weerbaar.demo") == everything
    assert visible("oov@breda.weerbaar.demo") == everything
    assert visible("wijkagent@politie.weerbaar.demo") == set()
    undermining = breda_confidential.exclude(status=ReportStatus.FORWARDED)
    assert set(undermining.values_list("team", flat=True)) <= {"Ondermijning"}
    # Handlers assigned to confidential reports are designated for them.
    assignees = set(breda_confidential.values_list("assignee__email", flat=True)) - {None}
    assert assignees <= designated


def test_the_reports_load_fast_after_the_network_demo() -> None:
    from weerbaar.network.demo_load import load_demo_data

    load_demo_data()
    started = time.monotonic()
    result = load_report_demo()
    elapsed = time.monotonic() - started
    assert result.created["reports"] == sum(REPORTS_PER_MUNICIPALITY.values())
    assert elapsed < 4  # about half a second; the margin is for a busy test machine
