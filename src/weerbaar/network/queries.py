"""Reads shared by views, API and insights."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from weerbaar.network.models import Area, Business, Municipality


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
