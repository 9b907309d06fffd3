"""Partner organisations in the back office, and the links on the back-office home."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory, MunicipalityFactory, OrganisationFactory
from tests.helpers import login_verified
from weerbaar.accounts.models import Organisation, OrganisationKind, Role
from weerbaar.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(staff_client: Client) -> Client:
    staff_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return staff_client


def _client(role: Role, **scope: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_verified(client, MembershipFactory(role=role, **scope).user)
    return client


@pytest.fixture
def admin() -> Client:
    return _client(Role.PLATFORM_ADMIN)


def test_list_shows_own_municipality_and_regional_organisations(
    staff: Client, municipality: Any
) -> None:
    OrganisationFactory(name="Gemeente Breda", municipality=municipality)
    OrganisationFactory(name="Politie Zeeland-West-Brabant", kind=OrganisationKind.POLICE)
    OrganisationFactory(name="Gemeente Delft", municipality=MunicipalityFactory(name="Delft"))
    response = staff.get(reverse("staff:organisation_list"))
    page = response.content.decode()
    assert "Gemeente Breda" in page
    assert "Politie Zeeland-West-Brabant" in page
    assert "Gemeente Delft" not in page
    assert reverse("staff:organisation_create") not in page


def test_detail_in_and_out_of_scope(staff: Client, municipality: Any) -> None:
    own = OrganisationFactory(name="Gemeente Breda", municipality=municipality)
    MembershipFactory(organisation=own, user__full_name="Mira Medewerker")
    response = staff.get(reverse("staff:organisation_detail", args=[own.pk]))
    assert response.status_code == 200
    assert "Mira Medewerker" in response.content.decode()
    other = OrganisationFactory(name="Gemeente Delft", municipality=MunicipalityFactory(name="D"))
    assert staff.get(reverse("staff:organisation_detail", args=[other.pk])).status_code == 404


def test_only_admins_create_and_edit(staff: Client, admin: Client, municipality: Any) -> None:
    assert staff.get(reverse("staff:organisation_create")).status_code == 403
    response = admin.post(
        reverse("staff:organisation_create"),
        {
            "name": "BIZ Binnenstad",
            "kind": "business_improvement_district",
            "municipality": municipality.pk,
        },
    )
    organisation = Organisation.objects.get(name="BIZ Binnenstad")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:organisation_detail", args=[organisation.pk])
    url = reverse("staff:organisation_edit", args=[organisation.pk])
    assert staff.get(url).status_code == 403
    response = admin.post(
        url, {"name": "BIZ Binnenstad Breda", "kind": "business_improvement_district"}
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.municipality) == ("BIZ Binnenstad Breda", None)
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["network.organisation.create", "network.organisation.update"]


def test_bad_organisation_input_is_a_400(admin: Client) -> None:
    OrganisationFactory(name="CCV", kind=OrganisationKind.CCV)
    url = reverse("staff:organisation_create")
    response = admin.post(url, {"name": "ccv", "kind": "ccv"})
    assert response.status_code == 400
    assert "There is already an organisation of this kind called ccv." in response.content.decode()
    response = admin.post(url, {"name": "", "kind": "bank", "website": "geen url"})
    assert response.status_code == 400
    assert "Enter a valid URL." in response.content.decode()
    assert Organisation.objects.filter(kind="ccv").count() == 1
    assert not AuditEntry.objects.filter(action__startswith="network.organisation").exists()


def test_back_office_home_links_only_what_the_role_may_use(area: Any) -> None:
    links = {
        "staff:municipality_list",
        "staff:area_list",
        "staff:business_list",
        "staff:person_list",
        "staff:organisation_list",
        "staff_import:upload",
    }
    expected = {
        Role.MUNICIPAL_STAFF: links,
        Role.POLICE: links - {"staff_import:upload"},
        Role.PARTNER_EXPERT: {
            "staff:municipality_list",
            "staff:area_list",
            "staff:organisation_list",
        },
    }
    for role, names in expected.items():
        page = _client(role, areas=[area]).get(reverse("core:back_office")).content.decode()
        shown = {name for name in links if f'href="{reverse(name)}"' in page}
        assert shown == names, role
