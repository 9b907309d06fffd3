"""Writing through the network API: the registry services decide, as in the back office.

Reads (scoping, 404 outside scope, problem+json, query counts) are covered in
tests/api/test_network_api.py; who may call what is covered by the permission matrix.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import (
    AreaFactory,
    BusinessFactory,
    MembershipFactory,
    MunicipalityFactory,
)
from tests.helpers import login_verified
from weerbaar.accounts.models import Role
from weerbaar.core.models import AuditEntry
from weerbaar.network.models import Area, Business, BusinessSource, Municipality

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
SQUARE = {"type": "Polygon", "coordinates": [[[4.7, 51.5], [4.8, 51.5], [4.8, 51.6], [4.7, 51.5]]]}


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the msgids); the default language is Dutch."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(municipality: Municipality, area: Area) -> dict[str, Any]:
    delft = MunicipalityFactory(name="Delft", slug="delft")
    return {
        "breda": municipality,
        "binnenstad": area,
        "delft": delft,
        "delft_area": AreaFactory(municipality=delft, name="Centrum", slug="centrum"),
    }


def _login(client: Client, role: Role = Role.MUNICIPAL_STAFF, **scope: Any) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_verified(client, MembershipFactory(role=role, **scope).user)
    return client


@pytest.fixture
def staff(client: Client, world: dict[str, Any]) -> Client:
    return _login(client, municipalities=[world["breda"]])


@pytest.fixture
def admin(client: Client) -> Client:
    return _login(client, Role.PLATFORM_ADMIN)


def _business(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Fietsenmaker Spaak",
        "kvk_number": "8765 4321",
        "establishment_number": "0000 8765 4321",
        "sbi_code": "4776",
        "street": "Ginnekenweg",
        "house_number": "10",
        "postal_code": "4818jb",
        "city": "Breda",
        "municipality": "breda",
        "area": world["binnenstad"].pk,
    } | overrides


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def _patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, body, content_type="application/json")


def _reasons(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    reasons: dict[str, list[str]] = {}
    for param in response.json()["invalid_params"]:
        reasons.setdefault(param["name"], []).append(param["reason"])
    return reasons


# --- businesses -----------------------------------------------------------------------------


def test_staff_register_a_business_normalised_and_audited(
    staff: Client, world: dict[str, Any]
) -> None:
    response = _post(staff, "/api/v1/vestigingen/", _business(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kvk_number"] == "87654321"
    assert body["establishment_number"] == "000087654321"
    assert body["postal_code"] == "4818 JB"
    assert body["municipality"] == "breda"
    assert body["area"] == world["binnenstad"].pk
    assert body["source"] == BusinessSource.MANUAL
    assert body["is_active"] is True
    business = Business.objects.get(pk=body["id"])
    entry = AuditEntry.objects.get(action="network.business.create")
    assert entry.object_id == str(business.pk)
    assert entry.actor_label.endswith("@example.nl")


def test_duplicate_establishment_number_is_a_400_with_the_service_message(
    staff: Client, world: dict[str, Any]
) -> None:
    BusinessFactory(area=world["binnenstad"], establishment_number="000087654321")
    reasons = _reasons(_post(staff, "/api/v1/vestigingen/", _business(world)))
    assert reasons == {
        "establishment_number": [
            "A business with vestigingsnummer 000087654321 is already registered. "
            "Each establishment can be registered only once."
        ]
    }
    assert Business.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_area_of_another_municipality_is_a_400(admin: Client, world: dict[str, Any]) -> None:
    body = _business(world, area=world["delft_area"].pk)
    reasons = _reasons(_post(admin, "/api/v1/vestigingen/", body))
    assert reasons == {"area": ["The area Centrum does not lie in Breda."]}
    assert not Business.objects.exists()


def test_bad_fields_are_listed_one_by_one(staff: Client, world: dict[str, Any]) -> None:
    body = _business(world, kvk_number="123", postal_code="ABCD", name="")
    reasons = _reasons(_post(staff, "/api/v1/vestigingen/", body))
    assert set(reasons) == {"kvk_number", "postal_code", "name"}
    assert reasons["kvk_number"] == ["A KvK number has exactly 8 digits (you entered 123)."]
    assert reasons["postal_code"] == ["Enter a Dutch postal code such as 4811 AB."]


def test_malformed_json_is_a_400_problem(staff: Client) -> None:
    response = staff.post("/api/v1/vestigingen/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


def test_references_outside_the_scope_do_not_exist_for_the_caller(
    staff: Client, world: dict[str, Any]
) -> None:
    body = _business(world, municipality="delft", area=world["delft_area"].pk)
    reasons = _reasons(_post(staff, "/api/v1/vestigingen/", body))
    assert set(reasons) == {"municipality", "area"}
    assert not Business.objects.exists()


def test_patch_changes_only_the_given_fields_and_audits_them(
    staff: Client, world: dict[str, Any]
) -> None:
    business = BusinessFactory(area=world["binnenstad"], name="Oud", city="Breda")
    response = _patch(staff, f"/api/v1/vestigingen/{business.pk}/", {"name": "Nieuw"})
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Nieuw"
    business.refresh_from_db()
    assert (business.name, business.city) == ("Nieuw", "Breda")
    entry = AuditEntry.objects.get(action="network.business.update")
    assert entry.changes == {"name": ["Oud", "Nieuw"]}


def test_put_replaces_the_details(admin: Client, world: dict[str, Any]) -> None:
    business = BusinessFactory(area=world["binnenstad"])
    body = _business(world, municipality="delft", area=world["delft_area"].pk, city="Delft")
    response = admin.put(f"/api/v1/vestigingen/{business.pk}/", body, "application/json")
    assert response.status_code == 200, response.content
    business.refresh_from_db()
    assert (business.municipality, business.area, business.city) == (
        world["delft"],
        world["delft_area"],
        "Delft",
    )


def test_put_without_required_fields_is_a_400(staff: Client, world: dict[str, Any]) -> None:
    business = BusinessFactory(area=world["binnenstad"])
    response = staff.put(f"/api/v1/vestigingen/{business.pk}/", {"name": "X"}, "application/json")
    assert "kvk_number" in _reasons(response)


def test_source_and_status_cannot_be_written(staff: Client, world: dict[str, Any]) -> None:
    business = BusinessFactory(area=world["binnenstad"], source=BusinessSource.CSV_IMPORT)
    response = _patch(
        staff, f"/api/v1/vestigingen/{business.pk}/", {"source": "kvk", "is_active": False}
    )
    assert response.status_code == 200
    business.refresh_from_db()
    assert (business.source, business.is_active) == (BusinessSource.CSV_IMPORT, True)


def test_police_read_but_may_not_write(client: Client, world: dict[str, Any]) -> None:
    _login(client, Role.POLICE, areas=[world["binnenstad"]])
    business = BusinessFactory(area=world["binnenstad"])
    url = f"/api/v1/vestigingen/{business.pk}/"
    assert client.get(url).status_code == 200
    response = _patch(client, url, {"name": "Nieuw"})
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert _post(client, "/api/v1/vestigingen/", _business(world)).status_code == 403


def test_delete_is_not_offered(admin: Client, world: dict[str, Any]) -> None:
    business = BusinessFactory(area=world["binnenstad"])
    response = admin.delete(f"/api/v1/vestigingen/{business.pk}/")
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert Business.objects.filter(pk=business.pk).exists()


# --- areas ----------------------------------------------------------------------------------


def test_staff_add_an_area_with_a_boundary(staff: Client, world: dict[str, Any]) -> None:
    body = {"name": "Haagse Beemden", "kind": "district", "municipality": "breda"}
    response = _post(staff, "/api/v1/gebieden/", body | {"boundary": SQUARE})
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "haagse-beemden"
    assert response.json()["boundary"] == SQUARE
    assert AuditEntry.objects.filter(action="network.area.create").count() == 1


def test_invalid_boundary_and_duplicate_name_are_400(staff: Client, world: dict[str, Any]) -> None:
    open_ring = {"type": "Polygon", "coordinates": [[[4.7, 51.5], [4.8, 51.5], [4.8, 51.6]]]}
    body = {"name": "Nieuw", "kind": "district", "municipality": "breda", "boundary": open_ring}
    assert _reasons(_post(staff, "/api/v1/gebieden/", body)) == {
        "boundary": ["Each boundary ring needs at least four positions."]
    }
    body = {"name": "binnenstad", "kind": "district", "municipality": "breda"}
    assert _reasons(_post(staff, "/api/v1/gebieden/", body)) == {
        "name": ["Breda already has an area called binnenstad."]
    }
    assert Area.objects.count() == 2


def test_an_area_cannot_move_to_another_municipality(admin: Client, world: dict[str, Any]) -> None:
    url = f"/api/v1/gebieden/{world['binnenstad'].pk}/"
    reasons = _reasons(_patch(admin, url, {"municipality": "delft"}))
    assert reasons == {
        "municipality": [
            "An area cannot move to another municipality. Add a new area there instead."
        ]
    }
    response = _patch(admin, url, {"municipality": "breda", "description": "Het centrum."})
    assert response.status_code == 200
    assert Area.objects.get(pk=world["binnenstad"].pk).description == "Het centrum."


def test_area_scoped_staff_may_not_add_areas_to_the_whole_municipality(
    client: Client, world: dict[str, Any]
) -> None:
    _login(client, areas=[world["binnenstad"]])
    body = {"name": "Ginneken", "kind": "district", "municipality": "breda"}
    response = _post(client, "/api/v1/gebieden/", body)
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert not Area.objects.filter(name="Ginneken").exists()


# --- municipalities -------------------------------------------------------------------------


def test_admin_adds_and_renames_a_municipality(admin: Client, world: dict[str, Any]) -> None:
    response = _post(admin, "/api/v1/gemeenten/", {"name": "Etten-Leur"})
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "etten-leur"
    response = _patch(admin, "/api/v1/gemeenten/etten-leur/", {"network_name": "Veilig EL"})
    assert response.status_code == 200
    assert Municipality.objects.get(slug="etten-leur").network_name == "Veilig EL"
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["network.municipality.create", "network.municipality.update"]


def test_municipality_clashes_are_400(admin: Client, world: dict[str, Any]) -> None:
    assert _reasons(_post(admin, "/api/v1/gemeenten/", {"name": "Breda"})) == {
        "name": ["There is already a municipality called Breda."]
    }
    reasons = _reasons(_patch(admin, "/api/v1/gemeenten/delft/", {"slug": "breda"}))
    assert reasons == {
        "slug": ["The short name breda is already used by Breda. Choose another one."]
    }


def test_staff_may_not_add_municipalities(staff: Client) -> None:
    response = _post(staff, "/api/v1/gemeenten/", {"name": "Tilburg"})
    assert response.status_code == 403
    assert not Municipality.objects.filter(name="Tilburg").exists()


def test_schema_documents_the_write_operations(client: Client) -> None:
    response = client.get("/api/v1/schema/", {"format": "json"})
    paths = response.json()["paths"]
    for collection, item in (
        ("/api/v1/gemeenten/", "/api/v1/gemeenten/{slug}/"),
        ("/api/v1/gebieden/", "/api/v1/gebieden/{id}/"),
        ("/api/v1/vestigingen/", "/api/v1/vestigingen/{id}/"),
    ):
        assert set(paths[collection]) == {"get", "post"}
        assert set(paths[item]) == {"get", "put", "patch"}


@pytest.mark.parametrize("path", ["/api/v1/gemeenten/", "/api/v1/gebieden/"])
def test_list_query_count_does_not_grow_with_rows(
    admin: Client, world: dict[str, Any], path: str, django_assert_num_queries: Any
) -> None:
    with CaptureQueriesContext(connection) as few:
        assert admin.get(path).status_code == 200
    for _ in range(20):
        AreaFactory(municipality=MunicipalityFactory())
    with django_assert_num_queries(len(few.captured_queries)):
        response = admin.get(path)
    assert response.json()["count"] > 20
