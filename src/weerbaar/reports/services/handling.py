"""Handling a report: transitions, messages, notes, assignment, forwarding, duplicates.

Every function takes the acting staff `Actor`, checks HANDLE_REPORT on the report (403
without the action, 404 outside scope — confidential reports included), validates, writes
the change with an append-only timeline event and an audit entry in one transaction, and
queues what the reporter must hear on commit.

Two handlers at the same moment: every change names the `version` of the report it was
based on; the write is a conditional UPDATE on that version, so of two simultaneous changes
exactly one wins and the other gets a clear "changed meanwhile" message with nothing written.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.accounts.models import Organisation, User
from weerbaar.accounts.policy import Action, Actor, actor_for, can, require
from weerbaar.core import audit
from weerbaar.reports import notifications
from weerbaar.reports.models import EventKind, Report, ReportEvent, ReportStatus
from weerbaar.reports.workflow import FORWARDABLE_STATES, Needs, Party, find_transition

__all__ = [
    "MESSAGE_MAX_LENGTH",
    "add_internal_note",
    "assign_report",
    "forward_report",
    "message_reporter",
    "record_confidential_view",
    "transition_report",
]

MESSAGE_MAX_LENGTH = 5000


def _clean_text(text: str, field: str, *, required: bool, message: str = "") -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: message or _("This field is required.")})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {field: _("Keep it under %(count)d characters.") % {"count": MESSAGE_MAX_LENGTH}}
        )
    return text


def _bump(report: Report, expected_version: int, **changes: object) -> None:
    """Write `changes` only if nobody changed the report since `expected_version`."""
    updated = Report.objects.filter(pk=report.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if updated != 1:
        raise ValidationError(
            _(
                "Someone else changed this report a moment ago. Reload the page to see "
                "the latest state, then try again."
            ),
            code="stale",
        )
    for name, value in changes.items():
        setattr(report, name, value)
    report.version = expected_version + 1


def _first_response_fields(report: Report) -> dict[str, object]:
    return {"first_response_at": timezone.now()} if report.first_response_at is None else {}


def transition_report(
    actor: Actor,
    report: Report,
    target: ReportStatus | str,
    *,
    version: int,
    text: str = "",
    duplicate_of: Report | None = None,
) -> Report:
    """Move `report` to `target` if the workflow allows the handler that step.

    Resolving needs feedback text (sent to the reporter), asking a question needs the
    question, cancelling needs an explanation for the reporter, marking as duplicate needs
    the original report (in the same municipality and visible to the actor).
    """
    require(actor, Action.HANDLE_REPORT, report)
    transition = find_transition(report.status, target, Party.HANDLER)
    if transition is None:
        raise ValidationError(
            _("A report that is “%(status)s” cannot be moved to “%(target)s”.")
            % {
                "status": report.get_status_display(),
                "target": ReportStatus(target).label,
            },
            code="transition_not_allowed",
        )
    needs = transition.needs
    text = _clean_text(
        text,
        "text",
        required=needs in (Needs.FEEDBACK, Needs.QUESTION, Needs.REASON),
        message={
            Needs.FEEDBACK: _("Write the feedback the reporter will receive."),
            Needs.QUESTION: _("Write the question for the reporter."),
            Needs.REASON: _("Explain to the reporter why the report is cancelled."),
        }.get(needs, ""),
    )
    if needs == Needs.DUPLICATE_OF:
        _check_duplicate(actor, report, duplicate_of)
    now = timezone.now()
    target = ReportStatus(target)
    changes: dict[str, object] = {"status": target}
    if target in (ReportStatus.IN_PROGRESS, ReportStatus.WAITING_FOR_REPORTER):
        changes.update(_first_response_fields(report))
    if target in (ReportStatus.RESOLVED, ReportStatus.CANCELLED, ReportStatus.DUPLICATE):
        changes.update(_first_response_fields(report))
        changes["feedback_at"] = now
    if target in (ReportStatus.CANCELLED, ReportStatus.DUPLICATE, ReportStatus.CLOSED):
        changes["closed_at"] = now
    if target == ReportStatus.REOPENED:
        changes.update({"closed_at": None, "is_satisfied": None, "satisfaction_comment": ""})
    if duplicate_of is not None:
        changes["duplicate_of"] = duplicate_of
    from_status = report.status
    with transaction.atomic():
        _bump(report, version, **changes)
        ReportEvent.objects.create(
            report=report,
            kind=EventKind.STATUS_CHANGED,
            from_status=from_status,
            to_status=target,
            author=actor.account,
            author_kind="staff",
            text=text,
            data={"duplicate_of": duplicate_of.reference} if duplicate_of else {},
        )
        audit.record(
            actor.account,
            "reports.report.transitioned",
            report,
            {"status": [from_status, target]},
        )
        if target == ReportStatus.RESOLVED:
            notifications.send_feedback(report, text)
            _resolve_duplicates(actor, report, text)
        elif text:
            notifications.send_message_to_reporter(
                report, text, is_question=target == ReportStatus.WAITING_FOR_REPORTER
            )
    return report


def _check_duplicate(actor: Actor, report: Report, original: Report | None) -> None:
    if original is None:
        raise ValidationError({"duplicate_of": _("Choose the report this one duplicates.")})
    if original.pk == report.pk:
        raise ValidationError({"duplicate_of": _("A report cannot duplicate itself.")})
    if not can(actor, Action.VIEW_REPORT, original):
        raise ValidationError({"duplicate_of": _("No report with this reference was found.")})
    if original.municipality_id != report.municipality_id:
        raise ValidationError(
            {"duplicate_of": _("The original report must be in the same municipality.")}
        )
    if original.duplicate_of_id is not None:
        raise ValidationError(
            {
                "duplicate_of": _("That report is itself a duplicate; link to %(ref)s instead.")
                % {"ref": original.duplicate_of.reference if original.duplicate_of else ""}
            }
        )


def _resolve_duplicates(actor: Actor, original: Report, feedback: str) -> None:
    """Reporters of reports merged into `original` get the same feedback: one handling,
    every reporter hears back."""
    for duplicate in Report.objects.filter(duplicate_of=original).select_related("reporter"):
        ReportEvent.objects.create(
            report=duplicate,
            kind=EventKind.MESSAGE_TO_REPORTER,
            author=actor.account,
            author_kind="staff",
            text=feedback,
        )
        notifications.send_feedback(duplicate, feedback)


def message_reporter(actor: Actor, report: Report, text: str, *, version: int) -> ReportEvent:
    """Send the reporter a message without changing the status (counts as first response).
    An anonymous reporter reads it on the receipt page."""
    require(actor, Action.HANDLE_REPORT, report)
    text = _clean_text(text, "text", required=True, message=_("Write a message."))
    if report.status in (ReportStatus.CLOSED, ReportStatus.CANCELLED, ReportStatus.DUPLICATE):
        raise ValidationError(_("Reopen the report before writing to the reporter."))
    with transaction.atomic():
        _bump(report, version, **_first_response_fields(report))
        event = ReportEvent.objects.create(
            report=report,
            kind=EventKind.MESSAGE_TO_REPORTER,
            author=actor.account,
            author_kind="staff",
            text=text,
        )
        audit.record(actor.account, "reports.report.messaged", report)
        notifications.send_message_to_reporter(report, text, is_question=False)
    return event


def add_internal_note(actor: Actor, report: Report, text: str) -> ReportEvent:
    """A note for handlers only; never shown to the reporter. No version check: notes
    never conflict."""
    require(actor, Action.HANDLE_REPORT, report)
    text = _clean_text(text, "text", required=True, message=_("Write a note."))
    with transaction.atomic():
        event = ReportEvent.objects.create(
            report=report,
            kind=EventKind.INTERNAL_NOTE,
            author=actor.account,
            author_kind="staff",
            text=text,
        )
        audit.record(actor.account, "reports.report.noted", report)
    return event


def assign_report(actor: Actor, report: Report, assignee: User | None, *, version: int) -> Report:
    """Make `assignee` (a handler who may handle this report) responsible; None unassigns."""
    require(actor, Action.HANDLE_REPORT, report)
    if assignee is not None and not can(actor_for(assignee), Action.HANDLE_REPORT, report):
        raise ValidationError(
            {"assignee": _("%(name)s may not handle this report.") % {"name": assignee}}
        )
    before = report.assignee
    with transaction.atomic():
        _bump(report, version, assignee=assignee)
        ReportEvent.objects.create(
            report=report,
            kind=EventKind.ASSIGNED,
            author=actor.account,
            author_kind="staff",
            data={"assignee": str(assignee) if assignee else ""},
        )
        audit.record(
            actor.account,
            "reports.report.assigned",
            report,
            {"assignee": [str(before or ""), str(assignee or "")]},
        )
    return report


def forward_report(
    actor: Actor,
    report: Report,
    organisation: Organisation,
    *,
    team: str = "",
    reason: str,
    version: int,
) -> Report:
    """Hand the report to another organisation, with the reason (internal)."""
    require(actor, Action.HANDLE_REPORT, report)
    reason = _clean_text(
        reason, "reason", required=True, message=_("Say why the report is forwarded.")
    )
    if report.status not in FORWARDABLE_STATES:
        raise ValidationError(_("Only an open report can be forwarded."))
    if organisation.pk == report.organisation_id and team == report.team:
        raise ValidationError(
            {"organisation": _("The report is already with this organisation and team.")}
        )
    if organisation.municipality_id not in (None, report.municipality_id):
        raise ValidationError(
            {"organisation": _("Choose an organisation that works in this municipality.")}
        )
    previous = str(report.organisation or "")
    from_status = report.status
    with transaction.atomic():
        _bump(
            report,
            version,
            organisation=organisation,
            team=team[:100],
            assignee=None,
            status=ReportStatus.FORWARDED,
        )
        ReportEvent.objects.create(
            report=report,
            kind=EventKind.FORWARDED,
            from_status=from_status,
            to_status=ReportStatus.FORWARDED,
            author=actor.account,
            author_kind="staff",
            text=reason,
            data={"from": previous, "to": str(organisation), "team": team},
        )
        audit.record(
            actor.account,
            "reports.report.forwarded",
            report,
            {"organisation": [previous, str(organisation)]},
        )
    return report


def record_confidential_view(actor: Actor, report: Report) -> None:
    """Every look at a confidential report leaves an audit entry (who, when)."""
    if report.is_confidential:
        audit.record(actor.account, "reports.report.viewed", report)
