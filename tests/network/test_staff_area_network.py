"""An area's network in the back office: appointing and ending ambassadors, area contacts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    AmbassadorFactory,
    AreaContactFactory,
    AreaFactory,
    BusinessFactory,
    BusinessPersonFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.helpers import login_verified
from weerbaar.accounts.models import OrganisationKind, Role
from weerbaar.core.models import AuditEntry
from weerbaar.network.models import Ambassador, AreaContact

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(staff_client: Client) -> Client:
    staff_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return staff_client


@pytest.fixture
def police(area: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_verified(client, MembershipFactory(role=Role.POLICE, areas=[area]).user)
    return client


@pytest.fixture
def entrepreneur(area: Any) -> Any:
    return BusinessPersonFactory(
        business=BusinessFactory(area=area, name="Slagerij Smit"),
        person__full_name="Sanne Smit",
    )


def test_appoint_form_offers_people_of_the_municipality(
    staff: Client, area: Any, entrepreneur: Any
) -> None:
    BusinessPersonFactory(person__full_name="Elders Ondernemer")  # another municipality
    response = staff.get(reverse("staff:ambassador_appoint", args=[area.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sanne Smit" in page
    assert "Elders Ondernemer" not in page


def test_appoint_and_end_an_ambassador(staff: Client, area: Any, entrepreneur: Any) -> None:
    url = reverse("staff:ambassador_appoint", args=[area.pk])
    response = staff.post(
        url,
        {
            "person": entrepreneur.person.pk,
            "business": entrepreneur.business.pk,
            "since": "2026-03-01",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:area_detail", args=[area.pk])
    ambassador = Ambassador.objects.get()
    assert (ambassador.person, str(ambassador.since)) == (entrepreneur.person, "2026-03-01")

    page = staff.get(response["Location"]).content.decode()
    assert "The ambassador was appointed." in page
    assert "End ambassadorship of Sanne Smit" in page

    end_url = reverse("staff:ambassador_end", args=[ambassador.pk])
    assert staff.get(end_url).status_code == 405
    assert staff.post(end_url).status_code == 302
    ambassador.refresh_from_db()
    assert not ambassador.is_active
    response = staff.post(end_url)
    assert response.status_code == 400
    assert "already ended" in response.content.decode()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["network.ambassador.appoint", "network.ambassador.end"]


def test_appoint_with_a_business_that_is_not_theirs_is_a_400(
    staff: Client, area: Any, entrepreneur: Any
) -> None:
    other_business = BusinessPersonFactory(business=BusinessFactory(area=area)).business
    response = staff.post(
        reverse("staff:ambassador_appoint", args=[area.pk]),
        {"person": entrepreneur.person.pk, "business": other_business.pk},
    )
    assert response.status_code == 400
    assert "Sanne Smit is not linked to" in response.content.decode()
    assert not Ambassador.objects.exists()


def test_appoint_someone_without_a_business_is_a_400(staff: Client, area: Any) -> None:
    outsider = UserFactory()
    response = staff.post(
        reverse("staff:ambassador_appoint", args=[area.pk]), {"person": outsider.pk}
    )
    assert response.status_code == 400
    assert "Choose one of the options in the list." in response.content.decode()
    assert not Ambassador.objects.exists()


def test_ambassadors_out_of_scope_and_role_not_allowed(
    staff: Client, police: Client, area: Any
) -> None:
    other = AmbassadorFactory(area=AreaFactory())
    assert staff.post(reverse("staff:ambassador_end", args=[other.pk])).status_code == 404
    other_area = other.area
    url = reverse("staff:ambassador_appoint", args=[other_area.pk])
    assert staff.get(url).status_code == 404
    assert police.get(reverse("staff:ambassador_appoint", args=[area.pk])).status_code == 403
    own = AmbassadorFactory(area=area)
    assert police.post(reverse("staff:ambassador_end", args=[own.pk])).status_code == 403
    assert Ambassador.objects.filter(is_active=True).count() == 2


def test_add_edit_and_remove_an_area_contact(staff: Client, area: Any) -> None:
    police_org = OrganisationFactory(
        name="Politie Zeeland-West-Brabant", kind=OrganisationKind.POLICE
    )
    response = staff.post(
        reverse("staff:area_contact_create", args=[area.pk]),
        {
            "role": "community_officer",
            "name": "Wim Wijkagent",
            "organisation": police_org.pk,
            "email": "wim@politie.example.nl",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    contact = AreaContact.objects.get()
    assert (contact.area, contact.organisation, contact.is_public) == (area, police_org, True)

    url = reverse("staff:area_contact_edit", args=[contact.pk])
    assert staff.get(url).status_code == 200
    response = staff.post(
        url, {"role": "community_officer", "name": "Wim Wijkagent", "phone": "0900-8844"}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.phone, contact.is_public, contact.organisation) == ("0900-8844", False, None)

    assert staff.post(reverse("staff:area_contact_delete", args=[contact.pk])).status_code == 302
    assert not AreaContact.objects.exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "network.area_contact.create",
        "network.area_contact.update",
        "network.area_contact.delete",
    ]


def test_area_contact_bad_input_is_a_400(staff: Client, area: Any) -> None:
    response = staff.post(
        reverse("staff:area_contact_create", args=[area.pk]),
        {"role": "sheriff", "name": "", "email": "no"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert "Enter a valid email address." in page
    assert not AreaContact.objects.exists()


def test_area_contacts_out_of_scope_and_role_not_allowed(
    staff: Client, police: Client, area: Any
) -> None:
    other = AreaContactFactory()
    assert staff.get(reverse("staff:area_contact_edit", args=[other.pk])).status_code == 404
    assert staff.post(reverse("staff:area_contact_delete", args=[other.pk])).status_code == 404
    own = AreaContactFactory(area=area)
    assert police.post(reverse("staff:area_contact_delete", args=[own.pk])).status_code == 403
    assert staff.get(reverse("staff:area_contact_delete", args=[own.pk])).status_code == 405
    assert AreaContact.objects.count() == 2
