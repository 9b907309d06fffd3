"""Public municipality pages and the home page: plain facts, never entrepreneurs' details."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AmbassadorFactory,
    AreaContactFactory,
    AreaFactory,
    BusinessFactory,
    MunicipalityFactory,
    UserFactory,
)
from tests.network.portal_helpers import (  # noqa: F401 - fixtures
    PortalWorld,
    english_client_fixture,
    portal_world_fixture,
)
from weerbaar.accounts.models import User
from weerbaar.network.models import AreaContact, BusinessPerson, Municipality

pytestmark = pytest.mark.django_db


def public_page(client: Client, slug: str = "breda") -> str:
    response = client.get(reverse("public:municipality", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_landing_page_explains_the_network_and_lists_areas_and_contacts(
    client: Client, portal_world: PortalWorld
) -> None:
    page = public_page(client)

    assert "Areas in the network" in page
    assert "Binnenstad" in page
    assert "Wim Wijkagent" in page
    assert "Cor Centrum" in page
    assert "Ahmed Ambassadeur" in page
    assert "Olga Verborgen" not in page  # not a public contact
    for number in ("112", "0900-8844", "0800-7000"):
        assert number in page
    assert "not a formal complaint (aangifte)" in page
    assert reverse("accounts:login") in page
    assert "Coming soon" in page


def test_landing_page_never_shows_entrepreneurs_emails_or_contact_emails(
    client: Client, portal_world: PortalWorld
) -> None:
    page = public_page(client)

    for email in User.objects.values_list("email", flat=True):
        assert email not in page
    for email in AreaContact.objects.exclude(email="").values_list("email", flat=True):
        assert email not in page
    assert "Eva Ondernemer" not in page  # an entrepreneur, not an ambassador


def test_an_ambassador_without_a_name_is_not_shown_by_email(client: Client, area: object) -> None:
    AmbassadorFactory(area=area, person=UserFactory(email="anoniem@example.nl", full_name=""))

    page = public_page(client)

    assert "anoniem@example.nl" not in page


def test_unknown_or_inactive_municipality_answers_404(client: Client) -> None:
    MunicipalityFactory(name="Oud", slug="oud", is_active=False)

    assert (
        client.get(reverse("public:municipality", kwargs={"slug": "atlantis"})).status_code == 404
    )
    assert client.get(reverse("public:municipality", kwargs={"slug": "oud"})).status_code == 404


def test_landing_page_query_count_does_not_grow_with_areas(
    client: Client, municipality: Municipality
) -> None:
    area = AreaFactory(municipality=municipality)
    AreaContactFactory(area=area)
    with CaptureQueriesContext(connection) as few:
        public_page(client)
    for _ in range(5):
        more = AreaFactory(municipality=municipality)
        AreaContactFactory(area=more)
        AmbassadorFactory(area=more)
        BusinessFactory(area=more)
    with CaptureQueriesContext(connection) as many:
        public_page(client)

    assert len(many) == len(few)


def test_demo_public_pages_show_no_entrepreneur_emails(client: Client) -> None:
    call_command("load_demo_data", "--force", stdout=StringIO())
    entrepreneur_emails = set(BusinessPerson.objects.values_list("person__email", flat=True))

    for slug in ("breda", "wijdemeren", "westland", "delft"):
        page = public_page(client, slug)
        assert not [email for email in entrepreneur_emails if email in page]
        assert "@" not in page.replace("veiligondernemen@", "").replace(
            "ondernemersloket@", ""
        ).replace("ondernemen@", "")


def test_home_page_links_every_active_municipality(
    client: Client, portal_world: PortalWorld
) -> None:
    MunicipalityFactory(name="Delft", slug="delft", network_name="Veilig Ondernemen Delft")

    response = client.get(reverse("core:home"))

    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("public:municipality", kwargs={"slug": "delft"}) in page
    assert reverse("public:municipality", kwargs={"slug": "breda"}) in page
    assert "0800-7000" in page
