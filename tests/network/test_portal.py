"""The entrepreneur portal: dashboard, profile, own business, ambassador's area."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    BusinessFactory,
    BusinessPersonFactory,
    ConsentFactory,
    MembershipFactory,
)
from tests.helpers import login_verified
from tests.network.portal_helpers import (  # noqa: F401 - fixtures
    PortalWorld,
    english_client_fixture,
    portal_world_fixture,
)
from weerbaar.core.models import AuditEntry
from weerbaar.network.models import Business, ConsentPurpose

pytestmark = pytest.mark.django_db


def logged_in(client: Client, user: object) -> Client:
    login_verified(client, user)
    return client


@pytest.mark.parametrize(
    "name", ["portal:dashboard", "portal:profile", "portal:consents", "portal:ambassador_area"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, name: str) -> None:
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_without_a_business_may_not_use_the_portal(
    client: Client, municipality: object
) -> None:
    staff = MembershipFactory(municipalities=[municipality]).user
    response = logged_in(client, staff).get(reverse("portal:dashboard"))
    assert response.status_code == 403


def test_dashboard_shows_my_business_area_and_public_contacts(
    client: Client, portal_world: PortalWorld
) -> None:
    response = logged_in(client, portal_world.entrepreneur).get(reverse("portal:dashboard"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Bakkerij De Korenbloem" in page
    assert "Binnenstad" in page
    assert "Wim Wijkagent" in page
    assert "Cor Centrum" in page
    assert "cor@breda.example.nl" in page
    assert "Ahmed Ambassadeur" in page
    assert "Olga Verborgen" not in page  # not public
    assert "Transport Elders" not in page  # someone else's business
    assert reverse("portal:business_edit", args=[portal_world.business.pk]) in page
    assert reverse("portal:consents") in page
    assert reverse("portal:ambassador_area") not in page


def test_dashboard_query_count_does_not_grow_with_businesses_and_contacts(
    client: Client, portal_world: PortalWorld
) -> None:
    logged_in(client, portal_world.entrepreneur)
    url = reverse("portal:dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(4):
        BusinessPersonFactory(
            person=portal_world.entrepreneur,
            business=BusinessFactory(area=portal_world.other_area, name=f"Filiaal {index}"),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert "Filiaal 3" in response.content.decode()
    assert len(many) == len(few)


def test_profile_edit_saves_and_audits(client: Client, portal_world: PortalWorld) -> None:
    response = logged_in(client, portal_world.entrepreneur).post(
        reverse("portal:profile"),
        {"full_name": "Eva  de Bakker", "phone": "06-12345678", "preferred_language": "en"},
    )

    assert response.status_code == 302
    user = portal_world.entrepreneur
    user.refresh_from_db()
    assert (user.full_name, user.phone, user.preferred_language) == (
        "Eva de Bakker",
        "06-12345678",
        "en",
    )
    entry = AuditEntry.objects.get(action="network.update_own_profile")
    assert entry.changes["full_name"] == ["Eva Ondernemer", "Eva de Bakker"]


def test_profile_bad_input_answers_400_with_messages(
    client: Client, portal_world: PortalWorld
) -> None:
    response = logged_in(client, portal_world.entrepreneur).post(
        reverse("portal:profile"),
        {"full_name": "  ", "phone": "bel me", "preferred_language": "fr"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter your name." in page
    assert "076-5123456" in page
    assert "Choose Nederlands or English." in page
    assert 'aria-invalid="true"' in page
    portal_world.entrepreneur.refresh_from_db()
    assert portal_world.entrepreneur.full_name == "Eva Ondernemer"
    assert not AuditEntry.objects.exists()


def test_business_edit_changes_only_the_allowed_fields(
    client: Client, portal_world: PortalWorld
) -> None:
    business = portal_world.business
    url = reverse("portal:business_edit", args=[business.pk])
    logged_in(client, portal_world.entrepreneur)
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "name": "Bakkerij De Korenbloem & Zn.",
            "phone": "076 522 1234",
            "email": "info@korenbloem.example.nl",
            "website": "https://www.korenbloem.example.nl",
            "employee_count": "7",
            "kvk_number": "99999999",
            "street": "Elders",
        },
    )

    assert response.status_code == 302
    business.refresh_from_db()
    assert business.name == "Bakkerij De Korenbloem & Zn."
    assert business.employee_count == 7
    assert business.kvk_number != "99999999"
    assert business.street == "Grote Markt"
    entry = AuditEntry.objects.get(action="network.update_own_business")
    assert entry.object_id == str(business.pk)
    assert set(entry.changes) == {"name", "phone", "email", "website", "employee_count"}


def test_business_edit_bad_input_answers_400(client: Client, portal_world: PortalWorld) -> None:
    url = reverse("portal:business_edit", args=[portal_world.business.pk])
    response = logged_in(client, portal_world.entrepreneur).post(
        url, {"name": "", "email": "geen-adres", "website": "niet een site", "employee_count": "-3"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the trade name." in page
    assert "info@mijnzaak.nl" in page
    assert Business.objects.get(pk=portal_world.business.pk).name == "Bakkerij De Korenbloem"


@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_elses_business_answers_404(
    client: Client, portal_world: PortalWorld, method: str
) -> None:
    url = reverse("portal:business_edit", args=[portal_world.other_business.pk])
    response = getattr(logged_in(client, portal_world.entrepreneur), method)(
        url, {"name": "Overgenomen"}
    )

    assert response.status_code == 404
    portal_world.other_business.refresh_from_db()
    assert portal_world.other_business.name == "Transport Elders B.V."


def test_an_ambassador_cannot_edit_other_businesses_in_their_area(
    client: Client, portal_world: PortalWorld
) -> None:
    url = reverse("portal:business_edit", args=[portal_world.business.pk])
    response = logged_in(client, portal_world.ambassador).post(url, {"name": "Overgenomen"})
    assert response.status_code == 404


def test_ambassador_sees_businesses_and_only_consented_contacts(
    client: Client, portal_world: PortalWorld
) -> None:
    ConsentFactory(
        person=portal_world.entrepreneur, purpose=ConsentPurpose.CONTACT_VISIBLE_TO_AMBASSADOR
    )
    logged_in(client, portal_world.ambassador)

    response = client.get(reverse("portal:ambassador_area"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Juwelier" in page
    assert "Bakkerij De Korenbloem" in page
    assert "eva@bakkerij.example.nl" in page  # consented
    assert "nina@juwelier.example.nl" not in page
    assert "Nina Buur" not in page
    assert "Transport Elders" not in page  # another area
    assert (
        reverse("portal:ambassador_area")
        in client.get(reverse("portal:dashboard")).content.decode()
    )


def test_entrepreneurs_who_are_not_ambassadors_get_403_on_the_ambassador_page(
    client: Client, portal_world: PortalWorld
) -> None:
    response = logged_in(client, portal_world.entrepreneur).get(reverse("portal:ambassador_area"))
    assert response.status_code == 403
