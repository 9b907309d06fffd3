"""The network API shows each caller only what the policy allows, with problem+json errors."""

from typing import Any

import pytest
from django.test import Client

from tests.factories import (
    AreaFactory,
    BusinessFactory,
    BusinessPersonFactory,
    MembershipFactory,
    MunicipalityFactory,
)
from tests.helpers import login_verified
from weerbaar.accounts.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    breda = MunicipalityFactory(name="Breda", slug="breda")
    delft = MunicipalityFactory(name="Delft", slug="delft")
    breda_area = AreaFactory(municipality=breda, name="Binnenstad", slug="binnenstad")
    delft_area = AreaFactory(municipality=delft, name="Centrum", slug="centrum")
    return {
        "breda": breda,
        "delft": delft,
        "breda_business": BusinessFactory(area=breda_area, name="Bakkerij Breda"),
        "delft_business": BusinessFactory(area=delft_area, name="Bakkerij Delft"),
    }


def _staff(client: Client, municipality: Any, role: str = Role.MUNICIPAL_STAFF) -> Client:
    membership = MembershipFactory(role=role, municipalities=[municipality])
    login_verified(client, membership.user)
    return client


def test_staff_list_businesses_of_their_municipality_only(client: Client, world: dict) -> None:
    _staff(client, world["breda"])
    response = client.get("/api/v1/vestigingen/")
    assert response.status_code == 200
    names = [row["name"] for row in response.json()["results"]]
    assert names == ["Bakkerij Breda"]


def test_business_outside_scope_is_not_found_as_problem_json(client: Client, world: dict) -> None:
    _staff(client, world["breda"])
    response = client.get(f"/api/v1/vestigingen/{world['delft_business'].pk}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_entrepreneur_may_not_use_the_staff_api(client: Client, world: dict) -> None:
    link = BusinessPersonFactory(business=world["breda_business"])
    client.force_login(link.person)
    response = client.get("/api/v1/vestigingen/")
    assert response.status_code == 403
    assert response.json()["title"]


def test_anonymous_caller_is_refused(client: Client, world: dict) -> None:
    response = client.get("/api/v1/gemeenten/")
    assert response.status_code in {401, 403}
    assert response["Content-Type"] == "application/problem+json"


def test_staff_without_second_factor_is_refused(client: Client, world: dict) -> None:
    membership = MembershipFactory(municipalities=[world["breda"]])
    client.force_login(membership.user)
    assert client.get("/api/v1/gemeenten/").status_code == 403


def test_bad_filter_value_is_a_400_with_invalid_params(client: Client, world: dict) -> None:
    _staff(client, world["breda"])
    response = client.get("/api/v1/vestigingen/?area=abc")
    assert response.status_code == 400
    assert response.json()["invalid_params"][0]["name"] == "area"


def test_business_list_query_count_does_not_grow_with_rows(client: Client, world: dict) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _staff(client, world["breda"])
    client.get("/api/v1/vestigingen/")  # warm the session
    with CaptureQueriesContext(connection) as one_row:
        client.get("/api/v1/vestigingen/")
    BusinessFactory.create_batch(30, area=world["breda_business"].area)
    with CaptureQueriesContext(connection) as many_rows:
        response = client.get("/api/v1/vestigingen/")
    assert len(response.json()["results"]) == 31
    assert len(many_rows) == len(one_row)


def test_openapi_schema_is_served(client: Client) -> None:
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/vestigingen/" in response.content
