"""The report configuration as data: routing rules, the category tree and the settings per
municipality, edited in the back office.

Who may change what (the permission policy decides; see `accounts.policy.RULES`):

- routing rules: MANAGE_REPORT_CONFIGURATION within the actor's scope. A rule sits where its
  municipality and area say; a rule without a municipality applies in every municipality,
  so only a scope that covers everything (the platform administrator) covers it. Municipal
  staff manage the rules of their own municipality (or, when scoped to areas, of those
  areas) and route only to organisations of that municipality or regional ones.
- settings per municipality: MANAGE_REPORT_CONFIGURATION over the whole municipality.
- categories: MANAGE_REPORT_CATEGORIES (the tree is shared by every municipality).

Every write follows the same steps: check the permission (403 without the action, 404 for an
object outside the actor's scope), validate (a `ValidationError` with a message per field;
nothing is written then), save through the model's `save()`/`delete()` inside one
transaction and record an audit entry ``reports.<thing>.<verb>``. Saving sends the signals
on which `reports.config` reloads the intake configuration, so the next report submitted
anywhere is routed by the new rules (other app servers within a second).

Field values are passed as keyword arguments named after the model fields; an unknown name
is a programming error (TypeError).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from weerbaar.accounts.models import Organisation
from weerbaar.accounts.policy import RULES, Action, Actor, Scope, require
from weerbaar.core.audit import changed_fields, record, snapshot
from weerbaar.network.models import Area, Municipality
from weerbaar.reports import config
from weerbaar.reports.models import (
    MunicipalityReportSettings,
    ReportCategory,
    RetentionMode,
    RoutingRule,
)
from weerbaar.reports.routing import Deadlines, compute_deadlines, find_route

__all__ = [
    "CATEGORY_CREATE_FIELDS",
    "CATEGORY_FIELDS",
    "MAX_PRIORITY",
    "RULE_FIELDS",
    "SETTINGS_FIELDS",
    "RouteTrace",
    "RuleCheck",
    "can_manage_rule",
    "create_category",
    "create_routing_rule",
    "delete_routing_rule",
    "manageable_municipalities",
    "manages_every_municipality",
    "reorder_routing_rules",
    "rule_areas",
    "rule_municipalities",
    "rule_organisations",
    "rules_for_actor",
    "settings_for",
    "trace_route",
    "update_category",
    "update_municipality_settings",
    "update_routing_rule",
]

RULE_FIELDS = ("priority", "category", "municipality", "area", "organisation", "team", "is_active")
CATEGORY_FIELDS = (
    "name",
    "name_en",
    "help_text",
    "help_text_en",
    "signals",
    "signals_en",
    "is_confidential",
    "first_response_days",
    "feedback_days",
    "sort_order",
    "is_active",
)
# The code and the place in the tree are fixed once a category exists: routing rules, the
# API and reports refer to it.
CATEGORY_CREATE_FIELDS = ("parent", "code", *CATEGORY_FIELDS)
SETTINGS_FIELDS = (
    "retention_days",
    "retention_mode",
    "reopen_window_days",
    "close_resolved_after_days",
    "closed_days",
)

MAX_PRIORITY = 99_999
MAX_SORT_ORDER = 9_999
# The model's validators cap the deadlines (60 and 250 working days); none may be zero.
MIN_DEADLINE_DAYS = 1
MAX_HELP_TEXT = 1_500
MAX_SIGNALS_TEXT = 2_000
MAX_CLOSED_DAYS = 100
CLOSED_DAY_YEARS = (2000, 2100)
CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")


# --- shared steps ---------------------------------------------------------------------------


def _apply(instance: models.Model, allowed: Iterable[str], values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields for {type(instance).__name__}: {sorted(unknown)}")
    for name, value in values.items():
        setattr(instance, name, value)


def _conflict() -> ValidationError:
    return ValidationError(
        _("Someone else just saved conflicting data. Check the values and try again.")
    )


def _scopes(actor: Actor) -> list[Scope]:
    return [
        scope
        for role, scope in actor.scopes.items()
        if role in RULES[Action.MANAGE_REPORT_CONFIGURATION]
    ]


def _covers_place(actor: Actor, municipality_id: int | None, area_id: int | None) -> bool:
    """Does a scope allowed to manage the configuration cover this place? A place without a
    municipality is everywhere: only an unlimited scope covers it."""
    for scope in _scopes(actor):
        if scope.everything:
            return True
        if municipality_id is not None and scope.covers(municipality_id, area_id):
            return True
    return False


def _require_place(actor: Actor, municipality_id: int | None, area_id: int | None) -> None:
    require(actor, Action.MANAGE_REPORT_CONFIGURATION)
    if _covers_place(actor, municipality_id, area_id):
        return
    if municipality_id is None:
        # Not a scope question: a rule for every municipality is the platform's own.
        raise PermissionDenied
    if any(municipality_id in scope.area_municipality_ids for scope in _scopes(actor)):
        # Staff scoped to some areas of this municipality: a fixable choice, not a secret.
        raise ValidationError(
            {"area": _("You manage some areas of this municipality only: choose one of them.")}
        )
    raise Http404


def _require_confidential_right(actor: Actor, rule: RoutingRule) -> None:
    """Routing of confidential (undermining) reports is decided by the platform
    administrators or by staff designated for confidential reports at the rule's place."""
    if rule.category is None or not rule.category.is_confidential:
        return
    if manages_every_municipality(actor):
        return
    if rule.municipality_id is not None and actor.confidential_scope.covers(
        rule.municipality_id, rule.area_id
    ):
        return
    raise ValidationError(
        {
            "category": _(
                "Only staff designated for confidential reports can route confidential categories."
            )
        }
    )


