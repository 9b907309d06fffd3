"""Public pages per municipality: what the network is, who is in it, how to join.

Only public facts appear here: area names, the names and roles of public area contacts
and ambassadors, and partner organisations. Never an entrepreneur's email address or
phone number, and never a contact that is not marked public.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from weerbaar.accounts.models import Organisation, OrganisationKind
from weerbaar.network.models import Ambassador, Area, AreaContact, Municipality
from weerbaar.network.queries import areas_with_counts


@dataclass
class PublicArea:
    area: Area
    contacts: list[AreaContact] = field(default_factory=list)
    ambassador_names: list[str] = field(default_factory=list)


def public_areas(municipality: Municipality) -> list[PublicArea]:
    """The municipality's areas with public contacts and ambassadors' names (3 queries)."""
    areas = {
        area.pk: PublicArea(area)
        for area in areas_with_counts(municipality.areas.all()).order_by("name")
    }
    contacts = (
        AreaContact.objects.filter(area__municipality=municipality, is_public=True)
        .select_related("organisation")
        .order_by("role", "name")
    )
    for contact in contacts:
        areas[contact.area_id].contacts.append(contact)
    ambassadors = (
        Ambassador.objects.filter(area__municipality=municipality, is_active=True)
        .exclude(person__full_name="")
        .select_related("person")
        .order_by("since", "person__full_name")
    )
    for ambassador in ambassadors:
        # Only the name: an ambassador's email address is not public.
        areas[ambassador.area_id].ambassador_names.append(ambassador.person.full_name)
    return list(areas.values())


def partner_organisations(municipality: Municipality) -> list[Organisation]:
    """The organisations of this municipality and those with a contact in one of its areas."""
    return list(
        Organisation.objects.filter(
            Q(municipality=municipality) | Q(area_contacts__area__municipality=municipality)
        )
        .exclude(kind=OrganisationKind.PLATFORM_OPERATOR)
        .distinct()
        .order_by("kind", "name")
    )


class MunicipalityLandingView(TemplateView):
    template_name = "network/public/municipality.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        municipality = get_object_or_404(Municipality, slug=self.kwargs["slug"], is_active=True)
        areas = public_areas(municipality)
        context.update(
            municipality=municipality,
            areas=areas,
            business_count=municipality.businesses.filter(is_active=True).count(),
            partners=partner_organisations(municipality),
        )
        return context
