"""Back office: an area's network — ambassadors and area contacts, managed from the area's
page."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weerbaar.accounts.models import Organisation
from weerbaar.accounts.policy import Action
from weerbaar.network import queries
from weerbaar.network.forms_staff import AmbassadorForm, AreaContactForm, StaffForm
from weerbaar.network.models import Ambassador, Area, AreaContact, Business
from weerbaar.network.services import registry
from weerbaar.network.views_staff import Crumbs, StaffActionView, StaffFormView
from weerbaar.network.views_staff_places import area_crumbs


def _area_url(area: Area) -> str:
    return reverse("staff:area_detail", args=[area.pk])


class _AreaNetworkMixin:
    """Pages reached from an area's page; they return to it."""

    area: Area

    def breadcrumbs(self) -> Crumbs:
        return area_crumbs(self.area)

    def success_url(self, obj: Any) -> str:
        return _area_url(self.area)

    def back_url(self) -> str:
        return _area_url(self.area)


class AmbassadorAppointView(_AreaNetworkMixin, StaffFormView):
    permission_action = Action.MANAGE_AREA_NETWORK
    submit_label = gettext_lazy("Appoint ambassador")
    success_message = gettext_lazy("The ambassador was appointed.")

    def load(self) -> None:
        areas = self.scoped(Area.objects.select_related("municipality"))
        self.area = get_object_or_404(areas, pk=self.kwargs["pk"])

    def get_title(self) -> str:
        return _("Appoint an ambassador for %(area)s") % {"area": self.area.name}

    def get_form(self, data: Any = None) -> StaffForm:
        people = queries.people_eligible_as_ambassador(self.area)
        businesses = Business.objects.filter(
            municipality_id=self.area.municipality_id, is_active=True, people__isnull=False
        ).distinct()
        return AmbassadorForm(data, people=people, businesses=businesses)

    def perform(self, form: StaffForm) -> Ambassador:
        data = form.cleaned_data
        return registry.appoint_ambassador(
            self.actor, self.area, data["person"], business=data["business"], since=data["since"]
        )


class AmbassadorEndView(_AreaNetworkMixin, StaffActionView):
    permission_action = Action.MANAGE_AREA_NETWORK
    success_message = gettext_lazy("The ambassadorship was ended.")

    def load(self) -> None:
        ambassadors = self.scoped(Ambassador.objects.select_related("area", "person"))
        self.ambassador = get_object_or_404(ambassadors, pk=self.kwargs["pk"])
        self.area = self.ambassador.area

    def perform(self) -> None:
        registry.end_ambassadorship(self.actor, self.ambassador)


class AreaContactCreateView(_AreaNetworkMixin, StaffFormView):
    permission_action = Action.MANAGE_AREA_NETWORK
    submit_label = gettext_lazy("Add contact")
    success_message = gettext_lazy("The contact was added.")

    def load(self) -> None:
        areas = self.scoped(Area.objects.select_related("municipality"))
        self.area = get_object_or_404(areas, pk=self.kwargs["pk"])

    def get_title(self) -> str:
        return _("New contact for %(area)s") % {"area": self.area.name}

    def organisations(self) -> Any:
        return self.scoped(Organisation.objects.all(), Action.VIEW_ORGANISATION)

    def get_form(self, data: Any = None) -> StaffForm:
        return AreaContactForm(
            data, organisations=self.organisations(), initial={"is_public": True}
        )

    def perform(self, form: StaffForm) -> AreaContact:
        return registry.create_area_contact(self.actor, self.area, **form.values())


class AreaContactEditView(AreaContactCreateView):
    submit_label = gettext_lazy("Save changes")
    success_message = gettext_lazy("The changes were saved.")

    def load(self) -> None:
        contacts = self.scoped(AreaContact.objects.select_related("area__municipality"))
        self.contact = get_object_or_404(contacts, pk=self.kwargs["pk"])
        self.area = self.contact.area

    def get_title(self) -> str:
        return _("Edit contact %(name)s") % {"name": self.contact.name}

    def get_form(self, data: Any = None) -> StaffForm:
        return AreaContactForm(data, organisations=self.organisations(), instance=self.contact)

    def perform(self, form: StaffForm) -> AreaContact:
        return registry.update_area_contact(self.actor, self.contact, **form.values())


class AreaContactDeleteView(_AreaNetworkMixin, StaffActionView):
    permission_action = Action.MANAGE_AREA_NETWORK
    success_message = gettext_lazy("The contact was removed.")

    def load(self) -> None:
        contacts = self.scoped(AreaContact.objects.select_related("area"))
        self.contact = get_object_or_404(contacts, pk=self.kwargs["pk"])
        self.area = self.contact.area

    def perform(self) -> None:
        registry.delete_area_contact(self.actor, self.contact)