# --- routing rules: reads -------------------------------------------------------------------


def manages_every_municipality(actor: Actor) -> bool:
    """May `actor` make rules for every municipality at once (no municipality)?"""
    return _covers_place(actor, None, None)


def can_manage_rule(actor: Actor, rule: RoutingRule) -> bool:
    """May `actor` change or delete `rule`? (No query: the list asks this for every row.)"""
    return _covers_place(actor, rule.municipality_id, rule.area_id)


def rules_for_actor(
    actor: Actor, municipality: Municipality | None = None
) -> QuerySet[RoutingRule]:
    """The rules `actor` sees on the routing page: for the platform administrator all of
    them; for municipal staff the rules that can apply where they work — their
    municipalities' rules and the rules for every municipality (read-only for them), so the
    order in which rules are tried is visible. `municipality` narrows the list to the rules
    that can apply there. Inactive rules are included."""
    scopes = _scopes(actor)
    rules = RoutingRule.objects.select_related(
        "category__parent", "municipality", "area", "organisation"
    ).order_by("priority", "id")
    if not scopes:
        return rules.none()
    if not any(scope.everything for scope in scopes):
        municipality_ids: set[int] = set()
        for scope in scopes:
            municipality_ids |= scope.municipality_ids | scope.area_municipality_ids
        rules = rules.filter(Q(municipality__isnull=True) | Q(municipality__in=municipality_ids))
    if municipality is not None:
        rules = rules.filter(Q(municipality__isnull=True) | Q(municipality=municipality))
    return rules


def manageable_municipalities(actor: Actor) -> QuerySet[Municipality]:
    """Municipalities whose settings `actor` may change (the whole municipality in scope)."""
    scopes = _scopes(actor)
    if any(scope.everything for scope in scopes):
        return Municipality.objects.all()
    ids: set[int] = set()
    for scope in scopes:
        ids |= scope.municipality_ids
    return Municipality.objects.filter(pk__in=ids)


