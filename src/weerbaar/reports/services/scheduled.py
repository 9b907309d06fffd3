"""Work the scheduler does: closing resolved reports nobody answered, retention of closed
reports and the daily overdue digest.

All are called by Celery beat tasks (`reports.tasks`); retention may also be run by hand
with `manage.py apply_report_retention`. All are safe to run twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from urllib.parse import urljoin

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from weerbaar.accounts.models import Membership, Role, User
from weerbaar.accounts.policy import Action, actor_for, scope_queryset
from weerbaar.core import audit
from weerbaar.core.calendar import NATIONAL_CALENDAR
from weerbaar.core.models import Delivery
from weerbaar.core.outbox import (
    Recipient,
    delete_messages_for,
    queue_message,
    split_subject,
)
from weerbaar.network.models import Municipality
from weerbaar.reports import config
from weerbaar.reports.models import (
    EventKind,
    MunicipalityReportSettings,
    Report,
    ReportEvent,
    ReportStatus,
    RetentionMode,
)
from weerbaar.reports.workflow import FINAL_STATES, OPEN_STATES, Party, find_transition

__all__ = [
    "RetentionResult",
    "apply_retention",
    "close_resolved_reports",
    "overdue_reports",
    "send_overdue_digests",
]

# The model's default, for municipalities that never saved settings.
DEFAULT_CLOSE_RESOLVED_AFTER_DAYS: int = MunicipalityReportSettings._meta.get_field(
    "close_resolved_after_days"
).get_default()
RETENTION_CHUNK = 200
DIGEST_LIMIT = 50  # references listed per digest; the link leads to the full list
ANONYMISED_TEXT = "—"


@dataclass(frozen=True)
class RetentionResult:
    anonymised: int
    deleted: int


def close_resolved_reports(now: datetime.datetime | None = None) -> int:
    """Close resolved reports whose reporter gave no verdict within the municipality's period
    (the workflow's SYSTEM step RESOLVED → CLOSED). Without this a resolved report would
    stay open for ever and never reach retention. The reporter can still ask to reopen it
    within the reopen window. Returns the number closed."""
    now = now or timezone.now()
    configuration = config.current()
    transition = find_transition(ReportStatus.RESOLVED, ReportStatus.CLOSED, Party.SYSTEM)
    assert transition is not None  # the workflow table allows it; a test guards that
    closed = 0
    for municipality_id in Municipality.objects.values_list("pk", flat=True):
        days = configuration.settings_for(municipality_id).close_resolved_after_days
        due_ids = list(
            Report.objects.filter(
                municipality_id=municipality_id,
                status=ReportStatus.RESOLVED,
                feedback_at__lt=now - datetime.timedelta(days=days),
            ).values_list("pk", flat=True)
        )
        for report_id in due_ids:
            with transaction.atomic():
                # The conditional update makes a verdict given at this very moment win.
                changed = Report.objects.filter(pk=report_id, status=ReportStatus.RESOLVED).update(
                    status=ReportStatus.CLOSED,
                    closed_at=now,
                    version=F("version") + 1,
                    updated_at=now,
                )
                if not changed:
                    continue
                report = Report.objects.get(pk=report_id)
                ReportEvent.objects.create(
                    report=report,
                    kind=EventKind.STATUS_CHANGED,
                    from_status=ReportStatus.RESOLVED,
                    to_status=ReportStatus.CLOSED,
                    author_kind="system",
                    data={"reason": "no_verdict"},
                )
                audit.record(None, "reports.report.closed_without_verdict", report)
                closed += 1
    return closed


def apply_retention(now: datetime.datetime | None = None) -> RetentionResult:
    """Anonymise or delete reports closed longer ago than their municipality's retention
    period. Anonymising keeps category, place, dates and status (for the figures) and
    removes the description, location details, reporter identity, messages and files.
    Each report gets an audit entry (system actor)."""
    now = now or timezone.now()
    anonymised = deleted = 0
    configuration = config.current()
    for municipality_id in Municipality.objects.values_list("pk", flat=True):
        report_settings = configuration.settings_for(municipality_id)
        days, mode = report_settings.retention_days, report_settings.retention_mode
        due_ids = list(
            Report.objects.filter(
                municipality_id=municipality_id,
                status__in=FINAL_STATES,
                closed_at__lt=now - datetime.timedelta(days=days),
                anonymised_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        # Read in chunks, never through an open cursor: writing to a table while a cursor
        # over it is open is unsafe on SQLite. Each report has its own transaction, so a
        # crash halfway leaves every report untouched or done, and the next run continues.
        for start in range(0, len(due_ids), RETENTION_CHUNK):
            for report in Report.objects.filter(pk__in=due_ids[start : start + RETENTION_CHUNK]):
                if mode == RetentionMode.DELETE:
                    _delete(report)
                    deleted += 1
                else:
                    _anonymise(report, now)
                    anonymised += 1
    return RetentionResult(anonymised=anonymised, deleted=deleted)


def _delete(report: Report) -> None:
    with transaction.atomic():
        files = [attachment.file for attachment in report.attachments.all()]
        audit.record(None, "reports.report.deleted_by_retention", report)
        # Emails to the reporter hold the same content and their address.
        delete_messages_for(report)
        report.delete()
        transaction.on_commit(partial(_delete_files, files))


def _anonymise(report: Report, now: datetime.datetime) -> None:
    with transaction.atomic():
        files = [attachment.file for attachment in report.attachments.all()]
        report.attachments.all().delete()
        report.events.exclude(kind=EventKind.SUBMITTED).update(text="", data={})
        # A reporter who replied from the portal is the author of their messages.
        report.events.filter(author_kind="reporter").update(author=None)
        delete_messages_for(report)
        Report.objects.filter(pk=report.pk).update(
            description=ANONYMISED_TEXT,
            location_text="",
            latitude=None,
            longitude=None,
            business=None,
            reporter=None,
            reporter_name="",
            reporter_email="",
            reporter_phone="",
            receipt_code_hash=None,
            satisfaction_comment="",
            anonymised_at=now,
        )
        ReportEvent.objects.create(report=report, kind=EventKind.ANONYMISED, author_kind="system")
        audit.record(None, "reports.report.anonymised_by_retention", report)
        transaction.on_commit(partial(_delete_files, files))


def _delete_files(files: list[FieldFile]) -> None:
    for file in files:
        file.delete(save=False)


def overdue_reports(today: datetime.date | None = None) -> Q:
    """The condition for an open report past one of its deadlines."""
    today = today or timezone.localdate()
    return Q(status__in=OPEN_STATES) & (
        Q(first_response_at__isnull=True, first_response_due__lt=today)
        | Q(feedback_at__isnull=True, feedback_due__lt=today)
    )


def send_overdue_digests(today: datetime.date | None = None) -> int:
    """Email every handler a list of the overdue reports they can handle (references and
    categories only: content stays inside the platform). Returns the number of digests.

    "Can handle": the policy allows HANDLE_REPORT on the report (scope and confidentiality
    designation), it lies with one of the handler's organisations or with none (unrouted),
    and it is assigned to them or to nobody. Nothing is sent on weekends and national public
    holidays. Each handler gets at most one digest per day (one outbox message per handler
    and day), so running it twice is harmless."""
    today = today or timezone.localdate()
    if not NATIONAL_CALENDAR.is_working_day(today):
        return 0
    overdue = Report.objects.filter(overdue_reports(today)).select_related("category")
    memberships = Membership.objects.filter(
        is_active=True,
        role__in=[Role.MUNICIPAL_STAFF, Role.POLICE, Role.PLATFORM_ADMIN],
        user__is_active=True,
    )
    organisations: dict[int, set[int]] = defaultdict(set)
    for user_id, organisation_id in memberships.values_list("user_id", "organisation_id"):
        organisations[user_id].add(organisation_id)
    kind = f"report_overdue_digest:{today.isoformat()}"
    already = set(Delivery.objects.filter(message__kind=kind).values_list("address", flat=True))
    queue_url = urljoin(settings.SITE_URL, reverse("reports_staff:queue") + "?overdue=1")
    sent = 0
    for user in User.objects.filter(pk__in=organisations).order_by("pk"):
        if user.email in already:
            continue
        # Another organisation's reports are theirs to chase; unrouted ones are everyone's.
        mine = scope_queryset(actor_for(user), Action.HANDLE_REPORT, overdue).filter(
            Q(organisation_id__in=organisations[user.pk]) | Q(organisation__isnull=True),
            Q(assignee=user) | Q(assignee__isnull=True),
        )
        listed = list(mine.order_by("feedback_due", "pk")[:DIGEST_LIMIT])
        if not listed:
            continue
        total = len(listed) if len(listed) < DIGEST_LIMIT else mine.count()
        with translation.override(user.preferred_language):
            body = render_to_string(
                "reports/email/overdue_digest.txt",
                {"reports": listed, "total": total, "url": queue_url, "today": today},
            )
        subject, text = split_subject(body)
        with transaction.atomic():
            queue_message(
                kind=kind,
                subject=subject,
                body_text=text,
                recipients=[
                    Recipient(address=user.email, user=user, language=user.preferred_language)
                ],
            )
        sent += 1
    return sent
