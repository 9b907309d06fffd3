"""Back office: people linked to businesses in the reader's scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weerbaar.accounts.models import User
from weerbaar.accounts.policy import Action
from weerbaar.network import queries
from weerbaar.network.forms_staff import LinkBusinessForm, PeopleSearchForm, StaffForm
from weerbaar.network.models import Ambassador, Business, BusinessPerson
from weerbaar.network.services import registry
from weerbaar.network.views_staff import Crumbs, StaffActionView, StaffFormView, StaffView


def person_crumbs(person: User | None = None) -> Crumbs:
    crumbs = [(reverse("staff:person_list"), _("People"))]
    if person is not None:
        crumbs.append((reverse("staff:person_detail", args=[person.pk]), str(person)))
    return crumbs


class _PersonMixin(StaffView):
    def people(self) -> Any:
        return self.scoped(User.objects.filter(business_links__isnull=False))

    def get_person(self, pk: int) -> User:
        return get_object_or_404(self.people(), pk=pk)


class PersonListView(_PersonMixin):
    permission_action = Action.VIEW_PERSON
    template_name = "network/staff/person_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = PeopleSearchForm(request.GET or None)
        search = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
        businesses = self.scoped(Business.objects.all())
        people = queries.people_for_list(self.people(), businesses, search)
        return self.render_page(
            {
                "filter_form": form,
                "page_obj": self.paginate(people),
                "query_string": self.query_string(),
            },
            status=400 if form.is_bound and not form.is_valid() else 200,
        )


class PersonDetailView(_PersonMixin):
    permission_action = Action.VIEW_PERSON
    template_name = "network/staff/person_detail.html"

    def breadcrumbs(self) -> Crumbs:
        return person_crumbs()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self.get_person(pk)
        businesses = self.scoped(Business.objects.all())
        links = (
            BusinessPerson.objects.filter(person=person, business__in=businesses)
            .select_related("business__municipality", "business__area")
            .order_by("business__name")
        )
        ambassadorships = self.scoped(
            Ambassador.objects.filter(person=person).select_related("area", "business"),
            Action.VIEW_AREA,
        )
        return self.render_page(
            {
                "person": person,
                "links": links,
                "ambassadorships": ambassadorships,
                "can_manage": self.can(Action.MANAGE_PERSON),
            }
        )


class PersonLinkBusinessView(_PersonMixin, StaffFormView):
    """Link this person to another business, found by its vestigingsnummer."""

    permission_action = Action.MANAGE_PERSON
    submit_label = gettext_lazy("Link business")
    success_message = gettext_lazy("The person was linked to the business.")

    def load(self) -> None:
        self.person = self.get_person(self.kwargs["pk"])

    def get_title(self) -> str:
        return _("Link %(person)s to a business") % {"person": self.person}

    def breadcrumbs(self) -> Crumbs:
        return person_crumbs(self.person)

    def get_form(self, data: Any = None) -> StaffForm:
        return LinkBusinessForm(data, businesses=self.scoped(Business.objects.all()))

    def perform(self, form: StaffForm) -> BusinessPerson:
        data = form.cleaned_data
        return registry.link_person_to_business(
            self.actor,
            data["establishment_number"],
            self.person.email,
            role=data["role"],
            is_primary_contact=data["is_primary_contact"],
        )

    def success_url(self, obj: BusinessPerson) -> str:
        if not self.people().filter(pk=self.person.pk).exists():
            return reverse("staff:person_list")  # no business in scope left: out of view
        return reverse("staff:person_detail", args=[self.person.pk])


class PersonUnlinkView(_PersonMixin, StaffActionView):
    """POST with `business` (its id): remove the person's link to that business."""

    permission_action = Action.MANAGE_PERSON
    success_message = gettext_lazy("The link was removed.")

    def load(self) -> None:
        self.person = self.get_person(self.kwargs["pk"])
        self.business: Business | None = None
        value = self.request.POST.get("business", "")
        if value.isdigit():
            self.business = get_object_or_404(self.scoped(Business.objects.all()), pk=int(value))

    def breadcrumbs(self) -> Crumbs:
        return person_crumbs(self.person)

    def perform(self) -> None:
        if self.business is None:
            raise ValidationError(_("Choose the business to unlink."))
        registry.unlink_person_from_business(self.actor, self.person, self.business)

    def back_url(self) -> str:
        if self.request.POST.get("next") == "business" and self.business is not None:
            return reverse("staff:business_detail", args=[self.business.pk])
        if not self.people().filter(pk=self.person.pk).exists():
            return reverse("staff:person_list")  # no business in scope left: out of view
        return reverse("staff:person_detail", args=[self.person.pk])