def rule_municipalities(actor: Actor) -> QuerySet[Municipality]:
    """Municipalities `actor` may make rules for (or test routes in): whole municipalities
    in scope and those holding an area in scope."""
    scopes = _scopes(actor)
    if any(scope.everything for scope in scopes):
        return Municipality.objects.all()
    ids: set[int] = set()
    for scope in scopes:
        ids |= scope.municipality_ids | scope.area_municipality_ids
    return Municipality.objects.filter(pk__in=ids)


def rule_areas(actor: Actor) -> QuerySet[Area]:
    """Areas `actor` may make rules for."""
    scopes = _scopes(actor)
    areas = Area.objects.select_related("municipality").order_by("municipality__name", "name")
    if any(scope.everything for scope in scopes):
        return areas
    municipality_ids: set[int] = set()
    area_ids: set[int] = set()
    for scope in scopes:
        municipality_ids |= scope.municipality_ids
        area_ids |= scope.area_ids
    return areas.filter(Q(municipality__in=municipality_ids) | Q(pk__in=area_ids))


def rule_organisations(actor: Actor) -> QuerySet[Organisation]:
    """Organisations `actor` may route to: regional ones and those of their municipalities
    (the rule's own municipality is checked when it is saved)."""
    organisations = Organisation.objects.select_related("municipality").order_by("name")
    if any(scope.everything for scope in _scopes(actor)):
        return organisations
    return organisations.filter(
        Q(municipality__isnull=True) | Q(municipality__in=rule_municipalities(actor))
    )


# --- routing rules: writes ------------------------------------------------------------------


def _check_rule(rule: RoutingRule) -> None:
    errors: dict[str, str] = {}
    if rule.priority is not None and not 0 <= rule.priority <= MAX_PRIORITY:
        errors["priority"] = _("Enter a priority from 0 to %(max)s.") % {"max": MAX_PRIORITY}
    area = rule.area
    if (
        area is not None
        and rule.municipality_id is not None
        and area.municipality_id != rule.municipality_id
    ):
        errors["area"] = _("This area is not in the chosen municipality.")
    organisation = rule.organisation if rule.organisation_id is not None else None
    if organisation is not None and organisation.municipality_id is not None:
        if rule.municipality_id is None:
            errors["organisation"] = _(
                "A rule for every municipality needs a regional organisation; %(name)s works "
                "for one municipality. Choose a municipality for the rule or another "
                "organisation."
            ) % {"name": organisation.name}
        elif organisation.municipality_id != rule.municipality_id:
            errors["organisation"] = _(
                "%(name)s works for another municipality. Choose an organisation of this "
                "municipality or a regional one."
            ) % {"name": organisation.name}
    if errors:
        raise ValidationError(errors)


def _prepare_rule(rule: RoutingRule, values: Mapping[str, Any]) -> None:
    _apply(rule, RULE_FIELDS, values)
    rule.team = (rule.team or "").strip()
    # An area lies in one municipality: a rule for an area is a rule in that municipality,
    # which is also what puts it in the scope of that municipality's staff.
    if rule.area is not None and rule.municipality_id is None:
        rule.municipality = rule.area.municipality


def _save_rule(actor: Actor, rule: RoutingRule, action: str, changes: dict[str, Any]) -> None:
    _check_rule(rule)
    rule.full_clean()
    try:
        with transaction.atomic():
            rule.save()
            record(actor.account, action, rule, changes)
    except IntegrityError as error:
        raise _conflict() from error


def create_routing_rule(actor: Actor, **values: Any) -> RoutingRule:
    """Add a routing rule. Who: MANAGE_REPORT_CONFIGURATION for the rule's place (a rule
    without a municipality: the platform administrator only). Guarantees: the area lies in
    the rule's municipality and the organisation works there (or regionally)."""
    require(actor, Action.MANAGE_REPORT_CONFIGURATION)
    rule = RoutingRule()
    _prepare_rule(rule, values)
    _require_place(actor, rule.municipality_id, rule.area_id)
    _require_confidential_right(actor, rule)
    _save_rule(
        actor, rule, "reports.routing_rule.create", changed_fields(rule, dict.fromkeys(RULE_FIELDS))
    )
    return rule


