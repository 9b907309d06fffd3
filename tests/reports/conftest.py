"""Fixtures for the reports tests: a municipality with handlers of every kind."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.reports.factories import RoutingRuleFactory, category
from weerbaar.accounts.models import OrganisationKind, Role, StaffFunction
from weerbaar.accounts.policy import Actor, actor_for
from weerbaar.reports.models import ReportChannel
from weerbaar.reports.services import ReportIntake


@pytest.fixture
def police(municipality: Any) -> Any:
    return OrganisationFactory(name="Politie Zeeland-West-Brabant", kind=OrganisationKind.POLICE)


@pytest.fixture
def gemeente(municipality: Any) -> Any:
    return OrganisationFactory(
        name="Gemeente Breda", kind=OrganisationKind.MUNICIPALITY, municipality=municipality
    )


def make_handler(
    organisation: Any,
    municipality: Any,
    *,
    role: Role = Role.MUNICIPAL_STAFF,
    confidential: bool = False,
    email: str | None = None,
    areas: list[Any] | None = None,
) -> Any:
    user = UserFactory(email=email) if email else UserFactory()
    MembershipFactory(
        user=user,
        organisation=organisation,
        role=role,
        function=StaffFunction.PUBLIC_ORDER_SAFETY
        if role == Role.MUNICIPAL_STAFF
        else StaffFunction.POLICE_BUSINESS_LIAISON,
        municipalities=[] if areas else [municipality],
        areas=areas or [],
        handles_confidential_reports=confidential,
    )
    return user


@pytest.fixture
def oov(gemeente: Any, municipality: Any) -> Any:
    return make_handler(gemeente, municipality, email="oov@breda.example.nl")


@pytest.fixture
def designated_officer(police: Any, municipality: Any) -> Any:
    return make_handler(
        police, municipality, role=Role.POLICE, confidential=True, email="recherche@politie.nl"
    )


@pytest.fixture
def routing(municipality: Any, police: Any, gemeente: Any) -> None:
    RoutingRuleFactory(
        priority=10, category=category("undermining"), organisation=police, team="Ondermijning"
    )
    RoutingRuleFactory(priority=20, category=category("high_impact_crime"), organisation=police)
    RoutingRuleFactory(priority=100, municipality=municipality, organisation=gemeente, team="OOV")


def intake(municipality: Any, **overrides: Any) -> ReportIntake:
    values: dict[str, Any] = {
        "municipality": municipality,
        "category": category("shoplifting"),
        "description": "Twee mannen namen flessen mee zonder te betalen.",
        "occurred_at": timezone.now() - datetime.timedelta(hours=1),
        "channel": ReportChannel.WEB,
        "location_text": "Grote Markt 1, Breda",
        "reporter_email": "melder@example.nl",
    }
    values.update(overrides)
    return ReportIntake(**values)


@pytest.fixture
def public_actor() -> Actor:
    from django.contrib.auth.models import AnonymousUser

    return actor_for(AnonymousUser())
