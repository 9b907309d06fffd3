"""The registry services: permission first, validation with clear messages, audit always."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from tests.factories import (
    AmbassadorFactory,
    AreaContactFactory,
    AreaFactory,
    BusinessFactory,
    BusinessPersonFactory,
    MembershipFactory,
    MunicipalityFactory,
    UserFactory,
)
from weerbaar.accounts.models import OrganisationKind, Role, User
from weerbaar.accounts.policy import Actor, actor_for
from weerbaar.core.models import AuditEntry
from weerbaar.network.models import Ambassador, Area, AreaContact, Business, BusinessPerson
from weerbaar.network.services import registry

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[4.7, 51.5], [4.8, 51.5], [4.8, 51.6], [4.7, 51.5]]]}


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the msgids); the default language is Dutch."""
    with translation.override("en"):
        yield


def _actor(role: Role = Role.MUNICIPAL_STAFF, **scope: Any) -> Actor:
    return actor_for(MembershipFactory(role=role, **scope).user)


@pytest.fixture
def staff(municipality: Any) -> Actor:
    return _actor(municipalities=[municipality])


@pytest.fixture
def admin() -> Actor:
    return _actor(Role.PLATFORM_ADMIN)


def _business_values(municipality: Any, area: Any = None, **overrides: Any) -> dict[str, Any]:
    values = {
        "name": "Bakkerij De Korenschoof",
        "kvk_number": "12345678",
        "establishment_number": "000012345678",
        "street": "Ginnekenstraat",
        "house_number": "12",
        "postal_code": "4811jh",
        "city": "Breda",
        "municipality": municipality,
        "area": area,
    }
    return values | overrides


def test_only_platform_admins_create_municipalities(staff: Actor, admin: Actor) -> None:
    with pytest.raises(PermissionDenied):
        registry.create_municipality(staff, name="Tilburg")
    municipality = registry.create_municipality(admin, name="Etten-Leur")
    assert municipality.slug == "etten-leur"
    entry = AuditEntry.objects.get(action="network.municipality.create")
    assert entry.object_id == str(municipality.pk)
    assert entry.changes["name"] == [None, "Etten-Leur"]


def test_update_municipality_records_only_changed_fields(admin: Actor, municipality: Any) -> None:
    registry.update_municipality(admin, municipality, network_name="Veilig Breda")
    entry = AuditEntry.objects.get(action="network.municipality.update")
    assert list(entry.changes) == ["network_name"]


def test_municipality_name_and_slug_clashes_have_clear_messages(
    admin: Actor, municipality: Any
) -> None:
    with pytest.raises(ValidationError) as error:
        registry.create_municipality(admin, name="breda")
    assert error.value.message_dict == {"name": ["There is already a municipality called breda."]}
    tilburg = registry.create_municipality(admin, name="Tilburg")
    with pytest.raises(ValidationError) as error:
        registry.update_municipality(admin, tilburg, slug="breda")
    assert error.value.message_dict == {
        "slug": ["The short name breda is already used by Breda. Choose another one."]
    }
    assert AuditEntry.objects.filter(action="network.municipality.update").count() == 0


def test_area_with_valid_boundary_is_created_and_audited(staff: Actor, municipality: Any) -> None:
    area = registry.create_area(
        staff, municipality, name="Haagse Beemden", kind="district", boundary=SQUARE
    )
    assert area.slug == "haagse-beemden"
    assert AuditEntry.objects.filter(action="network.area.create", object_id=str(area.pk)).exists()


def test_invalid_boundary_is_refused_by_the_model_validator(
    staff: Actor, municipality: Any
) -> None:
    open_ring = {
        "type": "Polygon",
        "coordinates": [[[4.7, 51.5], [4.8, 51.5], [4.8, 51.6], [4.9, 51.6]]],
    }
    with pytest.raises(ValidationError) as error:
        registry.create_area(staff, municipality, name="X", kind="district", boundary=open_ring)
    assert "must end where it starts" in str(error.value.message_dict["boundary"])
    assert not Area.objects.exists()
    assert not AuditEntry.objects.exists()


def test_area_names_are_unique_per_municipality(staff: Actor, area: Any) -> None:
    with pytest.raises(ValidationError) as error:
        registry.create_area(staff, area.municipality, name="binnenstad", kind="district")
    assert "already has an area called" in error.value.message_dict["name"][0]


def test_area_scoped_staff_cannot_add_areas_to_the_municipality(area: Any) -> None:
    officer = _actor(areas=[area])
    with pytest.raises(Http404):
        registry.create_area(officer, area.municipality, name="Nieuw", kind="district")