def update_routing_rule(actor: Actor, rule: RoutingRule, **values: Any) -> RoutingRule:
    """Change a routing rule. Who: MANAGE_REPORT_CONFIGURATION for the rule's place before
    and after the change. Guarantees as `create_routing_rule`."""
    require(actor, Action.MANAGE_REPORT_CONFIGURATION, rule)
    _require_confidential_right(actor, rule)
    before = snapshot(rule, list(RULE_FIELDS))
    _prepare_rule(rule, values)
    _require_place(actor, rule.municipality_id, rule.area_id)
    _require_confidential_right(actor, rule)
    _save_rule(actor, rule, "reports.routing_rule.update", changed_fields(rule, before))
    return rule


def delete_routing_rule(actor: Actor, rule: RoutingRule) -> None:
    """Delete a routing rule (reports keep the organisation they were routed to).
    Who: MANAGE_REPORT_CONFIGURATION for the rule's place."""
    require(actor, Action.MANAGE_REPORT_CONFIGURATION, rule)
    _require_confidential_right(actor, rule)
    # What the rule said, so the audit log can tell what routing was lost.
    changes = {
        name: [str(value) if isinstance(value, models.Model) else value, None]
        for name, value in snapshot(rule, list(RULE_FIELDS)).items()
        if value not in (None, "")
    }
    with transaction.atomic():
        record(actor.account, "reports.routing_rule.delete", rule, changes)
        rule.delete()


def reorder_routing_rules(actor: Actor, priorities: Mapping[int, Any]) -> int:
    """Give several rules a new priority at once (the routing page's order column).

    `priorities` maps rule ids to the new priority. Who: MANAGE_REPORT_CONFIGURATION for
    every rule named; a rule outside the actor's scope answers 404. Either all priorities
    are valid and saved, or a ValidationError names each wrong one (keyed by rule id) and
    nothing is written. Returns the number of rules whose priority changed."""
    require(actor, Action.MANAGE_REPORT_CONFIGURATION)
    rules = {rule.pk: rule for rule in RoutingRule.objects.filter(pk__in=list(priorities))}
    if set(rules) != set(priorities):
        raise Http404
    errors: dict[str, str] = {}
    for pk, value in priorities.items():
        if not can_manage_rule(actor, rules[pk]):
            raise Http404
        if isinstance(value, bool) or not isinstance(value, int):
            errors[str(pk)] = _("Enter a whole number.")
        elif not 0 <= value <= MAX_PRIORITY:
            errors[str(pk)] = _("Enter a priority from 0 to %(max)s.") % {"max": MAX_PRIORITY}
    if errors:
        raise ValidationError(errors)
    changed = 0
    with transaction.atomic():
        for pk, value in priorities.items():
            rule = rules[pk]
            if rule.priority == value:
                continue
            old = rule.priority
            rule.priority = value
            rule.save(update_fields=["priority"])
            record(actor.account, "reports.routing_rule.reorder", rule, {"priority": [old, value]})
            changed += 1
    return changed


# --- routing rules: the "which rule wins?" tool ---------------------------------------------


@dataclass(frozen=True)
class RuleCheck:
    """One active rule as the intake would try it. `reasons` says why it does not match;
    `tried` is False for rules after the winner. The labels describe the rule's conditions
    ("" for a condition the rule does not set)."""

    rule: RoutingRule
    matches: bool
    tried: bool
    reasons: tuple[str, ...]
    category_label: str
    area_name: str


@dataclass(frozen=True)
class RouteTrace:
    winner: RoutingRule | None
    checks: tuple[RuleCheck, ...]
    deadlines: Deadlines


