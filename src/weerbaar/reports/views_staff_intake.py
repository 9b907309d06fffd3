"""Staff enter a report on behalf of someone (phone, Ondernemers Alert evening, counter, email).

Step one picks the municipality among those the staff member may report for (skipped when
there is only one); step two is the report form with the channel. An anonymous report's
receipt code is shown once on the answer to the POST, for the staff member to hand over.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from weerbaar.accounts.policy import Action
from weerbaar.network.models import Municipality
from weerbaar.network.views_staff import Crumbs, StaffView
from weerbaar.reports import services
from weerbaar.reports.forms import ReportForm, Variant
from weerbaar.reports.views_public import no_store

MUNICIPALITY_PARAMETER = "gemeente"


class OnBehalfFormView(StaffView):
    permission_action = Action.SUBMIT_REPORT_ON_BEHALF
    template_name = "reports/staff_intake/form.html"

    def breadcrumbs(self) -> Crumbs:
        return [(reverse("reports_staff:queue"), _("Reports"))]

    def municipalities(self) -> QuerySet[Municipality]:
        return self.scoped(Municipality.objects.filter(is_active=True)).order_by("name")

    def chosen_municipality(self) -> Municipality | None:
        slug = self.request.GET.get(MUNICIPALITY_PARAMETER, "")
        if slug:
            return get_object_or_404(self.municipalities(), slug=slug)
        only = list(self.municipalities()[:2])
        return only[0] if len(only) == 1 else None

    def get(self, request: HttpRequest) -> HttpResponse:
        municipality = self.chosen_municipality()
        if municipality is None:
            return self.render_choice()
        return self.render_form(self.make_form(municipality))

    def post(self, request: HttpRequest) -> HttpResponse:
        municipality = self.chosen_municipality()
        if municipality is None:
            return self.render_choice(status=400)
        form = self.make_form(municipality, request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            submitted = services.submit_report(self.actor, form.intake())
        except ValidationError as error:
            form.show_service_errors(error)
            return self.render_form(form, status=400)
        self.template_name = "reports/staff_intake/done.html"
        report = submitted.report
        context = {
            "report": report,
            "receipt_code": submitted.receipt_code,
            "code_groups": submitted.receipt_code.split("-") if submitted.receipt_code else [],
            "another_url": f"{reverse('reports_staff:new')}?{MUNICIPALITY_PARAMETER}="
            f"{municipality.slug}",
        }
        return no_store(self.render_page(context))

    def make_form(self, municipality: Municipality, *args: Any) -> ReportForm:
        return ReportForm(*args, variant=Variant.STAFF, municipality=municipality, actor=self.actor)

    def render_choice(self, status: int = 200) -> HttpResponse:
        self.template_name = "reports/staff_intake/choose_municipality.html"
        return self.render_page(
            {"municipalities": self.municipalities(), "parameter": MUNICIPALITY_PARAMETER},
            status=status,
        )

    def render_form(self, form: ReportForm, status: int = 200) -> HttpResponse:
        assert form.municipality is not None
        action = f"{reverse('reports_staff:new')}?{MUNICIPALITY_PARAMETER}={form.municipality.slug}"
        return no_store(
            self.render_page(
                {"form": form, "municipality": form.municipality, "form_action": action},
                status=status,
            )
        )
