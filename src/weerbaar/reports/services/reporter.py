"""The reporter's side: follow a report, reply, add information, give a verdict, reopen.

The caller has already established that the person is this report's reporter: logged in as
its reporter (portal), holding its receipt code (anonymous), or following the signed link
from an email (identified without account). `open_with_receipt_code()` is that check for
receipt codes and rate-limits guessing. Nothing here stores who the reporter is.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.accounts.models import User
from weerbaar.core import audit, ratelimit
from weerbaar.reports import config, notifications, receipts
from weerbaar.reports.attachments import CleanAttachment
from weerbaar.reports.models import (
    EventKind,
    Report,
    ReportEvent,
    ReportStatus,
)
from weerbaar.reports.services.handling import MESSAGE_MAX_LENGTH
from weerbaar.reports.services.intake import store_attachments
from weerbaar.reports.workflow import FINAL_STATES, OPEN_STATES, Party, find_transition

__all__ = [
    "RECEIPT_ATTEMPTS",
    "RECEIPT_WINDOW_SECONDS",
    "ReceiptRejected",
    "TooManyAttempts",
    "can_add_information",
    "can_give_verdict",
    "can_request_reopen",
    "open_with_receipt_code",
    "record_verdict",
    "reporter_reply",
    "request_reopen",
]

RECEIPT_ATTEMPTS = 10
RECEIPT_WINDOW_SECONDS = 15 * 60


class ReceiptRejected(Exception):
    """The code is malformed or belongs to no report (one message for both: no oracle)."""


class TooManyAttempts(Exception):
    """Too many receipt codes tried from this client; wait and try again."""


def open_with_receipt_code(typed_code: str, client_key: str) -> Report:
    """The report a receipt code belongs to.

    `client_key` identifies the client for rate limiting only (the web layer passes the IP
    address); it lives a quarter of an hour in the cache, hashed, and is never stored with
    a report or logged.
    """
    if not ratelimit.hit(
        "receipt-code", client_key, limit=RECEIPT_ATTEMPTS, window_seconds=RECEIPT_WINDOW_SECONDS
    ):
        raise TooManyAttempts
    canonical = receipts.normalise_code(typed_code)
    if canonical is None:
        raise ReceiptRejected
    report = (
        Report.objects.filter(receipt_code_hash=receipts.hash_code(canonical), is_anonymous=True)
        .select_related("category", "municipality")
        .first()
    )
    if report is None:
        raise ReceiptRejected
    return report


def _clean(text: str, *, required_message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": required_message})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {"text": _("Keep it under %(count)d characters.") % {"count": MESSAGE_MAX_LENGTH}}
        )
    if "\x00" in text:
        raise ValidationError({"text": _("The text contains characters that are not allowed.")})
    return text


def can_add_information(report: Report) -> bool:
    return report.status in OPEN_STATES or report.status == ReportStatus.RESOLVED


def _reopen_window(report: Report) -> datetime.timedelta:
    days = config.current().settings_for(report.municipality_id).reopen_window_days
    return datetime.timedelta(days=days)


def can_give_verdict(report: Report) -> bool:
    return (
        report.status in (ReportStatus.RESOLVED, ReportStatus.CLOSED)
        and report.is_satisfied is None
    )


def can_request_reopen(report: Report) -> bool:
    if report.status == ReportStatus.RESOLVED:
        return True
    if report.status != ReportStatus.CLOSED or report.closed_at is None:
        return False
    return timezone.now() - report.closed_at <= _reopen_window(report)


def reporter_reply(
    report: Report,
    text: str,
    attachments: Sequence[CleanAttachment] = (),
    *,
    reporter: User | None = None,
) -> ReportEvent:
    """Add information or answer a question. A report waiting for the reporter goes back
    to the handler; the assigned handler gets a notice."""
    if not can_add_information(report):
        raise ValidationError(
            _("This report is closed. You can ask to reopen it, or make a new report.")
        )
    text = _clean(text, required_message=_("Write your message."))
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        event = ReportEvent.objects.create(
            report=locked,
            kind=EventKind.MESSAGE_FROM_REPORTER,
            author=reporter,
            author_kind="reporter",
            text=text,
        )
        store_attachments(locked, attachments, event=event, from_reporter=True)
        if locked.status == ReportStatus.WAITING_FOR_REPORTER:
            _reporter_transition(locked, ReportStatus.IN_PROGRESS)
        else:
            Report.objects.filter(pk=locked.pk).update(
                version=F("version") + 1, updated_at=timezone.now()
            )
        audit.record(None, "reports.report.reporter_replied", locked)
        if locked.assignee is not None:
            notifications.notify_handlers(locked, [locked.assignee], "handler_reply")
    report.refresh_from_db()
    return event


def record_verdict(report: Report, *, satisfied: bool | None, comment: str = "") -> Report:
    """The reporter's "satisfied yes/no + why" after resolution; closes a resolved report."""
    if not can_give_verdict(report):
        raise ValidationError(_("You already gave your verdict on this report, or it is open."))
    if satisfied is None:
        raise ValidationError({"satisfied": _("Choose yes or no.")})
    comment = (comment or "").strip()
    if len(comment) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {"comment": _("Keep it under %(count)d characters.") % {"count": MESSAGE_MAX_LENGTH}}
        )
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if not can_give_verdict(locked):
            raise ValidationError(_("You already gave your verdict on this report."))
        Report.objects.filter(pk=locked.pk).update(
            is_satisfied=satisfied, satisfaction_comment=comment
        )
        ReportEvent.objects.create(
            report=locked,
            kind=EventKind.SATISFACTION,
            author_kind="reporter",
            text=comment,
            data={"satisfied": satisfied},
        )
        if locked.status == ReportStatus.RESOLVED:
            _reporter_transition(locked, ReportStatus.CLOSED, closed_at=timezone.now())
        audit.record(None, "reports.report.verdict", locked, {"satisfied": satisfied})
    report.refresh_from_db()
    return report


def request_reopen(report: Report, reason: str) -> Report:
    """The reporter asks to reopen a resolved or recently closed report, saying why."""
    if not can_request_reopen(report):
        raise ValidationError(
            _("This report can no longer be reopened. Please make a new report.")
            if report.status in FINAL_STATES
            else _("Only a resolved or closed report can be reopened.")
        )
    reason = _clean(reason, required_message=_("Say why the report should be reopened."))
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if not can_request_reopen(locked):
            raise ValidationError(_("Only a resolved or closed report can be reopened."))
        ReportEvent.objects.create(
            report=locked,
            kind=EventKind.REOPEN_REQUESTED,
            author_kind="reporter",
            text=reason,
        )
        _reporter_transition(
            locked,
            ReportStatus.REOPENED,
            closed_at=None,
            is_satisfied=None,
            satisfaction_comment="",
        )
        audit.record(None, "reports.report.reopen_requested", locked)
        if locked.assignee is not None:
            notifications.notify_handlers(locked, [locked.assignee], "handler_reopen")
    report.refresh_from_db()
    return report


def _reporter_transition(report: Report, target: ReportStatus, **changes: object) -> None:
    from_status = report.status
    if find_transition(from_status, target, Party.REPORTER) is None:
        raise ValidationError(_("This step is not possible for this report now."))
    Report.objects.filter(pk=report.pk).update(
        status=target, version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    ReportEvent.objects.create(
        report=report,
        kind=EventKind.STATUS_CHANGED,
        from_status=from_status,
        to_status=target,
        author_kind="reporter",
    )
    report.status = target