def _mismatches(
    rule: RoutingRule,
    category: ReportCategory,
    area: Area | None,
    category_label: str,
    area_name: str,
) -> tuple[str, ...]:
    # The same conditions as `routing.rule_matches`, each with its reason. The caller passes
    # only the rules of the municipality and the rules for every municipality.
    reasons: list[str] = []
    if rule.category_id is None and category.is_confidential:
        reasons.append(
            _(
                "Category: a rule for all categories never routes confidential reports; "
                "they need a rule that names their category or group."
            )
        )
    if rule.category_id is not None and rule.category_id not in (category.pk, category.parent_id):
        reasons.append(
            _("Category: the rule is for %(category)s only.") % {"category": category_label}
        )
    if rule.area_id is not None and area is None:
        reasons.append(
            _("Area: no area was given, the rule is for %(area)s only.") % {"area": area_name}
        )
    elif rule.area_id is not None and area is not None and rule.area_id != area.pk:
        reasons.append(_("Area: the rule is for %(area)s only.") % {"area": area_name})
    return tuple(reasons)


def trace_route(
    category: ReportCategory,
    municipality: Municipality,
    area: Area | None,
    received_on: datetime.date,
) -> RouteTrace:
    """Which rule would route a report of `category` in `municipality` (and `area`) received
    now, and why: the intake's own configuration (`reports.config`) and `routing.find_route`
    logic, each rule with the reason it does or does not match, and the deadlines the report
    would get. A read: callers check MANAGE_REPORT_CONFIGURATION for the municipality."""
    configuration = config.current()
    rules = configuration.rules_for(municipality.pk)
    winner = find_route(rules, category, municipality.pk, area.pk if area else None)
    area_names = dict(
        Area.objects.filter(pk__in={r.area_id for r in rules if r.area_id}).values_list(
            "pk", "name"
        )
    )
    checks: list[RuleCheck] = []
    tried = True
    for rule in rules:
        rule_category = configuration.categories.get(rule.category_id or 0)
        category_label = rule_category.label if rule_category else ""
        area_name = area_names.get(rule.area_id or 0, "")
        reasons = _mismatches(rule, category, area, category_label, area_name)
        checks.append(
            RuleCheck(
                rule=rule,
                matches=not reasons,
                tried=tried,
                reasons=reasons,
                category_label=category_label,
                area_name=area_name,
            )
        )
        if rule is winner:
            tried = False
    deadlines = compute_deadlines(
        received_on, category, configuration.calendar_for(municipality.pk)
    )
    return RouteTrace(winner=winner, checks=tuple(checks), deadlines=deadlines)


# --- categories -----------------------------------------------------------------------------


def _check_category(category: ReportCategory) -> None:
    errors: dict[str, str] = {}
    first, feedback = category.first_response_days, category.feedback_days
    if first is not None and first < MIN_DEADLINE_DAYS:
        errors["first_response_days"] = _("A deadline is at least one working day.")
    if feedback is not None and feedback < MIN_DEADLINE_DAYS:
        errors["feedback_days"] = _("A deadline is at least one working day.")
    elif first is not None and feedback is not None and feedback < first:
        errors["feedback_days"] = _(
            "Feedback cannot be due before the first response: enter at least %(days)s."
        ) % {"days": first}
    if category.sort_order is not None and category.sort_order > MAX_SORT_ORDER:
        errors["sort_order"] = _("Enter a number from 0 to %(max)s.") % {"max": MAX_SORT_ORDER}
    for name in ("help_text", "help_text_en"):
        if len(getattr(category, name)) > MAX_HELP_TEXT:
            errors[name] = _("Keep the help text under %(max)s characters.") % {
                "max": MAX_HELP_TEXT
            }
    for name in ("signals", "signals_en"):
        if len(getattr(category, name)) > MAX_SIGNALS_TEXT:
            errors[name] = _("Keep the signals under %(max)s characters.") % {
                "max": MAX_SIGNALS_TEXT
            }
    if errors:
        raise ValidationError(errors)


