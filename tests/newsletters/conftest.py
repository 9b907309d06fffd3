"""Fixtures for the newsletter tests: a municipality with two areas, entrepreneurs who asked
for the newsletter (and one who did not), staff of the municipality and of another one, a
segment for the centre and a draft with a block."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.alerts.conftest import as_actor, commit, staff
from tests.factories import (
    AreaFactory,
    BusinessFactory,
    BusinessPersonFactory,
    ConsentFactory,
    MunicipalityFactory,
    UserFactory,
)
from weerbaar.network.models import BusinessRole, ConsentPurpose
from weerbaar.newsletters.blocks import get_block_type
from weerbaar.newsletters.services import newsletters, segments
from weerbaar.newsletters.services.newsletters import NewsletterDraft
from weerbaar.newsletters.services.segments import SegmentDraft

__all__ = ["commit"]  # the fixture, for the tests here


def reader(
    business: Any, *, newsletter: bool = True, role: str = BusinessRole.OWNER, **fields: Any
) -> Any:
    """Someone at `business` who is a member of the network and (by default) asked for the
    newsletter."""
    person = UserFactory(**fields)
    BusinessPersonFactory(person=person, business=business, role=role)
    ConsentFactory(person=person, purpose=ConsentPurpose.NETWORK_MEMBERSHIP)
    if newsletter:
        ConsentFactory(person=person, purpose=ConsentPurpose.NEWSLETTER)
    return person


def text_block(
    heading: str = "Nieuws uit de binnenstad", body: str = "Eerste alinea.\n\nTweede alinea."
) -> dict[str, Any]:
    return get_block_type("text").to_data({"heading": heading, "body": body})


@pytest.fixture
def centre(area: Any) -> Any:
    # Joined today: "joined this year" holds for it whenever the tests run.
    return BusinessFactory(area=area, sbi_code="4711", joined_network_on=timezone.localdate())


@pytest.fixture
def outskirts(municipality: Any) -> Any:
    other = AreaFactory(municipality=municipality, name="Hazeldonk", slug="hazeldonk")
    return BusinessFactory(area=other, sbi_code="4941", joined_network_on=datetime.date(2019, 5, 1))


@pytest.fixture
def editor(municipality: Any) -> Any:
    return staff(municipality, email="communicatie@breda.example.nl")


@pytest.fixture
def other_editor() -> Any:
    return staff(MunicipalityFactory(name="Delft", slug="delft"), email="redactie@delft.example.nl")


@pytest.fixture
def centre_segment(editor: Any, area: Any) -> Any:
    return segments.save_segment(
        as_actor(editor), None, SegmentDraft(name="Binnenstad", areas=[area])
    )


@pytest.fixture
def draft_newsletter(editor: Any, centre_segment: Any) -> Any:
    newsletter = newsletters.create_newsletter(
        as_actor(editor),
        NewsletterDraft(
            title="Nieuwsbrief december", intro="Veilig de feestdagen in.", segment=centre_segment
        ),
    )
    newsletters.add_block(as_actor(editor), newsletter, "text", text_block())
    return newsletter