def test_business_is_created_normalised_and_audited(staff: Actor, area: Any) -> None:
    business = registry.create_business(staff, **_business_values(area.municipality, area))
    assert business.postal_code == "4811 JH"
    assert business.source == "manual"
    assert AuditEntry.objects.filter(action="network.business.create").count() == 1


def test_business_area_must_lie_in_its_municipality(staff: Actor, municipality: Any) -> None:
    elsewhere = AreaFactory(municipality=MunicipalityFactory(name="Delft"))
    with pytest.raises(ValidationError) as error:
        registry.create_business(staff, **_business_values(municipality, elsewhere))
    assert "does not lie in Breda" in error.value.message_dict["area"][0]
    assert not Business.objects.exists()


def test_duplicate_establishment_number_has_a_clear_message(staff: Actor, area: Any) -> None:
    BusinessFactory(area=area, establishment_number="000012345678")
    with pytest.raises(ValidationError) as error:
        registry.create_business(staff, **_business_values(area.municipality, area))
    assert "already registered" in error.value.message_dict["establishment_number"][0]


def test_business_outside_scope_is_not_found(staff: Actor) -> None:
    other = BusinessFactory()
    with pytest.raises(Http404):
        registry.update_business(staff, other, name="Nieuw")
    with pytest.raises(Http404):
        registry.create_business(staff, **_business_values(other.municipality))


def test_police_may_not_manage_businesses(area: Any) -> None:
    police = _actor(Role.POLICE, areas=[area])
    with pytest.raises(PermissionDenied):
        registry.deactivate_business(police, BusinessFactory(area=area))


def test_update_and_deactivate_business(staff: Actor, area: Any) -> None:
    business = BusinessFactory(area=area)
    registry.update_business(staff, business, name="Nieuwe naam")
    registry.deactivate_business(staff, business)
    business.refresh_from_db()
    assert (business.name, business.is_active) == ("Nieuwe naam", False)
    with pytest.raises(ValidationError):
        registry.deactivate_business(staff, business)
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["network.business.update", "network.business.deactivate"]


def test_linking_a_new_email_creates_an_account_without_password(staff: Actor, area: Any) -> None:
    business = BusinessFactory(area=area)
    link = registry.link_person_to_business(staff, business, "Anna@Example.nl", full_name="Anna")
    person = User.objects.get(email="anna@example.nl")
    assert link.person == person
    assert not person.has_usable_password()
    with pytest.raises(ValidationError) as error:
        registry.link_person_to_business(staff, business, "anna@example.nl")
    assert "already linked" in error.value.message_dict["email"][0]
    registry.unlink_person_from_business(staff, person, business)
    assert not BusinessPerson.objects.exists()
    assert User.objects.filter(pk=person.pk).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert actions == {
        "network.person.create",
        "network.business_person.link",
        "network.business_person.unlink",
    }


def test_ambassador_must_run_a_business_in_the_municipality(staff: Actor, area: Any) -> None:
    outsider = UserFactory()
    with pytest.raises(ValidationError) as error:
        registry.appoint_ambassador(staff, area, outsider)
    assert "Link them to their business first" in error.value.message_dict["person"][0]
    link = BusinessPersonFactory(business=BusinessFactory(area=area))
    ambassador = registry.appoint_ambassador(staff, area, link.person, business=link.business)
    assert ambassador.is_active
    with pytest.raises(ValidationError):
        registry.appoint_ambassador(staff, area, link.person)
    registry.end_ambassadorship(staff, ambassador)
    again = registry.appoint_ambassador(staff, area, link.person)
    assert again.pk == ambassador.pk
    assert Ambassador.objects.get().is_active


def test_end_ambassadorship_out_of_scope(staff: Actor) -> None:
    with pytest.raises(Http404):
        registry.end_ambassadorship(staff, AmbassadorFactory())


def test_area_contacts_lifecycle(staff: Actor, area: Any) -> None:
    contact = registry.create_area_contact(staff, area, role="community_officer", name="Piet")
    registry.update_area_contact(staff, contact, phone="0900-8844")
    registry.delete_area_contact(staff, contact)
    assert not AreaContact.objects.exists()
    assert AuditEntry.objects.filter(action__startswith="network.area_contact.").count() == 3
    with pytest.raises(Http404):
        registry.delete_area_contact(staff, AreaContactFactory())


def test_organisations_admin_only_and_unique(staff: Actor, admin: Actor) -> None:
    with pytest.raises(PermissionDenied):
        registry.create_organisation(staff, name="Politie Zeeland", kind=OrganisationKind.POLICE)
    registry.create_organisation(admin, name="Politie Zeeland", kind=OrganisationKind.POLICE)
    with pytest.raises(ValidationError) as error:
        registry.create_organisation(admin, name="politie zeeland", kind=OrganisationKind.POLICE)
    assert "already an organisation" in error.value.message_dict["name"][0]