def _tidy_category(category: ReportCategory) -> None:
    for name in ("name", "name_en", "help_text", "help_text_en"):
        setattr(category, name, (getattr(category, name) or "").strip())
    for name in ("signals", "signals_en"):
        lines = (getattr(category, name) or "").splitlines()
        setattr(category, name, "\n".join(line.strip() for line in lines if line.strip()))


def _save_category(
    actor: Actor,
    category: ReportCategory,
    action: str,
    changes: dict[str, Any],
    cascade: list[ReportCategory],
) -> None:
    _check_category(category)
    category.full_clean()
    try:
        with transaction.atomic():
            category.save()
            record(actor.account, action, category, changes)
            for child in cascade:
                old = child.is_active
                child.is_active = category.is_active
                child.save(update_fields=["is_active"])
                record(
                    actor.account,
                    "reports.category.update",
                    child,
                    {"is_active": [old, child.is_active], "with_group": category.code},
                )
    except IntegrityError as error:
        raise _conflict() from error


def create_category(actor: Actor, **values: Any) -> ReportCategory:
    """Add a category to a group, or a new group (no parent). Who: MANAGE_REPORT_CATEGORIES.
    Guarantees: the code is new; the tree stays two levels deep; an active category is
    never placed in a deactivated group."""
    require(actor, Action.MANAGE_REPORT_CATEGORIES)
    category = ReportCategory()
    _apply(category, CATEGORY_CREATE_FIELDS, values)
    category.code = (category.code or "").strip().lower()
    _tidy_category(category)
    errors: dict[str, str] = {}
    if category.code and not CODE_PATTERN.match(category.code):
        errors["code"] = _(
            "Use lower-case letters, digits and underscores only, for example “bicycle_theft”."
        )
    elif category.code and ReportCategory.objects.filter(code__iexact=category.code).exists():
        errors["code"] = _("The code %(code)s is already used by another category.") % {
            "code": category.code
        }
    parent = category.parent
    if parent is not None and parent.parent_id is not None:
        errors["parent"] = _(
            "%(name)s is itself a category of a group. Choose a group (the tree has two levels)."
        ) % {"name": parent.label}
    elif parent is not None and category.is_active and not parent.is_active:
        errors["is_active"] = _(
            "The group %(group)s is deactivated. Activate the group first, or add this "
            "category as inactive."
        ) % {"group": parent.label}
    if errors:
        raise ValidationError(errors)
    _save_category(
        actor,
        category,
        "reports.category.create",
        changed_fields(category, dict.fromkeys(CATEGORY_CREATE_FIELDS)),
        [],
    )
    return category


def update_category(actor: Actor, category: ReportCategory, **values: Any) -> ReportCategory:
    """Change a category's texts, signals, deadlines, confidentiality, order or activity.
    Who: MANAGE_REPORT_CATEGORIES. Categories are never deleted (reports keep theirs).

    Guarantees about what reporters can choose (a group with categories is never itself a
    choice): deactivating a group deactivates its categories, activating it activates them
    again; a category cannot be activated in a deactivated group; the last active category
    of an active group cannot be deactivated. Confidentiality and deadlines apply to reports
    submitted from now on."""
    require(actor, Action.MANAGE_REPORT_CATEGORIES)
    before = snapshot(category, list(CATEGORY_FIELDS))
    _apply(category, CATEGORY_FIELDS, values)
    _tidy_category(category)
    cascade: list[ReportCategory] = []
    if category.is_active != before["is_active"]:
        cascade = _activity_cascade(category)
    changes = changed_fields(category, before)
    if cascade:
        changes["categories"] = [child.code for child in cascade]
    _save_category(actor, category, "reports.category.update", changes, cascade)
    return category


