"""List pages of the back office run a fixed number of queries, however many rows they show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AmbassadorFactory,
    AreaContactFactory,
    AreaFactory,
    BusinessFactory,
    BusinessPersonFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
)
from tests.helpers import login_verified
from weerbaar.accounts.models import OrganisationKind, Role

pytestmark = pytest.mark.django_db


def _municipalities(world: dict[str, Any], count: int) -> None:
    for _ in range(count):
        AreaFactory(municipality=MunicipalityFactory())


def _areas(world: dict[str, Any], count: int) -> None:
    for _ in range(count):
        area = AreaFactory(municipality=world["municipality"])
        AmbassadorFactory(area=area)
        BusinessFactory(area=area)


def _businesses(world: dict[str, Any], count: int) -> None:
    for _ in range(count):
        BusinessFactory(area=AreaFactory(municipality=world["municipality"]))


def _people(world: dict[str, Any], count: int) -> None:
    for _ in range(count):
        link = BusinessPersonFactory(business=BusinessFactory(area=world["area"]))
        BusinessPersonFactory(person=link.person, business=BusinessFactory(area=world["area"]))


def _organisations(world: dict[str, Any], count: int) -> None:
    for _ in range(count):
        organisation = OrganisationFactory(kind=OrganisationKind.POLICE)
        MembershipFactory(organisation=organisation, municipalities=[world["municipality"]])


def _area_children(world: dict[str, Any], count: int) -> None:
    for _ in range(count):
        AmbassadorFactory(area=world["area"])
        AreaContactFactory(area=world["area"], organisation=OrganisationFactory())


def _business_people(world: dict[str, Any], count: int) -> None:
    for _ in range(count):
        BusinessPersonFactory(business=world["business"])


PAGES: list[tuple[str, str, Callable[[dict[str, Any], int], None], str]] = [
    ("staff:municipality_list", "", _municipalities, "admin"),
    ("staff:area_list", "", _areas, "staff"),
    ("staff:business_list", "", _businesses, "staff"),
    ("staff:person_list", "", _people, "staff"),
    ("staff:organisation_list", "", _organisations, "admin"),
    ("staff:area_detail", "area", _area_children, "staff"),
    ("staff:business_detail", "business", _business_people, "staff"),
]


@pytest.mark.parametrize(("url_name", "arg", "make_rows", "role"), PAGES, ids=[p[0] for p in PAGES])
def test_query_count_does_not_grow_with_rows(
    url_name: str,
    arg: str,
    make_rows: Callable[[dict[str, Any], int], None],
    role: str,
    django_assert_num_queries: Any,
) -> None:
    municipality = MunicipalityFactory(name="Breda", slug="breda")
    area = AreaFactory(municipality=municipality)
    world = {"municipality": municipality, "area": area, "business": BusinessFactory(area=area)}
    member = (
        MembershipFactory(role=Role.PLATFORM_ADMIN)
        if role == "admin"
        else MembershipFactory(municipalities=[municipality])
    )
    client = Client()
    login_verified(client, member.user)
    url = reverse(url_name, args=[world[arg].pk] if arg else [])

    make_rows(world, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    make_rows(world, 27)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
