"""Routing of confidential (undermining) reports cannot be diverted by everyday rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.reports.conftest import intake, make_handler
from tests.reports.factories import RoutingRuleFactory, category
from weerbaar.accounts.models import Role
from weerbaar.accounts.policy import actor_for
from weerbaar.reports.services import configuration, submit_report

pytestmark = pytest.mark.django_db


def test_a_catch_all_rule_never_routes_a_confidential_report(
    public_actor: Any, municipality: Any, gemeente: Any, police: Any
) -> None:
    RoutingRuleFactory(priority=1, municipality=municipality, organisation=gemeente)
    RoutingRuleFactory(
        priority=50, category=category("undermining"), organisation=police, team="Ondermijning"
    )
    report = submit_report(
        public_actor, intake(municipality, category=category("cannabis_farm"))
    ).report
    assert report.organisation == police
    everyday = submit_report(public_actor, intake(municipality)).report
    assert everyday.organisation == gemeente


def test_without_a_naming_rule_a_confidential_report_stays_unrouted(
    public_actor: Any, municipality: Any, gemeente: Any
) -> None:
    RoutingRuleFactory(priority=1, municipality=municipality, organisation=gemeente)
    report = submit_report(
        public_actor, intake(municipality, category=category("money_laundering"))
    ).report
    assert report.organisation is None


def test_only_designated_staff_route_confidential_categories(
    municipality: Any, gemeente: Any, police: Any
) -> None:
    plain = make_handler(gemeente, municipality, role=Role.MUNICIPAL_STAFF)
    designated = make_handler(gemeente, municipality, confidential=True)
    values = {
        "priority": 5,
        "category": category("drug_lab"),
        "municipality": municipality,
        "area": None,
        "organisation": gemeente,
        "team": "",
        "is_active": True,
    }
    with pytest.raises(ValidationError) as excinfo:
        configuration.create_routing_rule(actor_for(plain), **values)
    assert "category" in excinfo.value.message_dict
    rule = configuration.create_routing_rule(actor_for(designated), **values)
    with pytest.raises(ValidationError):
        configuration.delete_routing_rule(actor_for(plain), rule)
    configuration.delete_routing_rule(actor_for(designated), rule)