def _activity_cascade(category: ReportCategory) -> list[ReportCategory]:
    """The categories whose activity changes with `category`'s (a group), or a
    ValidationError when the change would leave the tree in a state reporters should not
    see."""
    if category.parent_id is None:
        return list(category.children.exclude(is_active=category.is_active))
    parent = category.parent
    assert parent is not None
    if category.is_active and not parent.is_active:
        raise ValidationError(
            {
                "is_active": _("The group %(group)s is deactivated. Activate the group first.")
                % {"group": parent.label}
            }
        )
    if not category.is_active and parent.is_active:
        others = parent.children.filter(is_active=True).exclude(pk=category.pk)
        if not others.exists():
            raise ValidationError(
                {
                    "is_active": _(
                        "This is the last active category of %(group)s; without it reporters "
                        "would choose the group itself. Deactivate the group instead."
                    )
                    % {"group": parent.label}
                }
            )
    return []


# --- settings per municipality --------------------------------------------------------------


def settings_for(municipality: Municipality) -> MunicipalityReportSettings:
    """The municipality's settings; the defaults (unsaved) when it has none yet."""
    existing = MunicipalityReportSettings.objects.filter(municipality=municipality).first()
    return existing or MunicipalityReportSettings(municipality=municipality)


def _closed_days(value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        raise ValidationError(
            {"closed_days": _("Enter the closed days as dates in the form YYYY-MM-DD.")}
        )
    days: set[datetime.date] = set()
    for item in value:
        try:
            day = (
                item
                if isinstance(item, datetime.date)
                else datetime.date.fromisoformat(str(item).strip())
            )
        except ValueError:
            raise ValidationError(
                {
                    "closed_days": _("“%(value)s” is not a date in the form YYYY-MM-DD.")
                    % {"value": str(item)[:20]}
                }
            ) from None
        if not CLOSED_DAY_YEARS[0] <= day.year <= CLOSED_DAY_YEARS[1]:
            raise ValidationError(
                {
                    "closed_days": _("%(value)s is not a date between %(first)s and %(last)s.")
                    % {
                        "value": day.isoformat(),
                        "first": CLOSED_DAY_YEARS[0],
                        "last": CLOSED_DAY_YEARS[1],
                    }
                }
            )
        days.add(day)
    if len(days) > MAX_CLOSED_DAYS:
        raise ValidationError(
            {"closed_days": _("Enter at most %(max)s closed days.") % {"max": MAX_CLOSED_DAYS}}
        )
    return [day.isoformat() for day in sorted(days)]


def update_municipality_settings(
    actor: Actor, municipality: Municipality, **values: Any
) -> MunicipalityReportSettings:
    """Set a municipality's retention period and mode, reopen window, the period after
    which resolved reports without a verdict close, and its extra closed days (they move
    deadlines). Creates the settings on first use. Who: MANAGE_REPORT_CONFIGURATION over the
    whole municipality (404 otherwise). Guarantees: closed days are valid dates, sorted and
    unique; every number within the model's limits."""
    require(actor, Action.MANAGE_REPORT_CONFIGURATION)
    if not any(
        scope.everything or municipality.pk in scope.municipality_ids for scope in _scopes(actor)
    ):
        raise Http404
    report_settings = settings_for(municipality)
    if report_settings.pk is not None:
        require(actor, Action.MANAGE_REPORT_CONFIGURATION, report_settings)
    before = snapshot(report_settings, list(SETTINGS_FIELDS))
    _apply(report_settings, SETTINGS_FIELDS, values)
    if "closed_days" in values:
        report_settings.closed_days = _closed_days(values["closed_days"])
    if report_settings.retention_mode not in RetentionMode.values:
        raise ValidationError({"retention_mode": _("Choose one of the options in the list.")})
    report_settings.full_clean()
    try:
        with transaction.atomic():
            report_settings.save()
            record(
                actor.account,
                "reports.municipality_settings.update",
                report_settings,
                changed_fields(report_settings, before),
            )
    except IntegrityError as error:
        raise _conflict() from error
    return report_settings
