"""Fixtures for the alerts tests: a municipality with an area, entrepreneurs who asked for
alerts, staff of the municipality and the police, an ambassador."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from django.utils import timezone

from tests.factories import (
    AmbassadorFactory,
    AreaFactory,
    BusinessFactory,
    BusinessPersonFactory,
    ConsentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from weerbaar.accounts.models import OrganisationKind, Role, StaffFunction
from weerbaar.accounts.policy import Actor, actor_for
from weerbaar.alerts.services import alerts
from weerbaar.alerts.services.alerts import AlertDraft
from weerbaar.network.models import ConsentPurpose

T = TypeVar("T")


def member(business: Any, *, alerts: bool = True, **user_fields: Any) -> Any:
    """An entrepreneur linked to `business`, with network membership and (by default) the
    consent for alerts."""
    person = UserFactory(**user_fields)
    BusinessPersonFactory(person=person, business=business)
    ConsentFactory(person=person, purpose=ConsentPurpose.NETWORK_MEMBERSHIP)
    if alerts:
        ConsentFactory(person=person, purpose=ConsentPurpose.ALERTS)
    return person


def staff(municipality: Any, role: Role = Role.MUNICIPAL_STAFF, **user_fields: Any) -> Any:
    kind = OrganisationKind.POLICE if role == Role.POLICE else OrganisationKind.MUNICIPALITY
    user = UserFactory(**user_fields)
    MembershipFactory(
        user=user,
        organisation=OrganisationFactory(name=f"Org {kind}", kind=kind),
        role=role,
        function=StaffFunction.PUBLIC_ORDER_SAFETY
        if role == Role.MUNICIPAL_STAFF
        else StaffFunction.COMMUNITY_OFFICER,
        municipalities=[municipality],
    )
    return user


def as_actor(user: Any) -> Actor:
    return actor_for(user)


def draft(**overrides: Any) -> AlertDraft:
    values: dict[str, Any] = {
        "title": "Oplichters met valse tientjes",
        "message": "Twee mannen betalen met valse biljetten van 10 euro in de Ginnekenstraat.",
        "category": "counterfeit_money",
        "severity": "warning",
        "advice": "Controleer biljetten met de voel-kijk-kantelmethode.",
        "expires_at": timezone.now() + datetime.timedelta(days=2),
    }
    values.update(overrides)
    return AlertDraft(**values)


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[[Callable[[], T]], T]:
    """Run `call()`, then what it scheduled for after the commit (the fan-out task, the
    outbox hand-over and, with eager Celery, the sending), as a real commit would."""

    def run(call: Callable[[], T]) -> T:
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


@pytest.fixture
def publish(commit: Any) -> Callable[..., Any]:
    """Write an alert as `author` and send it (published, or waiting for approval)."""

    def run(author: Any, **overrides: Any) -> Any:
        alert = alerts.create_alert(as_actor(author), draft(**overrides))
        return commit(lambda: alerts.send_alert(as_actor(author), alert))

    return run


@pytest.fixture
def shop(area: Any) -> Any:
    return BusinessFactory(area=area, sbi_code="4711")


@pytest.fixture
def cafe(area: Any) -> Any:
    return BusinessFactory(area=area, sbi_code="5630", name="Café De Beurs")


@pytest.fixture
def elsewhere(municipality: Any) -> Any:
    other_area = AreaFactory(municipality=municipality, name="Hazeldonk", slug="hazeldonk")
    return BusinessFactory(area=other_area, sbi_code="4941")


@pytest.fixture
def oov(municipality: Any) -> Any:
    return staff(municipality, email="oov@breda.example.nl")


@pytest.fixture
def oov_colleague(municipality: Any) -> Any:
    return staff(municipality, email="oov2@breda.example.nl")


@pytest.fixture
def officer(municipality: Any) -> Any:
    return staff(municipality, Role.POLICE, email="wijkagent@politie.example.nl")


@pytest.fixture
def ambassador(area: Any, shop: Any) -> Any:
    person = member(shop, email="ambassadeur@example.nl")
    AmbassadorFactory(person=person, area=area)
    return person
