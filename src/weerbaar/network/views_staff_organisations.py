"""Back office: partner organisations (municipality, police, fire brigade, BIZ, CCV…)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weerbaar.accounts.models import Organisation
from weerbaar.accounts.policy import Action
from weerbaar.network import queries
from weerbaar.network.forms_staff import OrganisationForm, StaffForm
from weerbaar.network.models import AreaContact, Municipality
from weerbaar.network.services import registry
from weerbaar.network.views_staff import Crumbs, StaffFormView, StaffView


def organisation_crumbs(organisation: Organisation | None = None) -> Crumbs:
    crumbs = [(reverse("staff:organisation_list"), _("Organisations"))]
    if organisation is not None:
        url = reverse("staff:organisation_detail", args=[organisation.pk])
        crumbs.append((url, organisation.name))
    return crumbs


class OrganisationListView(StaffView):
    permission_action = Action.VIEW_ORGANISATION
    template_name = "network/staff/organisation_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        organisations = queries.organisations_for_list(self.scoped(Organisation.objects.all()))
        return self.render_page(
            {
                "page_obj": self.paginate(organisations),
                "can_create": self.can(Action.MANAGE_ORGANISATION),
            }
        )


class OrganisationDetailView(StaffView):
    permission_action = Action.VIEW_ORGANISATION
    template_name = "network/staff/organisation_detail.html"

    def breadcrumbs(self) -> Crumbs:
        return organisation_crumbs()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisations = self.scoped(Organisation.objects.select_related("municipality"))
        organisation = get_object_or_404(organisations, pk=pk)
        members = (
            organisation.memberships.filter(is_active=True)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        )
        contacts = self.scoped(
            AreaContact.objects.filter(organisation=organisation).select_related(
                "area__municipality"
            ),
            Action.VIEW_AREA,
        ).order_by("area__name", "name")
        return self.render_page(
            {
                "organisation": organisation,
                "members": members,
                "contacts": contacts,
                "can_edit": self.can(Action.MANAGE_ORGANISATION, organisation),
            }
        )


class OrganisationCreateView(StaffFormView):
    permission_action = Action.MANAGE_ORGANISATION
    title = gettext_lazy("New organisation")
    submit_label = gettext_lazy("Add organisation")
    success_message = gettext_lazy("The organisation was added.")

    def breadcrumbs(self) -> Crumbs:
        return organisation_crumbs()

    def get_form(self, data: Any = None) -> StaffForm:
        municipalities = self.scoped(Municipality.objects.all(), Action.VIEW_MUNICIPALITY)
        return OrganisationForm(data, municipalities=municipalities)

    def perform(self, form: StaffForm) -> Organisation:
        return registry.create_organisation(self.actor, **form.values())

    def success_url(self, obj: Organisation) -> str:
        return reverse("staff:organisation_detail", args=[obj.pk])


class OrganisationEditView(OrganisationCreateView):
    submit_label = gettext_lazy("Save changes")
    success_message = gettext_lazy("The changes were saved.")

    def load(self) -> None:
        organisations = self.scoped(Organisation.objects.all())
        self.organisation = get_object_or_404(organisations, pk=self.kwargs["pk"])

    def get_title(self) -> str:
        return _("Edit %(name)s") % {"name": self.organisation.name}

    def breadcrumbs(self) -> Crumbs:
        return organisation_crumbs(self.organisation)

    def get_form(self, data: Any = None) -> StaffForm:
        municipalities = self.scoped(Municipality.objects.all(), Action.VIEW_MUNICIPALITY)
        return OrganisationForm(data, municipalities=municipalities, instance=self.organisation)

    def perform(self, form: StaffForm) -> Organisation:
        return registry.update_organisation(self.actor, self.organisation, **form.values())
