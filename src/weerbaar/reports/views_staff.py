"""Back office for handlers: the work queue, a report's page with its full timeline, and the
actions on it (workflow steps, messages, notes, assignment, forwarding, attachments).

Reports are looked up through `queries.report_for_staff`, which the policy scopes to the
actor: a report outside the actor's scope, or a confidential report without the designation,
answers 404; a role without VIEW_REPORT gets 403. Every write calls
`reports.services.handling`. Each action form carries the report's `version`; a change based
on an outdated page is refused by the service, shown with status 409 and nothing written.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from weerbaar.accounts.models import Membership, Organisation, Role, User
from weerbaar.accounts.policy import CONFIDENTIAL_ROLES, RULES, Action
from weerbaar.network.models import Area, Municipality
from weerbaar.network.views_staff import Crumbs, StaffView
from weerbaar.reports import queries, services
from weerbaar.reports.forms_staff import (
    AssignForm,
    ForwardForm,
    KeyedForm,
    MessageForm,
    NoteForm,
    QueueFilterForm,
    TransitionForm,
)
from weerbaar.reports.models import Report, ReportCategory, ReportStatus
from weerbaar.reports.workflow import (
    FINAL_STATES,
    FORWARDABLE_STATES,
    Party,
    find_transition,
    transitions_from,
)


def queue_crumbs() -> Crumbs:
    return [(reverse("reports_staff:queue"), _("Reports"))]


def assignable_handlers(report: Report) -> QuerySet[User]:
    """People who may handle `report`, in one query: an active membership whose role may
    handle reports and whose scope takes in the report's place, and for a confidential report
    also a designated membership (of a confidential role) covering it. This is the policy's
    rule (`accounts.policy`, RULES and CONFIDENTIAL_FLAGS) written as a filter; the assign
    service still asks the policy itself, so a difference could only hide a candidate."""

    def covering(roles: Iterable[str], **extra: Any) -> QuerySet[Membership]:
        covers = Q(role=Role.PLATFORM_ADMIN) | Q(municipalities=report.municipality_id)
        if report.area_id is not None:
            covers |= Q(areas=report.area_id)
        return Membership.objects.filter(covers, is_active=True, role__in=roles, **extra)

    users = User.objects.filter(
        is_active=True,
        pk__in=covering(RULES[Action.HANDLE_REPORT]).values("user_id"),
    )
    if report.is_confidential:
        designated = covering(CONFIDENTIAL_ROLES, handles_confidential_reports=True)
        users = users.filter(pk__in=designated.values("user_id"))
    return users.order_by("full_name", "email")


def forward_organisations(report: Report) -> QuerySet[Organisation]:
    """Organisations working in the report's municipality, and regional ones."""
    return Organisation.objects.filter(
        Q(municipality__isnull=True) | Q(municipality=report.municipality_id)
    ).order_by("name")


def is_stale(error: ValidationError) -> bool:
    if hasattr(error, "error_dict"):
        errors = [item for items in error.error_dict.values() for item in items]
    else:
        errors = error.error_list
    return any(item.code == "stale" for item in errors)


class QueueView(StaffView):
    """The work queue: filters, sorting and 25 reports per page."""

    permission_action = Action.VIEW_REPORT
    template_name = "reports/staff/queue.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        # Always bound: an empty query string is the default view (open, newest first).
        form = QueueFilterForm(
            request.GET,
            categories=list(ReportCategory.objects.order_by("sort_order", "code")),
            municipalities=self.scoped(Municipality.objects.all(), Action.VIEW_MUNICIPALITY),
            areas=self.scoped(Area.objects.select_related("municipality"), Action.VIEW_AREA),
        )
        if form.is_valid():
            reports, status = queries.work_queue(self.actor, form.filters()), 200
        else:
            reports, status = Report.objects.none(), 400
        return self.render_page(
            {
                "filter_form": form,
                "page_obj": self.paginate(reports),
                "query_string": self.query_string(),
                "can_submit_on_behalf": self.can(Action.SUBMIT_REPORT_ON_BEHALF),
            },
            status=status,
        )


class ReportPageView(StaffView):
    """Shared by the report page and its actions: lookup and rendering of the page."""

    permission_action = Action.VIEW_REPORT
    template_name = "reports/staff/detail.html"

    def breadcrumbs(self) -> Crumbs:
        return queue_crumbs()

    def load_report(self) -> Report:
        return get_object_or_404(queries.report_for_staff(self.actor, self.kwargs["reference"]))

    def detail_url(self, report: Report) -> str:
        return reverse("reports_staff:detail", args=[report.reference])

    def render_report(
        self, report: Report, failed: KeyedForm | None = None, status: int = 200
    ) -> HttpResponse:
        """The report page; `failed` is a posted form shown with its errors in its place."""
        services.record_confidential_view(self.actor, report)
        can_handle = self.can(Action.HANDLE_REPORT, report)
        context: dict[str, Any] = {
            "report": report,
            "events": queries.timeline(report),
            "attachments": list(report.attachments.all()),
            "duplicates": list(
                queries.visible_reports(self.actor)
                .filter(duplicate_of=report)
                .only("reference", "status")
            ),
            "can_handle": can_handle,
            "failed_form": failed,
            "is_stale": status == 409,
        }
        if can_handle:
            context.update(self.action_forms(report, failed))
        return self.render_page(context, status=status)

    def action_forms(self, report: Report, failed: KeyedForm | None) -> dict[str, Any]:
        def pick(fresh: KeyedForm) -> KeyedForm:
            if failed is not None and type(failed) is type(fresh) and failed.key == fresh.key:
                return failed
            return fresh

        transitions = [
            (
                transition,
                pick(TransitionForm(transition=transition, key=f"transition-{transition.target}")),
            )
            for transition in transitions_from(report.status, Party.HANDLER)
        ]
        handlers = assignable_handlers(report)
        return {
            "transition_forms": transitions,
            "message_form": (
                pick(MessageForm(key="message")) if report.status not in FINAL_STATES else None
            ),
            "note_form": pick(NoteForm(key="note")),
            "assign_form": pick(
                AssignForm(
                    key="assign", handlers=handlers, initial={"assignee": report.assignee_id}
                )
            ),
            "forward_form": (
                pick(ForwardForm(key="forward", organisations=forward_organisations(report)))
                if report.status in FORWARDABLE_STATES
                else None
            ),
        }


