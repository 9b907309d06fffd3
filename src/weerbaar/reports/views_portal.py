"""The entrepreneur portal's reports (/mijn/meldingen/): my reports, a new report, one report.

The reporter is the logged-in person: the list and the detail show only reports of which
they are the reporter (any other reference answers 404), and a new report is submitted on
the PORTAL channel with them as reporter, optionally "at my business".
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from weerbaar.accounts.models import User
from weerbaar.network.views_portal import PortalView
from weerbaar.reports import queries, services
from weerbaar.reports.forms import ReportForm, Variant
from weerbaar.reports.models import Report
from weerbaar.reports.views_public import ReporterReportView

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # PortalView let only logged-in users through
    return user


class MyReportsView(PortalView, View):
    template_name = "reports/portal/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(queries.reports_of_person(_user(request)), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(request, self.template_name, {"page": page, "reports": page.object_list})


class PortalReportFormView(PortalView, View):
    """A report by the logged-in entrepreneur. The municipality follows from the chosen
    business, or from the municipality field when it happened elsewhere."""

    template_name = "reports/portal/form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_form(ReportForm(variant=Variant.PORTAL, actor=self.actor))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReportForm(request.POST, request.FILES, variant=Variant.PORTAL, actor=self.actor)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            submitted = services.submit_report(self.actor, form.intake())
        except ValidationError as error:
            form.show_service_errors(error)
            return self.render_form(form, status=400)
        report = submitted.report
        messages.success(
            request,
            _("Thank you. We received your report %(reference)s and emailed you a confirmation.")
            % {"reference": report.reference},
        )
        return redirect("reports_portal:detail", report.reference)

    def render_form(self, form: ReportForm, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form}, status=status)


class MyReportView(PortalView, ReporterReportView):
    """One of my reports; a report of someone else answers 404."""

    template_name = "reports/portal/report.html"

    def find_report(self) -> Report | None:
        return (
            queries.reports_of_person(_user(self.request))
            .filter(reference=self.kwargs["reference"])
            .first()
        )

    def missing(self) -> HttpResponse:
        raise Http404

    def page_url(self, report: Report) -> str:
        return reverse("reports_portal:detail", args=[report.reference])

    def reporter_user(self, report: Report) -> User | None:
        return _user(self.request)

    def extra_context(self, report: Report) -> dict[str, Any]:
        return {"in_portal": True}
