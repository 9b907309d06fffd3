"""Routing and deadlines: pure functions of their inputs, so they are easy to check by hand.

`find_route()` picks the first matching rule; `compute_deadlines()` turns the category's
working-day promises into dates with the municipality's calendar. The rules and calendars
come from `reports.config`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from weerbaar.core.calendar import WorkingDayCalendar
from weerbaar.reports.models import ReportCategory, RoutingRule


def rule_matches(
    rule: RoutingRule, category: ReportCategory, municipality_id: int, area_id: int | None
) -> bool:
    """Does `rule` apply? A rule without a category never routes a confidential category:
    undermining reports go only where a rule names their category or group, so a
    catch-all rule added for everyday reports cannot divert them."""
    if rule.category_id is None and category.is_confidential:
        return False
    if rule.category_id is not None and rule.category_id not in (
        category.pk,
        category.parent_id,
    ):
        return False
    if rule.municipality_id is not None and rule.municipality_id != municipality_id:
        return False
    return rule.area_id is None or rule.area_id == area_id


def find_route(
    rules: Iterable[RoutingRule],
    category: ReportCategory,
    municipality_id: int,
    area_id: int | None,
) -> RoutingRule | None:
    """The first rule (in the given order) that matches; None when none does."""
    for rule in rules:
        if rule_matches(rule, category, municipality_id, area_id):
            return rule
    return None


@dataclass(frozen=True)
class Deadlines:
    first_response_due: datetime.date
    feedback_due: datetime.date


def compute_deadlines(
    received_on: datetime.date, category: ReportCategory, calendar: WorkingDayCalendar
) -> Deadlines:
    return Deadlines(
        first_response_due=calendar.add_working_days(received_on, category.first_response_days),
        feedback_due=calendar.add_working_days(received_on, category.feedback_days),
    )