class ReportDetailView(ReportPageView):
    def get(self, request: HttpRequest, reference: str) -> HttpResponse:
        return self.render_report(self.load_report())


class ReportActionView(ReportPageView, ABC):
    """POST only: parse the form, call the service, back to the report page. When the
    service refuses, the page is shown again with the error at the form (400, or 409 when
    the report changed meanwhile) and the latest state of the report; nothing is written."""

    permission_action = Action.HANDLE_REPORT
    http_method_names = ["post"]

    @abstractmethod
    def get_form(self, report: Report, data: Any) -> KeyedForm:
        """The action's form, bound to the posted `data`."""

    @abstractmethod
    def perform(self, report: Report, form: Any) -> str:
        """Call the service with the valid form's values; return the success message."""

    def post(self, request: HttpRequest, reference: str) -> HttpResponse:
        report = self.load_report()
        form = self.get_form(report, request.POST)
        status = 400
        if form.is_valid():
            try:
                message = self.perform(report, form)
            except ValidationError as error:
                form.show_errors(error)
                status = 409 if is_stale(error) else 400
            else:
                messages.success(request, message)
                return redirect(self.detail_url(report))
        # Show what the report looks like now, which may differ from what was posted against.
        return self.render_report(self.load_report(), failed=form, status=status)


class TransitionView(ReportActionView):
    def get_form(self, report: Report, data: Any) -> TransitionForm:
        target = str(data.get("target", ""))
        transition = find_transition(report.status, target, Party.HANDLER)
        # The key ends up in element ids: only a known status goes in.
        key = target if target in ReportStatus.values else "unknown"
        return TransitionForm(data, transition=transition, key=f"transition-{key}")

    def perform(self, report: Report, form: TransitionForm) -> str:
        values = form.cleaned_data
        reference = (values.get("duplicate_of") or "").strip().upper()
        original = None
        if reference:
            original = queries.visible_reports(self.actor).filter(reference=reference).first()
            if original is None:
                raise ValidationError(
                    {"duplicate_of": _("No report with this reference was found.")}
                )
        services.transition_report(
            self.actor,
            report,
            values["target"],
            version=values["version"],
            text=values.get("text") or "",
            duplicate_of=original,
        )
        return _("The report is now “%(status)s”.") % {"status": report.get_status_display()}


class MessageView(ReportActionView):
    def get_form(self, report: Report, data: Any) -> MessageForm:
        return MessageForm(data, key="message")

    def perform(self, report: Report, form: MessageForm) -> str:
        values = form.cleaned_data
        services.message_reporter(self.actor, report, values["text"], version=values["version"])
        if report.is_anonymous:
            return _("The message was added. The reporter reads it with the receipt code.")
        return _("The message was sent to the reporter.")


class NoteView(ReportActionView):
    def get_form(self, report: Report, data: Any) -> NoteForm:
        return NoteForm(data, key="note")

    def perform(self, report: Report, form: NoteForm) -> str:
        services.add_internal_note(self.actor, report, form.cleaned_data["text"])
        return _("The internal note was added.")


class AssignView(ReportActionView):
    def get_form(self, report: Report, data: Any) -> AssignForm:
        # The service asks the policy whether the chosen person may handle the report.
        return AssignForm(data, key="assign", handlers=assignable_handlers(report))

    def perform(self, report: Report, form: AssignForm) -> str:
        values = form.cleaned_data
        assignee = values["assignee"]
        services.assign_report(self.actor, report, assignee, version=values["version"])
        if assignee is None:
            return _("The report no longer has a handler.")
        return _("%(name)s is now handling the report.") % {"name": assignee}


class ForwardView(ReportActionView):
    def get_form(self, report: Report, data: Any) -> ForwardForm:
        return ForwardForm(data, key="forward", organisations=forward_organisations(report))

    def perform(self, report: Report, form: ForwardForm) -> str:
        values = form.cleaned_data
        services.forward_report(
            self.actor,
            report,
            values["organisation"],
            team=values["team"],
            reason=values["reason"],
            version=values["version"],
        )
        return _("The report was forwarded to %(organisation)s.") % {
            "organisation": values["organisation"]
        }


class AttachmentDownloadView(ReportPageView):
    """Streams an attachment from private storage to someone who may see the report."""

    def get(self, request: HttpRequest, reference: str, pk: int) -> FileResponse:
        report = self.load_report()
        attachment = get_object_or_404(report.attachments.all(), pk=pk)
        services.record_confidential_view(self.actor, report)
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.file_name,
            content_type=attachment.content_type or "application/octet-stream",
        )
        # Never let a browser guess a type from the content, nor keep a copy in a cache.
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
