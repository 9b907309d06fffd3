"""Endpoints of the network registry, scoped by the permission policy.

Reading: list and retrieve only what the caller may see; anything else answers 404.
Writing: POST creates, PUT/PATCH updates, both through `network.services.registry` (the
same functions as the back office), so permissions, validation and the audit trail are the
same everywhere. A role without the write action gets 403 before any lookup, an object
outside the caller's scope 404, invalid input 400; all errors are application/problem+json.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.request import Request

from weerbaar.accounts.policy import (
    Action,
    Actor,
    actor_for,
    can,
    scope_queryset,
    second_factor_satisfied,
)
from weerbaar.network.api.serializers import (
    AreaSerializer,
    BusinessSerializer,
    MunicipalitySerializer,
)
from weerbaar.network.models import Area, Business, Municipality
from weerbaar.network.services import registry


class PolicyScopedViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[Any],
    ABC,
):
    """List, retrieve, create and update, each guarded by the permission policy.

    Subclasses name the policy actions and implement `create_object` / `update_object`
    by calling the registry service.
    """

    view_action: Action
    manage_action: Action
    base_queryset: QuerySet[Any]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @property
    def actor(self) -> Actor:
        return actor_for(self.request.user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        actor = actor_for(request.user)
        if not actor.is_authenticated:
            raise NotAuthenticated
        writing = request.method not in permissions.SAFE_METHODS
        if not can(actor, self.manage_action if writing else self.view_action):
            raise PermissionDenied
        if actor.is_staff_member and not second_factor_satisfied(request.user):
            raise PermissionDenied(detail=_("Log in with your second factor first."))

    def get_queryset(self) -> QuerySet[Model]:
        return scope_queryset(self.actor, self.view_action, self.base_queryset)

    @abstractmethod
    def create_object(self, values: dict[str, Any]) -> Model:
        """Create through the registry service; `values` are the validated fields."""

    @abstractmethod
    def update_object(self, instance: Any, values: dict[str, Any]) -> Model:
        """Update `instance` through the registry service with the validated fields."""

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        values = dict(serializer.validated_data)
        serializer.instance = _through_service(lambda: self.create_object(values))

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        values = dict(serializer.validated_data)
        instance = serializer.instance
        serializer.instance = _through_service(lambda: self.update_object(instance, values))


def _through_service(call: Any) -> Model:
    """Run a registry service; its ValidationError becomes a 400 with the same messages."""
    try:
        return call()
    except DjangoValidationError as error:
        raise ValidationError(detail=serializers.as_serializer_error(error)) from error


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Municipalities you may see")),
    retrieve=extend_schema(summary=gettext_lazy("One municipality")),
    create=extend_schema(summary=gettext_lazy("Add a municipality (platform administrators)")),
    partial_update=extend_schema(
        summary=gettext_lazy("Change a municipality (platform administrators)")
    ),
    update=extend_schema(
        summary=gettext_lazy("Replace a municipality's details (platform administrators)")
    ),
)
class MunicipalityViewSet(PolicyScopedViewSet):
    view_action = Action.VIEW_MUNICIPALITY
    manage_action = Action.MANAGE_MUNICIPALITY
    base_queryset = Municipality.objects.order_by("name")
    serializer_class = MunicipalitySerializer
    lookup_field = "slug"

    def create_object(self, values: dict[str, Any]) -> Model:
        return registry.create_municipality(self.actor, **values)

    def update_object(self, instance: Any, values: dict[str, Any]) -> Model:
        return registry.update_municipality(self.actor, instance, **values)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Areas you may see")),
    retrieve=extend_schema(summary=gettext_lazy("One area")),
    create=extend_schema(summary=gettext_lazy("Add an area to a municipality")),
    partial_update=extend_schema(summary=gettext_lazy("Change an area")),
    update=extend_schema(summary=gettext_lazy("Replace an area's details")),
)
class AreaViewSet(PolicyScopedViewSet):
    view_action = Action.VIEW_AREA
    manage_action = Action.MANAGE_AREA
    base_queryset = Area.objects.select_related("municipality").order_by(
        "municipality__name", "name"
    )
    serializer_class = AreaSerializer

    def create_object(self, values: dict[str, Any]) -> Model:
        municipality = values.pop("municipality")
        return registry.create_area(self.actor, municipality, **values)

    def update_object(self, instance: Any, values: dict[str, Any]) -> Model:
        values.pop("municipality", None)  # unchanged: the serializer refuses a move
        return registry.update_area(self.actor, instance, **values)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Businesses you may see"),
        parameters=[
            OpenApiParameter(
                "municipality", OpenApiTypes.STR, description=gettext_lazy("Municipality slug")
            ),
            OpenApiParameter("area", OpenApiTypes.INT, description=gettext_lazy("Area id")),
            OpenApiParameter(
                "kvk_number", OpenApiTypes.STR, description=gettext_lazy("KvK number")
            ),
        ],
    ),
    retrieve=extend_schema(summary=gettext_lazy("One business")),
    create=extend_schema(summary=gettext_lazy("Register a business (establishment)")),
    partial_update=extend_schema(summary=gettext_lazy("Change a business")),
    update=extend_schema(summary=gettext_lazy("Replace a business's details")),
)
class BusinessViewSet(PolicyScopedViewSet):
    view_action = Action.VIEW_BUSINESS
    manage_action = Action.MANAGE_BUSINESS
    base_queryset = Business.objects.select_related("municipality").order_by("name", "id")
    serializer_class = BusinessSerializer

    def get_queryset(self) -> QuerySet[Model]:
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
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

    def create_object(self, values: dict[str, Any]) -> Model:
        return registry.create_business(self.actor, **values)

    def update_object(self, instance: Any, values: dict[str, Any]) -> Model:
        return registry.update_business(self.actor, instance, **values)
