"""API representations of the network registry.

The serializers parse and type-check input; they never save. The viewsets hand the
validated values to `network.services.registry`, which checks the permission policy and
the rules that span rows (unique vestigingsnummer, area inside the municipality, unique
area names), so the API and the back office refuse the same input with the same messages.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from weerbaar.accounts.policy import Action, actor_for, scope_queryset
from weerbaar.network.models import Area, Business, Municipality
from weerbaar.network.services.registry import BUSINESS_FIELDS
from weerbaar.network.validators import normalise_postal_code


class ServiceInputSerializer[M: models.Model](serializers.ModelSerializer[M]):
    """A model serializer whose uniqueness checks are left to the service, which words
    them for people ("A business with vestigingsnummer … is already registered")."""

    def build_standard_field(
        self, field_name: str, model_field: models.Field[Any, Any]
    ) -> tuple[type[serializers.Field[Any, Any, Any, Any]], dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        validators = kwargs.get("validators")
        if validators:
            kwargs["validators"] = [v for v in validators if not isinstance(v, UniqueValidator)]
        return field_class, kwargs

    def create(self, validated_data: Any) -> M:
        raise AssertionError("API writes go through network.services.registry")

    def update(self, instance: M, validated_data: Any) -> M:
        raise AssertionError("API writes go through network.services.registry")


def _visible(field: serializers.Field[Any, Any, Any, Any], queryset: Any, action: Action) -> Any:
    """The rows of `queryset` the caller may see: others do not exist for them."""
    request = field.context.get("request")
    if request is None:
        return queryset.none()
    return scope_queryset(actor_for(request.user), action, queryset)


class ScopedMunicipalityField(serializers.SlugRelatedField[Municipality]):
    """A municipality given by its slug, among those the caller may see."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Municipality.objects.all())
        super().__init__(slug_field="slug", **kwargs)

    def get_queryset(self) -> Any:
        return _visible(self, super().get_queryset(), Action.VIEW_MUNICIPALITY)


class ScopedAreaField(serializers.PrimaryKeyRelatedField[Area]):
    """An area given by its id, among those the caller may see."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Area.objects.select_related("municipality"))
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        return _visible(self, super().get_queryset(), Action.VIEW_AREA)


class MunicipalitySerializer(ServiceInputSerializer[Municipality]):
    class Meta:
        model = Municipality
        fields = [
            "id",
            "name",
            "slug",
            "cbs_code",
            "network_name",
            "introduction",
            "contact_email",
            "contact_phone",
            "website",
            "is_active",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {
            "slug": {"required": False, "help_text": _("Made from the name when left out.")}
        }
        validators: list[Any] = []


class AreaSerializer(ServiceInputSerializer[Area]):
    municipality = ScopedMunicipalityField(
        help_text=_("Slug of the municipality. Cannot be changed once the area exists.")
    )

    class Meta:
        model = Area
        fields = ["id", "name", "slug", "kind", "municipality", "description", "boundary"]
        read_only_fields = ["id"]
        extra_kwargs = {
            "slug": {"required": False, "help_text": _("Made from the name when left out.")}
        }
        validators: list[Any] = []

    def validate_municipality(self, value: Municipality) -> Municipality:
        if self.instance is not None and value.pk != self.instance.municipality_id:
            raise serializers.ValidationError(
                _("An area cannot move to another municipality. Add a new area there instead.")
            )
        return value


class BusinessSerializer(ServiceInputSerializer[Business]):
    municipality = ScopedMunicipalityField(help_text=_("Slug of the municipality."))
    area = ScopedAreaField(
        allow_null=True,
        required=False,
        help_text=_("Id of the area; it must lie in the municipality."),
    )

    class Meta:
        model = Business
        # The writable fields are exactly those the registry service accepts.
        fields = ["id", *BUSINESS_FIELDS, "source", "is_active"]
        read_only_fields = ["id", "source", "is_active"]
        validators: list[Any] = []

    def to_internal_value(self, data: Any) -> Any:
        """Accept numbers and postal codes as people type them ("9041 2345", "4811ab"),
        as the back-office form does, before the format validators run."""
        if hasattr(data, "items"):
            data = dict(data.items())
            for name in ("kvk_number", "establishment_number", "sbi_code"):
                if isinstance(data.get(name), str):
                    data[name] = data[name].replace(" ", "")
            if isinstance(data.get("postal_code"), str):
                data["postal_code"] = normalise_postal_code(data["postal_code"])
        return super().to_internal_value(data)
