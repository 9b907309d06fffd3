"""Back-office pages for municipalities and areas, and an area's ambassadors and contacts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    AmbassadorFactory,
    AreaContactFactory,
    AreaFactory,
    BusinessFactory,
    MembershipFactory,
    MunicipalityFactory,
)
from tests.helpers import login_verified
from weerbaar.accounts.models import Role
from weerbaar.core.models import AuditEntry
from weerbaar.network.models import Area, Municipality

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[4.7, 51.5], [4.8, 51.5], [4.8, 51.6], [4.7, 51.5]]]}


@pytest.fixture
def staff(staff_client: Client) -> Client:
    """Breda municipal staff, reading the pages in English."""
    staff_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return staff_client


def _client(role: Role, **scope: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_verified(client, MembershipFactory(role=role, **scope).user)
    return client


@pytest.fixture
def admin() -> Client:
    return _client(Role.PLATFORM_ADMIN)


@pytest.fixture
def delft() -> Any:
    return MunicipalityFactory(name="Delft", slug="delft")


# --- municipalities -------------------------------------------------------------------------


def test_municipality_list_shows_only_municipalities_in_scope(
    staff: Client, municipality: Any, delft: Any
) -> None:
    page = staff.get(reverse("staff:municipality_list")).content.decode()
    assert "Breda" in page
    assert "Delft" not in page
    assert reverse("staff:municipality_create") not in page


def test_municipality_detail_in_and_out_of_scope(
    staff: Client, municipality: Any, area: Any, delft: Any
) -> None:
    response = staff.get(reverse("staff:municipality_detail", args=[municipality.pk]))
    assert response.status_code == 200
    assert "Binnenstad" in response.content.decode()
    assert (
        reverse("staff:municipality_edit", args=[municipality.pk]) not in response.content.decode()
    )
    assert staff.get(reverse("staff:municipality_detail", args=[delft.pk])).status_code == 404


def test_staff_may_not_create_or_edit_municipalities(staff: Client, municipality: Any) -> None:
    assert staff.get(reverse("staff:municipality_create")).status_code == 403
    url = reverse("staff:municipality_edit", args=[municipality.pk])
    assert staff.post(url, {"name": "Breda!"}).status_code == 403
    assert Municipality.objects.get().name == "Breda"


def test_admin_creates_and_edits_a_municipality(admin: Client) -> None:
    response = admin.post(
        reverse("staff:municipality_create"), {"name": "Etten-Leur", "is_active": "on"}
    )
    municipality = Municipality.objects.get(name="Etten-Leur")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:municipality_detail", args=[municipality.pk])
    assert municipality.slug == "etten-leur"

    url = reverse("staff:municipality_edit", args=[municipality.pk])
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"name": "Etten-Leur", "slug": "", "network_name": "VOEL"})
    assert response.status_code == 302
    municipality.refresh_from_db()
    assert (municipality.network_name, municipality.slug, municipality.is_active) == (
        "VOEL",
        "etten-leur",
        False,
    )
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["network.municipality.create", "network.municipality.update"]


def test_bad_municipality_input_is_a_400_with_messages(admin: Client, municipality: Any) -> None:
    url = reverse("staff:municipality_create")
    response = admin.post(url, {"name": "Tilburg", "contact_email": "geen-adres"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert 'aria-invalid="true"' in page
    response = admin.post(url, {"name": "Breda"})
    assert response.status_code == 400
    assert "There is already a municipality called Breda." in response.content.decode()
    assert Municipality.objects.count() == 1
    assert not AuditEntry.objects.exists()


# --- areas ----------------------------------------------------------------------------------


def test_area_list_filters_by_municipality_and_kind(staff: Client, municipality: Any) -> None:
    AreaFactory(municipality=municipality, name="Hazeldonk", kind="business_park")
    AreaFactory(municipality=municipality, name="Ginneken", kind="district")
    AreaFactory(municipality=MunicipalityFactory(name="Delft"), name="Centrum Delft")
    page = staff.get(reverse("staff:area_list")).content.decode()
    assert "Hazeldonk" in page
    assert "Ginneken" in page
    assert "Centrum Delft" not in page
    page = staff.get(
        reverse("staff:area_list"), {"municipality": municipality.pk, "kind": "business_park"}
    ).content.decode()
    assert "Hazeldonk" in page
    assert "Ginneken" not in page


def test_area_list_with_a_bad_filter_is_a_400(staff: Client, delft: Any) -> None:
    response = staff.get(reverse("staff:area_list"), {"municipality": delft.pk, "kind": "moon"})
    assert response.status_code == 400
    assert "Choose one of the options in the list." in response.content.decode()


def test_area_detail_shows_counts_ambassadors_and_contacts(staff: Client, area: Any) -> None:
    BusinessFactory(area=area)
    BusinessFactory(area=area, is_active=False)
    AmbassadorFactory(area=area, person__full_name="Anna Ambassadeur")
    AreaContactFactory(area=area, name="Wim Wijkagent")
    response = staff.get(reverse("staff:area_detail", args=[area.pk]))
    assert response.status_code == 200
    assert response.context["area"].business_count == 1
    page = response.content.decode()
    assert "Anna Ambassadeur" in page
    assert "Wim Wijkagent" in page
    assert reverse("staff:ambassador_appoint", args=[area.pk]) in page


def test_area_out_of_scope_is_404(staff: Client) -> None:
    other = AreaFactory()
    assert staff.get(reverse("staff:area_detail", args=[other.pk])).status_code == 404
    assert staff.get(reverse("staff:area_edit", args=[other.pk])).status_code == 404


def test_police_see_areas_but_may_not_edit(area: Any) -> None:
    police = _client(Role.POLICE, areas=[area])
    response = police.get(reverse("staff:area_detail", args=[area.pk]))
    assert response.status_code == 200
    assert reverse("staff:area_edit", args=[area.pk]) not in response.content.decode()
    assert police.get(reverse("staff:area_edit", args=[area.pk])).status_code == 403
    assert police.get(reverse("staff:area_create")).status_code == 403


def test_staff_creates_an_area_with_a_boundary(staff: Client, municipality: Any) -> None:
    response = staff.post(
        reverse("staff:area_create"),
        {
            "municipality": municipality.pk,
            "name": "Haagse Beemden",
            "kind": "district",
            "boundary": json.dumps(SQUARE),
        },
    )
    area = Area.objects.get(name="Haagse Beemden")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:area_detail", args=[area.pk])
    assert area.boundary == SQUARE
    assert AuditEntry.objects.filter(action="network.area.create").count() == 1


def test_area_form_refuses_invalid_json_and_invalid_geojson(staff: Client, area: Any) -> None:
    url = reverse("staff:area_edit", args=[area.pk])
    data = {"name": "Binnenstad", "kind": "retail_area"}
    response = staff.post(url, data | {"boundary": '{"type": "Polygon",'})
    assert response.status_code == 400
    assert "The boundary is not valid JSON" in response.content.decode()
    response = staff.post(url, data | {"boundary": '{"type": "Point", "coordinates": [4, 51]}'})
    assert response.status_code == 400
    assert "must be a GeoJSON Polygon or MultiPolygon" in response.content.decode()
    area.refresh_from_db()
    assert area.boundary is None
    assert not AuditEntry.objects.exists()


def test_area_create_in_a_municipality_out_of_scope_is_refused(staff: Client, delft: Any) -> None:
    response = staff.post(
        reverse("staff:area_create"), {"municipality": delft.pk, "name": "X", "kind": "district"}
    )
    assert response.status_code == 400
    assert not Area.objects.exists()


def test_edit_area_keeps_slug_and_records_changes(staff: Client, area: Any) -> None:
    url = reverse("staff:area_edit", args=[area.pk])
    assert staff.get(url).status_code == 200
    response = staff.post(url, {"name": "Binnenstad Breda", "kind": "retail_area"})
    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.name, area.slug) == ("Binnenstad Breda", "binnenstad")
    entry = AuditEntry.objects.get(action="network.area.update")
    assert entry.changes == {"name": ["Binnenstad", "Binnenstad Breda"]}
