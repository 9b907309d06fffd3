"""Read endpoints of the network registry, scoped by the permission policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.request import Request

from weerbaar.accounts.policy import Action, actor_for, can, scope_queryset, second_factor_satisfied
from weerbaar.network.api.serializers import (
    AreaSerializer,
    BusinessSerializer,
    MunicipalitySerializer,
)
from weerbaar.network.models import Area, Business, Municipality


class PolicyScopedViewSet(viewsets.ReadOnlyModelViewSet[Any]):
    """List and retrieve only what the policy lets the caller see (others: 404).

    Callers without the view action get 403; staff must have passed the second factor.
    """

    view_action: Action
    base_queryset: QuerySet[Any]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        actor = actor_for(request.user)
        if not actor.is_authenticated:
            raise NotAuthenticated
        if not can(actor, self.view_action):
            raise PermissionDenied
        if actor.is_staff_member and not second_factor_satisfied(request.user):
            raise PermissionDenied(detail=_("Log in with your second factor first."))

    def get_queryset(self) -> QuerySet[Model]:
        return scope_queryset(actor_for(self.request.user), self.view_action, self.base_queryset)


class MunicipalityViewSet(PolicyScopedViewSet):
    view_action = Action.VIEW_MUNICIPALITY
    base_queryset = Municipality.objects.order_by("name")
    serializer_class = MunicipalitySerializer
    lookup_field = "slug"


class AreaViewSet(PolicyScopedViewSet):
    view_action = Action.VIEW_AREA
    base_queryset = Area.objects.select_related("municipality").order_by(
        "municipality__name", "name"
    )
    serializer_class = AreaSerializer


class BusinessViewSet(PolicyScopedViewSet):
    view_action = Action.VIEW_BUSINESS
    base_queryset = Business.objects.select_related("municipality").order_by("name", "id")
    serializer_class = BusinessSerializer

    def get_queryset(self) -> QuerySet[Model]:
        queryset = super().get_queryset()
        params = self.request.query_params
        if municipality := params.get("municipality"):
            queryset = queryset.filter(municipality__slug=municipality)
        if area := params.get("area"):
            if not area.isdigit():
                raise ValidationError({"area": [_("Give the area as its numeric id.")]})
            queryset = queryset.filter(area_id=int(area))
        if kvk_number := params.get("kvk_number"):
            queryset = queryset.filter(kvk_number=kvk_number)
        return queryset
