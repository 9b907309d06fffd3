"""API representations of the network registry (read side; writes go through services)."""

from __future__ import annotations

from rest_framework import serializers

from weerbaar.network.models import Area, Business, Municipality


class MunicipalitySerializer(serializers.ModelSerializer[Municipality]):
    class Meta:
        model = Municipality
        fields = ["id", "name", "slug", "cbs_code", "network_name", "website", "is_active"]


class AreaSerializer(serializers.ModelSerializer[Area]):
    municipality: serializers.SlugRelatedField[Municipality] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Area
        fields = ["id", "name", "slug", "kind", "municipality", "description", "boundary"]


class BusinessSerializer(serializers.ModelSerializer[Business]):
    municipality: serializers.SlugRelatedField[Municipality] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    area: serializers.PrimaryKeyRelatedField[Area] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )

    class Meta:
        model = Business
        fields = [
            "id",
            "name",
            "kvk_number",
            "establishment_number",
            "sbi_code",
            "sbi_description",
            "street",
            "house_number",
            "house_number_addition",
            "postal_code",
            "city",
            "municipality",
            "area",
            "employee_count",
            "is_active",
        ]
