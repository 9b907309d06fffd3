"""Validation of Dutch registry identifiers and GeoJSON boundaries. Pure functions."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

KVK_NUMBER_RE = re.compile(r"^\d{8}$")
ESTABLISHMENT_NUMBER_RE = re.compile(r"^\d{12}$")
POSTAL_CODE_RE = re.compile(r"^[1-9]\d{3} ?[A-Z]{2}$")
SBI_CODE_RE = re.compile(r"^\d{2,5}$")


def validate_kvk_number(value: str) -> None:
    if not KVK_NUMBER_RE.match(value or ""):
        raise ValidationError(
            _("A KvK number has exactly 8 digits (you entered %(value)s)."),
            code="invalid_kvk_number",
            params={"value": value},
        )


def validate_establishment_number(value: str) -> None:
    if not ESTABLISHMENT_NUMBER_RE.match(value or ""):
        raise ValidationError(
            _("A vestigingsnummer has exactly 12 digits (you entered %(value)s)."),
            code="invalid_establishment_number",
            params={"value": value},
        )


def normalise_postal_code(value: str) -> str:
    compact = (value or "").replace(" ", "").upper()
    return f"{compact[:4]} {compact[4:]}" if len(compact) == 6 else value.strip().upper()


def validate_postal_code(value: str) -> None:
    if not POSTAL_CODE_RE.match(value or ""):
        raise ValidationError(
            _("Enter a Dutch postal code such as 4811 AB."), code="invalid_postal_code"
        )


def validate_sbi_code(value: str) -> None:
    if not SBI_CODE_RE.match(value or ""):
        raise ValidationError(
            _("An SBI code has 2 to 5 digits (you entered %(value)s)."),
            code="invalid_sbi_code",
            params={"value": value},
        )


_POLYGON_TYPES = {"Polygon", "MultiPolygon"}


def validate_boundary(value: Any) -> None:
    """A boundary is a GeoJSON Polygon or MultiPolygon in WGS84 (lon, lat) with closed rings."""
    if value in (None, "", {}):
        return
    if not isinstance(value, dict) or value.get("type") not in _POLYGON_TYPES:
        raise ValidationError(
            _("The boundary must be a GeoJSON Polygon or MultiPolygon."), code="invalid_geojson"
        )
    coordinates = value.get("coordinates")
    polygons = [coordinates] if value["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError(_("The boundary has no coordinates."), code="invalid_geojson")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(_("The boundary has an empty polygon."), code="invalid_geojson")
        for ring in polygon:
            _validate_ring(ring)


def _validate_ring(ring: Any) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(
            _("Each boundary ring needs at least four positions."), code="invalid_geojson"
        )
    for position in ring:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in position[:2])
        ):
            raise ValidationError(
                _("Each boundary position must be [longitude, latitude]."), code="invalid_geojson"
            )
        lon, lat = position[0], position[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError(
                _("Boundary coordinates must be WGS84 longitude/latitude."), code="invalid_geojson"
            )
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise ValidationError(
            _("Each boundary ring must end where it starts."), code="invalid_geojson"
        )
