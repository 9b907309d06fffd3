"""Back office: businesses (establishments) and the people linked to them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weerbaar.accounts.policy import Action
from weerbaar.network import queries
from weerbaar.network.forms_staff import (
    BusinessFilterForm,
    BusinessForm,
    LinkPersonForm,
    StaffForm,
)
from weerbaar.network.models import Area, Business, BusinessPerson, Municipality
from weerbaar.network.services import registry
from weerbaar.network.views_staff import Crumbs, StaffActionView, StaffFormView, StaffView


def business_crumbs(business: Business | None = None) -> Crumbs:
    crumbs = [(reverse("staff:business_list"), _("Businesses"))]
    if business is not None:
        crumbs.append((reverse("staff:business_detail", args=[business.pk]), business.name))
    return crumbs


class BusinessListView(StaffView):
    """Search (trade name, KvK number, postal code), filters and 25 per page."""

    permission_action = Action.VIEW_BUSINESS
    template_name = "network/staff/business_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = BusinessFilterForm(
            request.GET or None,
            municipalities=self.scoped(Municipality.objects.all(), Action.VIEW_MUNICIPALITY),
            areas=self.scoped(Area.objects.select_related("municipality"), Action.VIEW_AREA),
        )
        businesses = self.scoped(Business.objects.all())
        status = 200
        if not form.is_bound:
            businesses = queries.filter_businesses(businesses)
        elif form.is_valid():
            businesses = queries.filter_businesses(businesses, **form.filters())
        else:
            businesses, status = businesses.none(), 400
        return self.render_page(
            {
                "filter_form": form,
                "page_obj": self.paginate(businesses),
                "query_string": self.query_string(),
                "can_create": self.can(Action.MANAGE_BUSINESS),
            },
            status=status,
        )


class BusinessDetailView(StaffView):
    permission_action = Action.VIEW_BUSINESS
    template_name = "network/staff/business_detail.html"

    def breadcrumbs(self) -> Crumbs:
        return business_crumbs()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        businesses = self.scoped(Business.objects.select_related("municipality", "area"))
        business = get_object_or_404(businesses, pk=pk)
        return self.render_page(
            {
                "business": business,
                "links": queries.business_people(business),
                "can_edit": self.can(Action.MANAGE_BUSINESS, business),
                "can_manage_people": self.can(Action.MANAGE_PERSON, business),
            }
        )


class BusinessCreateView(StaffFormView):
    permission_action = Action.MANAGE_BUSINESS
    title = gettext_lazy("New business")
    submit_label = gettext_lazy("Add business")
    success_message = gettext_lazy("The business was added.")

    def breadcrumbs(self) -> Crumbs:
        return business_crumbs()

    def get_form(self, data: Any = None) -> StaffForm:
        return BusinessForm(data, **self.choices())

    def choices(self) -> dict[str, QuerySet[Any]]:
        return {
            "municipalities": self.scoped(Municipality.objects.filter(is_active=True)),
            "areas": self.scoped(Area.objects.select_related("municipality")),
        }

    def perform(self, form: StaffForm) -> Business:
        return registry.create_business(self.actor, **form.values())

    def success_url(self, obj: Business) -> str:
        return reverse("staff:business_detail", args=[obj.pk])


class BusinessEditView(BusinessCreateView):
    submit_label = gettext_lazy("Save changes")
    success_message = gettext_lazy("The changes were saved.")

    def load(self) -> None:
        businesses = self.scoped(Business.objects.select_related("municipality", "area"))
        self.business = get_object_or_404(businesses, pk=self.kwargs["pk"])

    def get_title(self) -> str:
        return _("Edit %(name)s") % {"name": self.business.name}

    def breadcrumbs(self) -> Crumbs:
        return business_crumbs(self.business)

    def get_form(self, data: Any = None) -> StaffForm:
        return BusinessForm(data, instance=self.business, **self.choices())

    def perform(self, form: StaffForm) -> Business:
        return registry.update_business(self.actor, self.business, **form.values())


class BusinessDeactivateView(StaffActionView):
    permission_action = Action.MANAGE_BUSINESS
    success_message = gettext_lazy("The business was deactivated.")

    def load(self) -> None:
        self.business = get_object_or_404(self.scoped(Business.objects.all()), pk=self.kwargs["pk"])

    def breadcrumbs(self) -> Crumbs:
        return business_crumbs(self.business)

    def perform(self) -> None:
        registry.deactivate_business(self.actor, self.business)

    def back_url(self) -> str:
        return reverse("staff:business_detail", args=[self.business.pk])


class BusinessLinkPersonView(StaffFormView):
    """Link a person to this business by email address."""

    permission_action = Action.MANAGE_PERSON
    submit_label = gettext_lazy("Link person")
    success_message = gettext_lazy("The person was linked to the business.")

    def load(self) -> None:
        self.business = get_object_or_404(self.scoped(Business.objects.all()), pk=self.kwargs["pk"])

    def get_title(self) -> str:
        return _("Link a person to %(business)s") % {"business": self.business.name}

    def breadcrumbs(self) -> Crumbs:
        return business_crumbs(self.business)

    def get_form(self, data: Any = None) -> StaffForm:
        return LinkPersonForm(data)

    def perform(self, form: StaffForm) -> BusinessPerson:
        values = form.values()
        return registry.link_person_to_business(
            self.actor, self.business, values.pop("email"), **values
        )

    def success_url(self, obj: BusinessPerson) -> str:
        return reverse("staff:business_detail", args=[self.business.pk])
