"""The permission policy: one place that decides who may see and do what.

An `Actor` is the request's user with its roles and, per role, its scope (which
municipalities and areas it covers). `RULES` maps every action to the roles that may take
it. An object is in scope when its municipality or area is covered by the scope of one of
the actor's roles that the action allows. Views, API and services ask `can()`, `require()`
and `scope_queryset()`; nothing else decides access.

Status codes: an anonymous visitor is sent to log in; a logged-in user without the action
gets 403; an object outside the user's scope answers 404, so its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from weerbaar.accounts.models import STAFF_ROLES, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from weerbaar.accounts.models import User


class Action(StrEnum):
    ACCESS_BACK_OFFICE = "core.access_back_office"
    VIEW_AUDIT_LOG = "core.view_audit_log"
    VIEW_MUNICIPALITY = "network.view_municipality"
    MANAGE_MUNICIPALITY = "network.manage_municipality"
    VIEW_AREA = "network.view_area"
    MANAGE_AREA = "network.manage_area"
    VIEW_BUSINESS = "network.view_business"
    MANAGE_BUSINESS = "network.manage_business"
    IMPORT_BUSINESSES = "network.import_businesses"
    VIEW_PERSON = "network.view_person"
    MANAGE_PERSON = "network.manage_person"
    MANAGE_AREA_NETWORK = "network.manage_area_network"  # ambassadors and area contacts
    VIEW_ORGANISATION = "accounts.view_organisation"
    MANAGE_ORGANISATION = "accounts.manage_organisation"
    USE_PORTAL = "network.use_portal"
    VIEW_AMBASSADOR_AREA = "network.view_ambassador_area"
    VIEW_REPORT = "reports.view_report"
    HANDLE_REPORT = "reports.handle_report"
    SUBMIT_REPORT_ON_BEHALF = "reports.submit_report_on_behalf"
    # Routing rules and report settings; municipal staff for their own municipality.
    MANAGE_REPORT_CONFIGURATION = "reports.manage_configuration"
    # The category tree is shared by every municipality: platform administrators only.
    MANAGE_REPORT_CATEGORIES = "reports.manage_categories"
    VIEW_ALERTS = "alerts.view_alerts"
    # Ambassadors compose for their own areas; what they write always waits for staff.
    COMPOSE_ALERT = "alerts.compose_alert"
    APPROVE_ALERT = "alerts.approve_alert"
    MANAGE_ALERT_SETTINGS = "alerts.manage_settings"
    VIEW_NEWSLETTERS = "newsletters.view_newsletters"
    # Segments, composing, tests, scheduling and sending.
    COMPOSE_NEWSLETTER = "newsletters.compose_newsletter"


R = Role
_STAFF = {R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF, R.POLICE, R.PARTNER_EXPERT}

RULES: dict[Action, frozenset[Role]] = {
    Action.ACCESS_BACK_OFFICE: frozenset(_STAFF),
    Action.VIEW_AUDIT_LOG: frozenset({R.PLATFORM_ADMIN}),
    Action.VIEW_MUNICIPALITY: frozenset(_STAFF),
    Action.MANAGE_MUNICIPALITY: frozenset({R.PLATFORM_ADMIN}),
    Action.VIEW_AREA: frozenset(_STAFF),
    Action.MANAGE_AREA: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF}),
    Action.VIEW_BUSINESS: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF, R.POLICE}),
    Action.MANAGE_BUSINESS: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF}),
    Action.IMPORT_BUSINESSES: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF}),
    Action.VIEW_PERSON: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF, R.POLICE}),
    Action.MANAGE_PERSON: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF}),
    Action.MANAGE_AREA_NETWORK: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF}),
    Action.VIEW_ORGANISATION: frozenset(_STAFF),
    Action.MANAGE_ORGANISATION: frozenset({R.PLATFORM_ADMIN}),
    Action.USE_PORTAL: frozenset({R.ENTREPRENEUR, R.AMBASSADOR}),
    Action.VIEW_AMBASSADOR_AREA: frozenset({R.AMBASSADOR}),
    Action.VIEW_REPORT: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF, R.POLICE}),
    Action.HANDLE_REPORT: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF, R.POLICE}),
    Action.SUBMIT_REPORT_ON_BEHALF: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF, R.POLICE}),
    Action.MANAGE_REPORT_CONFIGURATION: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF}),
    Action.MANAGE_REPORT_CATEGORIES: frozenset({R.PLATFORM_ADMIN}),
    Action.VIEW_ALERTS: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF, R.POLICE}),
    Action.COMPOSE_ALERT: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF, R.POLICE, R.AMBASSADOR}),
    Action.APPROVE_ALERT: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF, R.POLICE}),
    Action.MANAGE_ALERT_SETTINGS: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF}),
    Action.VIEW_NEWSLETTERS: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF}),
    Action.COMPOSE_NEWSLETTER: frozenset({R.PLATFORM_ADMIN, R.MUNICIPAL_STAFF}),
}


@dataclass(frozen=True)
class Scope:
    """What one role of an actor covers."""

    everything: bool = False
    municipality_ids: frozenset[int] = frozenset()
    area_ids: frozenset[int] = frozenset()
    # Municipalities that contain a covered area: lets an area-scoped officer see the
    # municipality the area belongs to (but not its other areas).
    area_municipality_ids: frozenset[int] = frozenset()

    def covers(self, municipality_id: int | None, area_id: int | None) -> bool:
        if self.everything:
            return True
        if municipality_id is not None and municipality_id in self.municipality_ids:
            return True
        return area_id is not None and area_id in self.area_ids

    def merged(self, other: Scope) -> Scope:
        return Scope(
            everything=self.everything or other.everything,
            municipality_ids=self.municipality_ids | other.municipality_ids,
            area_ids=self.area_ids | other.area_ids,
            area_municipality_ids=self.area_municipality_ids | other.area_municipality_ids,
        )


@dataclass(frozen=True)
class Actor:
    user: User | AnonymousUser
    scopes: dict[Role, Scope] = field(default_factory=dict)
    business_ids: frozenset[int] = frozenset()
    # Where the actor is designated to see confidential reports (see CONFIDENTIAL_FLAGS).
    confidential_scope: Scope = field(default_factory=Scope)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(self.scopes)

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user.is_authenticated)

    @property
    def account(self) -> User | None:
        """The logged-in user, or None for an anonymous visitor (what an audit entry or an
        author field records)."""
        from weerbaar.accounts.models import User

        return self.user if isinstance(self.user, User) and self.user.pk else None

    @property
    def covers_whole_network(self) -> bool:
        """Whether one of the actor's roles covers every municipality (a platform
        administrator): only such an actor may address the whole network."""
        return any(scope.everything for scope in self.scopes.values())

    @property
    def is_staff_member(self) -> bool:
        return any(role in self.scopes for role in STAFF_ROLES)

    def has_role(self, role: Role) -> bool:
        return role in self.scopes


def actor_for(user: User | AnonymousUser) -> Actor:
    """Build the actor for `user` (a few queries; cached on the user object)."""
    cached = getattr(user, "_weerbaar_actor", None)
    if cached is not None:
        return cached
    actor = _build_actor(user)
    if user.is_authenticated:
        setattr(user, "_weerbaar_actor", actor)  # noqa: B010 - a per-request cache on the user
    return actor


def forget_actor(user: Any) -> None:
    """Drop the cached actor (after memberships or links change within a request)."""
    if hasattr(user, "_weerbaar_actor"):
        del user._weerbaar_actor


def _build_actor(user: User | AnonymousUser) -> Actor:
    if not user.is_authenticated or not user.is_active:
        return Actor(user=user)
    from weerbaar.network.models import Ambassador, Area, BusinessPerson

    scopes: dict[Role, Scope] = {}
    confidential_scope = Scope()
    memberships = user.memberships.filter(is_active=True).prefetch_related(
        "municipalities", "areas"
    )
    for membership in memberships:
        role = Role(membership.role)
        area_ids = frozenset(area.pk for area in membership.areas.all())
        scope = Scope(
            everything=role == Role.PLATFORM_ADMIN,
            municipality_ids=frozenset(m.pk for m in membership.municipalities.all()),
            area_ids=area_ids,
            area_municipality_ids=frozenset(a.municipality_id for a in membership.areas.all()),
        )
        scopes[role] = scopes[role].merged(scope) if role in scopes else scope
        if membership.handles_confidential_reports and role in CONFIDENTIAL_ROLES:
            confidential_scope = confidential_scope.merged(scope)

    business_ids = frozenset(
        BusinessPerson.objects.filter(person=user, business__is_active=True).values_list(
            "business_id", flat=True
        )
    )
    if business_ids:
        scopes[Role.ENTREPRENEUR] = Scope()
    ambassador_area_ids = frozenset(
        Ambassador.objects.filter(person=user, is_active=True).values_list("area_id", flat=True)
    )
    if ambassador_area_ids:
        scopes[Role.AMBASSADOR] = Scope(
            area_ids=ambassador_area_ids,
            area_municipality_ids=frozenset(
                Area.objects.filter(pk__in=ambassador_area_ids).values_list(
                    "municipality_id", flat=True
                )
            ),
        )
    return Actor(
        user=user,
        scopes=scopes,
        business_ids=business_ids,
        confidential_scope=confidential_scope,
    )


# --- where an object sits: (municipality id, area id) pairs -------------------------------

# Per model: ORM paths to the municipality and the area of a row. Used both for single
# objects and to filter querysets, so the two can never disagree.
SCOPE_PATHS: dict[str, tuple[str | None, str | None]] = {
    "network.municipality": ("id", None),
    "network.area": ("municipality_id", "id"),
    "network.business": ("municipality_id", "area_id"),
    "network.ambassador": ("area__municipality_id", "area_id"),
    "network.areacontact": ("area__municipality_id", "area_id"),
    "network.businessimport": ("municipality_id", None),
    "accounts.organisation": ("municipality_id", None),
    "reports.report": ("municipality_id", "area_id"),
    # A rule without a municipality (and area) applies everywhere: no scope but
    # the platform administrator's covers it.
    "reports.routingrule": ("municipality_id", "area_id"),
    "reports.municipalityreportsettings": ("municipality_id", None),
    # A platform-wide alert (no municipality) is in no scope but the administrator's.
    "alerts.alert": ("municipality_id", "target_areas__id"),
    "alerts.alertsettings": ("municipality_id", None),
    # Platform-wide newsletters and segments (no municipality): the administrator's only.
    "newsletters.newsletter": ("municipality_id", None),
    "newsletters.segment": ("municipality_id", None),
    "accounts.user": (
        "business_links__business__municipality_id",
        "business_links__business__area_id",
    ),
}


# Models with confidential rows: a confidential row is in scope only where the actor is
# designated for confidential matters too (the membership flag), whatever the role.
CONFIDENTIAL_FLAGS: dict[str, str] = {"reports.report": "is_confidential"}
CONFIDENTIAL_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.MUNICIPAL_STAFF, Role.POLICE})


def _full_scope_q(actor: Actor, model: type[models.Model], scope: Scope) -> Q:
    q = _scope_q(model, scope)
    flag = CONFIDENTIAL_FLAGS.get(model._meta.label_lower)
    if flag is None:
        return q
    confidential = actor.confidential_scope
    if confidential.everything:
        # Not left to the OR below: `Q(...) | Q()` drops the empty Q instead of matching all.
        return q
    if not (confidential.municipality_ids or confidential.area_ids):
        return q & Q(**{flag: False})
    # Covered by the designation scope, and by a scope of a role allowed the action.
    return q & (Q(**{flag: False}) | _scope_q(model, confidential))


def _scope_q(model: type[models.Model], scope: Scope) -> Q:
    if scope.everything:
        return Q()
    label = model._meta.label_lower
    municipality_path, area_path = SCOPE_PATHS[label]
    q = Q(pk__in=[])
    if municipality_path:
        q |= Q(**{f"{municipality_path}__in": scope.municipality_ids})
    if area_path:
        q |= Q(**{f"{area_path}__in": scope.area_ids})
    if label == "network.municipality":
        q |= Q(id__in=scope.area_municipality_ids)
    if label == "accounts.organisation":
        q |= Q(municipality__isnull=True)  # regional partners are visible to all staff
    return q


def _allowed_scopes(actor: Actor, action: Action) -> list[Scope]:
    return [scope for role, scope in actor.scopes.items() if role in RULES[action]]


def can(actor: Actor, action: Action, obj: models.Model | None = None) -> bool:
    """May `actor` take `action` (on `obj`, when given)?"""
    scopes = _allowed_scopes(actor, action)
    if not scopes:
        return False
    if obj is None:
        return True
    return _in_scope(actor, scopes, obj)


def _in_scope(actor: Actor, scopes: Iterable[Scope], obj: models.Model) -> bool:
    scopes = list(scopes)
    label = obj._meta.label_lower
    flag = CONFIDENTIAL_FLAGS.get(label)
    if flag is not None and getattr(obj, flag):
        merged = Scope()
        for scope in scopes:
            merged = merged.merged(scope)
        municipality_path, area_path = SCOPE_PATHS[label]
        location = (
            getattr(obj, municipality_path) if municipality_path else None,
            getattr(obj, area_path) if area_path else None,
        )
        return merged.covers(*location) and actor.confidential_scope.covers(*location)
    if any(scope.everything for scope in scopes):
        return True
    if label == "network.business" and obj.pk in actor.business_ids:
        return True
    if label not in SCOPE_PATHS:
        return False
    merged = Scope()
    for scope in scopes:
        merged = merged.merged(scope)
    return type(obj)._default_manager.filter(pk=obj.pk).filter(_scope_q(type(obj), merged)).exists()


def covers_municipality(actor: Actor, action: Action, municipality: models.Model) -> bool:
    """Does a role allowed `action` cover the whole of `municipality` (not just an area in
    it)? For acting on everyone in a municipality, such as alerting all its businesses."""
    return any(
        scope.everything or municipality.pk in scope.municipality_ids
        for scope in _allowed_scopes(actor, action)
    )


def scope_queryset[M: models.Model](
    actor: Actor, action: Action, queryset: models.QuerySet[M]
) -> models.QuerySet[M]:
    """Rows of `queryset` on which `actor` may take `action` (none when not allowed)."""
    scopes = _allowed_scopes(actor, action)
    if not scopes:
        return queryset.none()
    merged = Scope()
    for scope in scopes:
        merged = merged.merged(scope)
    if merged.everything and queryset.model._meta.label_lower not in CONFIDENTIAL_FLAGS:
        return queryset
    q = _full_scope_q(actor, queryset.model, merged)
    if queryset.model._meta.label_lower == "accounts.user":
        return queryset.filter(q).distinct()
    return queryset.filter(q)


def require(actor: Actor, action: Action, obj: models.Model | None = None) -> None:
    """Raise PermissionDenied (403) without the action, Http404 for an object out of scope."""
    scopes = _allowed_scopes(actor, action)
    if not scopes:
        raise PermissionDenied
    if obj is not None and not _in_scope(actor, scopes, obj):
        raise Http404


def second_factor_satisfied(user: Any) -> bool:
    """Staff must have passed TOTP in this session (demo accounts may be exempt)."""
    if settings.ALLOW_SECOND_FACTOR_EXEMPTION and getattr(user, "second_factor_exempt", False):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())
