"""Back office: municipalities and areas."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weerbaar.accounts.policy import Action
from weerbaar.network import queries
from weerbaar.network.forms_staff import AreaFilterForm, AreaForm, MunicipalityForm, StaffForm
from weerbaar.network.models import Area, Municipality
from weerbaar.network.services import registry
from weerbaar.network.views_staff import Crumbs, StaffFormView, StaffView


def municipality_crumbs() -> Crumbs:
    return [(reverse("staff:municipality_list"), _("Municipalities"))]


def area_crumbs(area: Area | None = None) -> Crumbs:
    crumbs = [(reverse("staff:area_list"), _("Areas"))]
    if area is not None:
        crumbs.append((reverse("staff:area_detail", args=[area.pk]), area.name))
    return crumbs


# --- municipalities -------------------------------------------------------------------------


class MunicipalityListView(StaffView):
    permission_action = Action.VIEW_MUNICIPALITY
    template_name = "network/staff/municipality_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        municipalities = queries.municipalities_for_list(self.scoped(Municipality.objects.all()))
        return self.render_page(
            {
                "page_obj": self.paginate(municipalities),
                "can_create": self.can(Action.MANAGE_MUNICIPALITY),
            }
        )


class MunicipalityDetailView(StaffView):
    permission_action = Action.VIEW_MUNICIPALITY
    template_name = "network/staff/municipality_detail.html"

    def breadcrumbs(self) -> Crumbs:
        return municipality_crumbs()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        municipality = get_object_or_404(self.scoped(Municipality.objects.all()), pk=pk)
        areas = queries.areas_with_counts(
            self.scoped(Area.objects.filter(municipality=municipality), Action.VIEW_AREA)
        ).order_by("name")
        return self.render_page(
            {
                "municipality": municipality,
                "areas": areas,
                "business_count": municipality.businesses.filter(is_active=True).count(),
                "can_edit": self.can(Action.MANAGE_MUNICIPALITY, municipality),
                "can_add_area": registry.covers_municipality(
                    self.actor, Action.MANAGE_AREA, municipality.pk
                ),
            }
        )


class MunicipalityCreateView(StaffFormView):
    permission_action = Action.MANAGE_MUNICIPALITY
    title = gettext_lazy("New municipality")
    submit_label = gettext_lazy("Add municipality")
    success_message = gettext_lazy("The municipality was added.")

    def breadcrumbs(self) -> Crumbs:
        return municipality_crumbs()

    def get_form(self, data: Any = None) -> StaffForm:
        return MunicipalityForm(data, initial={"is_active": True})

    def perform(self, form: StaffForm) -> Municipality:
        return registry.create_municipality(self.actor, **form.values())

    def success_url(self, obj: Municipality) -> str:
        return reverse("staff:municipality_detail", args=[obj.pk])


class MunicipalityEditView(MunicipalityCreateView):
    submit_label = gettext_lazy("Save changes")
    success_message = gettext_lazy("The changes were saved.")

    def load(self) -> None:
        pk = self.kwargs["pk"]
        self.municipality = get_object_or_404(self.scoped(Municipality.objects.all()), pk=pk)

    def get_title(self) -> str:
        return _("Edit %(name)s") % {"name": self.municipality.name}

    def breadcrumbs(self) -> Crumbs:
        url = reverse("staff:municipality_detail", args=[self.municipality.pk])
        return [*municipality_crumbs(), (url, self.municipality.name)]

    def get_form(self, data: Any = None) -> StaffForm:
        return MunicipalityForm(data, instance=self.municipality)

    def perform(self, form: StaffForm) -> Municipality:
        return registry.update_municipality(self.actor, self.municipality, **form.values())


# --- areas ----------------------------------------------------------------------------------


class AreaListView(StaffView):
    permission_action = Action.VIEW_AREA
    template_name = "network/staff/area_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        municipalities = self.scoped(Municipality.objects.all(), Action.VIEW_MUNICIPALITY)
        form = AreaFilterForm(request.GET or None, municipalities=municipalities)
        areas = self.scoped(Area.objects.all())
        status = 200
        if form.is_bound and form.is_valid():
            if municipality := form.cleaned_data["municipality"]:
                areas = areas.filter(municipality=municipality)
            if kind := form.cleaned_data["kind"]:
                areas = areas.filter(kind=kind)
        elif form.is_bound:
            areas, status = areas.none(), 400
        return self.render_page(
            {
                "filter_form": form,
                "page_obj": self.paginate(
                    queries.areas_with_counts(areas).order_by("municipality__name", "name")
                ),
                "query_string": self.query_string(),
                "can_create": self.can(Action.MANAGE_AREA),
            },
            status=status,
        )


class AreaDetailView(StaffView):
    permission_action = Action.VIEW_AREA
    template_name = "network/staff/area_detail.html"

    def breadcrumbs(self) -> Crumbs:
        return area_crumbs()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        areas = self.scoped(Area.objects.select_related("municipality"))
        area = get_object_or_404(
            areas.annotate(
                business_count=Count(
                    "businesses", filter=Q(businesses__is_active=True), distinct=True
                ),
                people_count=Count(
                    "businesses__people__person",
                    filter=Q(businesses__is_active=True),
                    distinct=True,
                ),
            ),
            pk=pk,
        )
        manages_network = self.can(Action.MANAGE_AREA_NETWORK, area)
        return self.render_page(
            {
                "area": area,
                "ambassadors": queries.area_ambassadors(area),
                "contacts": queries.area_contacts(area),
                "can_edit": self.can(Action.MANAGE_AREA, area),
                "can_manage_network": manages_network,
                "can_view_businesses": self.can(Action.VIEW_BUSINESS),
            }
        )


class AreaCreateView(StaffFormView):
    permission_action = Action.MANAGE_AREA
    title = gettext_lazy("New area")
    submit_label = gettext_lazy("Add area")
    success_message = gettext_lazy("The area was added.")

    def breadcrumbs(self) -> Crumbs:
        return area_crumbs()

    def get_form(self, data: Any = None) -> StaffForm:
        municipalities = Municipality.objects.filter(
            pk__in=[
                municipality.pk
                for municipality in self.scoped(Municipality.objects.all())
                if registry.covers_municipality(self.actor, Action.MANAGE_AREA, municipality.pk)
            ]
        )
        initial = {}
        if (value := self.request.GET.get("gemeente", "")).isdigit():
            initial["municipality"] = int(value)
        return AreaForm(data, municipalities=municipalities, initial=initial)

    def perform(self, form: StaffForm) -> Area:
        municipality = form.cleaned_data["municipality"]
        return registry.create_area(self.actor, municipality, **form.values())

    def success_url(self, obj: Area) -> str:
        return reverse("staff:area_detail", args=[obj.pk])


class AreaEditView(AreaCreateView):
    submit_label = gettext_lazy("Save changes")
    success_message = gettext_lazy("The changes were saved.")

    def load(self) -> None:
        areas = self.scoped(Area.objects.select_related("municipality"))
        self.area = get_object_or_404(areas, pk=self.kwargs["pk"])

    def get_title(self) -> str:
        return _("Edit %(name)s") % {"name": self.area.name}

    def breadcrumbs(self) -> Crumbs:
        return area_crumbs(self.area)

    def get_form(self, data: Any = None) -> StaffForm:
        return AreaForm(data, instance=self.area)

    def perform(self, form: StaffForm) -> Area:
        return registry.update_area(self.actor, self.area, **form.values())
