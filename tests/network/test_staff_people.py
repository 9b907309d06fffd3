"""Back-office pages for people linked to businesses: list, detail, link and unlink."""

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
    UserFactory,
)
from tests.helpers import login_verified
from weerbaar.accounts.models import Role, User
from weerbaar.core.models import AuditEntry
from weerbaar.network.models import BusinessPerson

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(staff_client: Client) -> Client:
    staff_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return staff_client


@pytest.fixture
def shop(area: Any) -> Any:
    return BusinessFactory(area=area, name="Slagerij Smit", establishment_number="000000000042")


def test_list_shows_people_at_businesses_in_scope_only(staff: Client, shop: Any) -> None:
    mine = BusinessPersonFactory(business=shop, person__full_name="Sanne Smit").person
    elsewhere = BusinessFactory(area=AreaFactory(), name="Elders BV")
    BusinessPersonFactory(person=mine, business=elsewhere)
    BusinessPersonFactory(business=elsewhere, person__full_name="Els Elders")
    UserFactory(full_name="Niet Gekoppeld")
    response = staff.get(reverse("staff:person_list"))
    page = response.content.decode()
    assert "Sanne Smit" in page
    assert "Slagerij Smit" in page
    assert "Elders BV" not in page  # her other business is outside the reader's scope
    assert "Els Elders" not in page
    assert "Niet Gekoppeld" not in page
    assert [
        p.full_name
        for p in staff.get(reverse("staff:person_list"), {"q": "sanne"}).context["page_obj"]
    ] == ["Sanne Smit"]


def test_detail_in_and_out_of_scope(staff: Client, shop: Any) -> None:
    person = BusinessPersonFactory(business=shop).person
    response = staff.get(reverse("staff:person_detail", args=[person.pk]))
    assert response.status_code == 200
    assert "Slagerij Smit" in response.content.decode()
    other = BusinessPersonFactory().person
    assert staff.get(reverse("staff:person_detail", args=[other.pk])).status_code == 404


def test_link_a_new_person_by_email(staff: Client, shop: Any) -> None:
    url = reverse("staff:business_link_person", args=[shop.pk])
    assert staff.get(url).status_code == 200
    response = staff.post(
        url, {"email": "Nieuw@Example.nl", "full_name": "Nina Nieuw", "role": "manager"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:business_detail", args=[shop.pk])
    person = User.objects.get(email="nieuw@example.nl")
    assert not person.has_usable_password()
    assert BusinessPerson.objects.get(person=person).role == "manager"
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "network.person.create",
        "network.business_person.link",
    }


def test_linking_twice_or_with_a_bad_address_is_a_400(staff: Client, shop: Any) -> None:
    link = BusinessPersonFactory(business=shop, person__email="sanne@example.nl")
    url = reverse("staff:business_link_person", args=[shop.pk])
    response = staff.post(url, {"email": "sanne@example.nl", "role": "owner"})
    assert response.status_code == 400
    assert "sanne@example.nl is already linked to Slagerij Smit." in response.content.decode()
    response = staff.post(url, {"email": "geen adres", "role": "boss"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert BusinessPerson.objects.get() == link
    assert not AuditEntry.objects.exists()


def test_link_person_to_another_business_by_establishment_number(
    staff: Client, shop: Any, area: Any
) -> None:
    person = BusinessPersonFactory(business=shop).person
    second = BusinessFactory(area=area, establishment_number="000000000077")
    url = reverse("staff:person_link_business", args=[person.pk])
    assert staff.get(url).status_code == 200
    response = staff.post(url, {"establishment_number": "0000 0000 0077", "role": "employee"})
    assert response.status_code == 302
    assert BusinessPerson.objects.filter(person=person, business=second).exists()
    elsewhere = BusinessFactory(establishment_number="000000000099")
    response = staff.post(
        url, {"establishment_number": elsewhere.establishment_number, "role": "owner"}
    )
    assert response.status_code == 400
    assert "No active business with vestigingsnummer 000000000099" in response.content.decode()


def test_unlink(staff: Client, shop: Any, area: Any) -> None:
    person = BusinessPersonFactory(business=shop).person
    BusinessPersonFactory(person=person, business=BusinessFactory(area=area))
    url = reverse("staff:person_unlink", args=[person.pk])
    assert staff.get(url).status_code == 405
    response = staff.post(url, {"business": shop.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:person_detail", args=[person.pk])
    assert not BusinessPerson.objects.filter(business=shop).exists()
    response = staff.post(url, {"business": shop.pk})
    assert response.status_code == 400
    assert "is not linked to Slagerij Smit" in response.content.decode()
    assert staff.post(url, {}).status_code == 400
    assert AuditEntry.objects.filter(action="network.business_person.unlink").count() == 1


def test_unlink_out_of_scope_and_role_not_allowed(staff: Client, shop: Any, area: Any) -> None:
    foreign = BusinessPersonFactory()
    url = reverse("staff:person_unlink", args=[foreign.person.pk])
    assert staff.post(url, {"business": foreign.business.pk}).status_code == 404
    mine = BusinessPersonFactory(business=shop)
    url = reverse("staff:person_unlink", args=[mine.person.pk])
    assert staff.post(url, {"business": foreign.business.pk}).status_code == 404
    police = Client()
    login_verified(police, MembershipFactory(role=Role.POLICE, areas=[area]).user)
    assert police.get(reverse("staff:person_detail", args=[mine.person.pk])).status_code == 200
    assert police.post(url, {"business": shop.pk}).status_code == 403
    link_url = reverse("staff:business_link_person", args=[shop.pk])
    assert police.get(link_url).status_code == 403
    assert BusinessPerson.objects.count() == 2


def test_unlinking_the_last_business_returns_to_the_right_page(staff: Client, shop: Any) -> None:
    first, second = BusinessPersonFactory(business=shop), BusinessPersonFactory(business=shop)
    response = staff.post(
        reverse("staff:person_unlink", args=[first.person.pk]),
        {"business": shop.pk, "next": "business"},
    )
    assert response["Location"] == reverse("staff:business_detail", args=[shop.pk])
    response = staff.post(
        reverse("staff:person_unlink", args=[second.person.pk]), {"business": shop.pk}
    )
    # The person has no business in scope left, so their page would be a 404.
    assert response["Location"] == reverse("staff:person_list")
