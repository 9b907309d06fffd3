"""Reads shared by views, API and insights."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from weerbaar.accounts.models import Organisation, User
from weerbaar.network.models import (
    Ambassador,
    Area,
    AreaContact,
    Business,
    BusinessPerson,
    Municipality,
)
from weerbaar.network.validators import POSTAL_CODE_RE, normalise_postal_code


def active_municipalities() -> QuerySet[Municipality]:
    return Municipality.objects.filter(is_active=True).annotate(
        area_count=Count("areas", distinct=True),
        business_count=Count("businesses", filter=Q(businesses__is_active=True), distinct=True),
    )


def areas_with_counts(queryset: QuerySet[Area]) -> QuerySet[Area]:
    return queryset.select_related("municipality").annotate(
        business_count=Count("businesses", filter=Q(businesses__is_active=True), distinct=True),
        ambassador_count=Count("ambassadors", filter=Q(ambassadors__is_active=True), distinct=True),
    )


def businesses_for_list(queryset: QuerySet[Business]) -> QuerySet[Business]:
    return queryset.select_related("municipality", "area")


# --- back office ----------------------------------------------------------------------------


def municipalities_for_list(queryset: QuerySet[Municipality]) -> QuerySet[Municipality]:
    return queryset.annotate(
        area_count=Count("areas", distinct=True),
        business_count=Count("businesses", filter=Q(businesses__is_active=True), distinct=True),
    ).order_by("name")


def filter_businesses(
    queryset: QuerySet[Business],
    *,
    search: str = "",
    municipality: Municipality | None = None,
    area: Area | None = None,
    sbi_code: str = "",
    status: str = "active",
) -> QuerySet[Business]:
    """Businesses matching a search (trade name, KvK number or postal code) and filters.
    `status` is "active", "inactive" or "" for both. An SBI code matches its sub-codes."""
    search = search.strip()
    if search:
        compact = search.replace(" ", "")
        condition = Q(name__icontains=search)
        if compact.isdigit():
            condition |= Q(kvk_number__startswith=compact) | Q(establishment_number=compact)
        if POSTAL_CODE_RE.match(normalise_postal_code(compact)):
            condition |= Q(postal_code=normalise_postal_code(compact))
        elif compact[:4].isdigit():
            condition |= Q(postal_code__istartswith=search.upper())
        queryset = queryset.filter(condition)
    if municipality is not None:
        queryset = queryset.filter(municipality=municipality)
    if area is not None:
        queryset = queryset.filter(area=area)
    if sbi_code:
        queryset = queryset.filter(sbi_code__startswith=sbi_code.strip())
    if status == "active":
        queryset = queryset.filter(is_active=True)
    elif status == "inactive":
        queryset = queryset.filter(is_active=False)
    return businesses_for_list(queryset).order_by("name", "pk")


def business_people(business: Business) -> QuerySet[BusinessPerson]:
    return business.people.select_related("person").order_by("person__full_name", "person__email")


def people_for_list(
    queryset: QuerySet[User], businesses: QuerySet[Business], search: str = ""
) -> QuerySet[User]:
    """People linked to `businesses`, each with `visible_links`: their links to those
    businesses only (a person may also work somewhere outside the reader's scope)."""
    queryset = queryset.filter(business_links__business__in=businesses).distinct()
    if search.strip():
        term = search.strip()
        queryset = queryset.filter(Q(full_name__icontains=term) | Q(email__icontains=term))
    links = BusinessPerson.objects.filter(business__in=businesses).select_related("business")
    return queryset.prefetch_related(
        Prefetch(
            "business_links", queryset=links.order_by("business__name"), to_attr="visible_links"
        )
    ).order_by("full_name", "email")


def area_ambassadors(area: Area) -> QuerySet[Ambassador]:
    return (
        Ambassador.objects.filter(area=area)
        .select_related("person", "business")
        .order_by("-is_active", "person__full_name")
    )


def area_contacts(area: Area) -> QuerySet[AreaContact]:
    return AreaContact.objects.filter(area=area).select_related("organisation", "user")


def people_eligible_as_ambassador(area: Area) -> QuerySet[User]:
    """People linked to an active business in the area's municipality, not yet an active
    ambassador of the area: the choices when appointing one."""
    return (
        User.objects.filter(
            business_links__business__is_active=True,
            business_links__business__municipality_id=area.municipality_id,
        )
        .exclude(ambassadorships__area=area, ambassadorships__is_active=True)
        .distinct()
        .order_by("full_name", "email")
    )


def organisations_for_list(queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    return (
        queryset.select_related("municipality")
        .annotate(
            member_count=Count("memberships", filter=Q(memberships__is_active=True), distinct=True)
        )
        .order_by("name")
    )
