"""A small world for the portal tests: an entrepreneur, an ambassador and their area."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.factories import (
    AmbassadorFactory,
    AreaContactFactory,
    AreaFactory,
    BusinessFactory,
    BusinessPersonFactory,
    ConsentFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
)
from weerbaar.accounts.models import OrganisationKind
from weerbaar.network.models import AreaContactRole, ConsentPurpose


@pytest.fixture(name="client")
def english_client_fixture() -> Client:
    """A browser that asks for English, so tests read the msgids, not the Dutch catalogue."""
    return Client(headers={"accept-language": "en"})


@dataclass
class PortalWorld:
    municipality: Any
    area: Any
    other_area: Any
    entrepreneur: Any
    business: Any
    ambassador: Any
    other_business: Any
    neighbour: Any


@pytest.fixture(name="portal_world")
def portal_world_fixture(db: None) -> PortalWorld:
    """Import this into a test module to use the `portal_world` fixture."""
    breda = MunicipalityFactory(name="Breda", slug="breda")
    area = AreaFactory(municipality=breda, name="Binnenstad", slug="binnenstad")
    other_area = AreaFactory(municipality=breda, name="Hazeldonk", slug="hazeldonk")
    entrepreneur = UserFactory(email="eva@bakkerij.example.nl", full_name="Eva Ondernemer")
    business = BusinessFactory(area=area, name="Bakkerij De Korenbloem")
    BusinessPersonFactory(person=entrepreneur, business=business)
    ConsentFactory(person=entrepreneur, purpose=ConsentPurpose.NETWORK_MEMBERSHIP)
    ConsentFactory(person=entrepreneur, purpose=ConsentPurpose.ALERTS)

    ambassador = UserFactory(email="ahmed@fietsen.example.nl", full_name="Ahmed Ambassadeur")
    AmbassadorFactory(person=ambassador, area=area)
    BusinessPersonFactory(
        person=ambassador, business=BusinessFactory(area=area, name="Fietsenwinkel Snel")
    )
    # A neighbour in the same area who did not share contact details with the ambassador.
    neighbour = UserFactory(email="nina@juwelier.example.nl", full_name="Nina Buur")
    BusinessPersonFactory(person=neighbour, business=BusinessFactory(area=area, name="Juwelier"))
    other_business = BusinessFactory(area=other_area, name="Transport Elders B.V.")
    BusinessPersonFactory(business=other_business)

    police = OrganisationFactory(
        name="Politie eenheid Zeeland-West-Brabant", kind=OrganisationKind.POLICE
    )
    AreaContactFactory(area=area, organisation=police, name="Wim Wijkagent")
    AreaContactFactory(
        area=area,
        role=AreaContactRole.CENTRE_MANAGER,
        name="Cor Centrum",
        email="cor@breda.example.nl",
    )
    AreaContactFactory(
        area=area,
        role=AreaContactRole.PUBLIC_ORDER_SAFETY,
        name="Olga Verborgen",
        is_public=False,
    )
    return PortalWorld(
        municipality=breda,
        area=area,
        other_area=other_area,
        entrepreneur=entrepreneur,
        business=business,
        ambassador=ambassador,
        other_business=other_business,
        neighbour=neighbour,
    )
