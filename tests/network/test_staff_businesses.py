"""Back-office pages for businesses: search, filters, detail, create, edit, deactivate."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    AreaFactory,
    BusinessFactory,
    BusinessPersonFactory,
    MembershipFactory,
    MunicipalityFactory,
)
from tests.helpers import login_verified
from weerbaar.accounts.models import Role
from weerbaar.core.models import AuditEntry
from weerbaar.network.models import Business

pytestmark = pytest.mark.django_db

LIST = reverse("staff:business_list")


@pytest.fixture
def staff(staff_client: Client) -> Client:
    staff_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return staff_client


@pytest.fixture
def police(area: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_verified(client, MembershipFactory(role=Role.POLICE, areas=[area]).user)
    return client


def _values(municipality: Any, area: Any, **overrides: Any) -> dict[str, Any]:
    values = {
        "name": "Bakkerij De Korenschoof",
        "kvk_number": "12345678",
        "establishment_number": "000012345678",
        "sbi_code": "1071",
        "sbi_description": "Bakkerijen",
        "street": "Ginnekenstraat",
        "house_number": "12",
        "postal_code": "4811jh",
        "city": "Breda",
        "municipality": municipality.pk,
        "area": area.pk if area else "",
    }
    return values | overrides


def _names(response: Any) -> list[str]:
    return [business.name for business in response.context["page_obj"]]


def test_list_searches_by_name_kvk_number_and_postal_code(staff: Client, area: Any) -> None:
    BusinessFactory(area=area, name="Bakkerij Bol", kvk_number="11112222", postal_code="4811 AB")
    BusinessFactory(area=area, name="Fietsen Fien", kvk_number="33334444", postal_code="4822 CD")
    BusinessFactory(area=AreaFactory(), name="Bakkerij Elders")
    assert _names(staff.get(LIST)) == ["Bakkerij Bol", "Fietsen Fien"]
    assert _names(staff.get(LIST, {"q": "bakkerij"})) == ["Bakkerij Bol"]
    assert _names(staff.get(LIST, {"q": "3333 4444"})) == ["Fietsen Fien"]
    assert _names(staff.get(LIST, {"q": "4811ab"})) == ["Bakkerij Bol"]
    assert _names(staff.get(LIST, {"q": "4822"})) == ["Fietsen Fien"]


def test_list_filters_by_area_sbi_code_and_status(
    staff: Client, municipality: Any, area: Any
) -> None:
    park = AreaFactory(municipality=municipality, name="Hazeldonk")
    BusinessFactory(area=area, name="Super A", sbi_code="4711")
    BusinessFactory(area=park, name="Transport B", sbi_code="4941")
    BusinessFactory(area=park, name="Gesloten C", sbi_code="4941", is_active=False)
    assert _names(staff.get(LIST, {"area": park.pk})) == ["Transport B"]
    assert _names(staff.get(LIST, {"sbi": "47"})) == ["Super A"]
    assert _names(staff.get(LIST, {"municipality": municipality.pk, "status": "inactive"})) == [
        "Gesloten C"
    ]
    assert len(_names(staff.get(LIST, {"status": "all"}))) == 3


def test_list_paginates_by_25(staff: Client, area: Any) -> None:
    for number in range(30):
        BusinessFactory(area=area, name=f"Winkel {number:02d}")
    first = staff.get(LIST)
    assert len(_names(first)) == 25
    assert "Page 1 of 2" in first.content.decode()
    assert len(_names(staff.get(LIST, {"page": 2}))) == 5


def test_list_with_bad_filters_is_a_400(staff: Client) -> None:
    response = staff.get(LIST, {"sbi": "abc", "area": AreaFactory().pk})
    assert response.status_code == 400
    page = response.content.decode()
    assert "An SBI code consists of digits only" in page
    assert "Choose one of the options in the list." in page


def test_partners_may_not_see_businesses(municipality: Any) -> None:
    partner = Client()
    login_verified(
        partner, MembershipFactory(role=Role.PARTNER_EXPERT, municipalities=[municipality]).user
    )
    assert partner.get(LIST).status_code == 403


def test_detail_in_and_out_of_scope(staff: Client, area: Any) -> None:
    business = BusinessFactory(area=area, name="Slagerij Smit")
    BusinessPersonFactory(business=business, person__full_name="Sanne Smit")
    response = staff.get(reverse("staff:business_detail", args=[business.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sanne Smit" in page
    assert reverse("staff:business_edit", args=[business.pk]) in page
    other = BusinessFactory()
    assert staff.get(reverse("staff:business_detail", args=[other.pk])).status_code == 404


def test_police_see_businesses_in_their_area_read_only(police: Client, area: Any) -> None:
    business = BusinessFactory(area=area)
    response = police.get(reverse("staff:business_detail", args=[business.pk]))
    assert response.status_code == 200
    assert reverse("staff:business_edit", args=[business.pk]) not in response.content.decode()
    assert police.get(reverse("staff:business_edit", args=[business.pk])).status_code == 403
    url = reverse("staff:business_deactivate", args=[business.pk])
    assert police.post(url).status_code == 403
    assert police.get(reverse("staff:business_create")).status_code == 403


def test_create_a_business(staff: Client, municipality: Any, area: Any) -> None:
    assert staff.get(reverse("staff:business_create")).status_code == 200
    response = staff.post(reverse("staff:business_create"), _values(municipality, area))
    business = Business.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:business_detail", args=[business.pk])
    assert (business.postal_code, business.area) == ("4811 JH", area)
    assert AuditEntry.objects.filter(action="network.business.create").count() == 1


def test_create_with_duplicate_establishment_number_is_a_400(
    staff: Client, municipality: Any, area: Any
) -> None:
    BusinessFactory(area=area, establishment_number="000012345678")
    response = staff.post(reverse("staff:business_create"), _values(municipality, area))
    assert response.status_code == 400
    assert "vestigingsnummer 000012345678 is already registered" in response.content.decode()
    assert Business.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_create_with_area_of_another_municipality_is_a_400(
    staff: Client, municipality: Any, area: Any
) -> None:
    # An officer covering two municipalities can pick a mismatching pair.
    tilburg = MunicipalityFactory(name="Tilburg")
    piushaven = AreaFactory(municipality=tilburg, name="Piushaven")
    staff.user.memberships.get().municipalities.add(tilburg)
    response = staff.post(reverse("staff:business_create"), _values(municipality, piushaven))
    assert response.status_code == 400
    assert "The area Piushaven does not lie in Breda." in response.content.decode()
    assert not Business.objects.exists()


def test_create_with_bad_fields_is_a_400(staff: Client, municipality: Any) -> None:
    response = staff.post(
        reverse("staff:business_create"),
        _values(municipality, None, name="", kvk_number="123", postal_code="nope"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page  # all mistakes are shown at once
    assert "A KvK number has exactly 8 digits" in page
    assert "Enter a Dutch postal code such as 4811 AB." in page
    assert not Business.objects.exists()


def test_create_in_a_municipality_out_of_scope_is_a_400(staff: Client, area: Any) -> None:
    delft = MunicipalityFactory(name="Delft")
    response = staff.post(reverse("staff:business_create"), _values(delft, None))
    assert response.status_code == 400
    assert not Business.objects.exists()


def test_edit_and_deactivate(staff: Client, municipality: Any, area: Any) -> None:
    business = BusinessFactory(
        area=area,
        name="Bakkerij De Korenschoof",
        kvk_number="12345678",
        establishment_number="000012345678",
        sbi_code="1071",
        sbi_description="Bakkerijen",
        street="Ginnekenstraat",
        house_number="12",
        postal_code="4811 JH",
    )
    url = reverse("staff:business_edit", args=[business.pk])
    assert staff.get(url).status_code == 200
    response = staff.post(url, _values(municipality, area, name="Bakkerij Nieuw"))
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.name == "Bakkerij Nieuw"
    entry = AuditEntry.objects.get(action="network.business.update")
    assert entry.changes == {"name": ["Bakkerij De Korenschoof", "Bakkerij Nieuw"]}

    deactivate = reverse("staff:business_deactivate", args=[business.pk])
    assert staff.get(deactivate).status_code == 405
    assert staff.post(deactivate).status_code == 302
    business.refresh_from_db()
    assert not business.is_active
    response = staff.post(deactivate)
    assert response.status_code == 400
    assert "already deactivated" in response.content.decode()


def test_edit_out_of_scope_is_404(staff: Client) -> None:
    other = BusinessFactory(name="Elders")
    assert staff.post(reverse("staff:business_edit", args=[other.pk]), {}).status_code == 404
    assert staff.post(reverse("staff:business_deactivate", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.is_active
