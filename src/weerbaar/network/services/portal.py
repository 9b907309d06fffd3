"""The entrepreneur portal: consents, the own profile and the own businesses.

Consent is the one thing every other module asks about: call `has_consent(user, purpose)`
before sending an alert, a newsletter or an invitation, or before showing a contact to an
ambassador, and filter recipients with `consented_person_ids(purpose)`. Withdrawal takes
effect immediately and everywhere, because nothing caches consent.

Writes take the `Actor` of the person themself: a person manages only their own consents,
profile and businesses. Each write checks, changes inside one transaction and records an
audit entry; a write that changes nothing records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.dispatch import Signal
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.accounts.models import Role, User
from weerbaar.accounts.policy import Action, Actor, require
from weerbaar.core.audit import changed_fields, record, snapshot
from weerbaar.network.models import (
    Ambassador,
    Area,
    AreaContact,
    Business,
    BusinessPerson,
    Consent,
    ConsentPurpose,
)
from weerbaar.network.notifications import welcome_new_member

__all__ = [
    "EDITABLE_BUSINESS_FIELDS",
    "EDITABLE_PROFILE_FIELDS",
    "AmbassadorArea",
    "AmbassadorRow",
    "AreaNetwork",
    "ConfirmationRequired",
    "ConsentError",
    "PortalOverview",
    "active_consents",
    "ambassador_areas",
    "consented_person_ids",
    "give_consent",
    "has_consent",
    "portal_overview",
    "update_own_business",
    "update_profile",
    "withdraw_consent",
]

EDITABLE_PROFILE_FIELDS = ("full_name", "phone", "preferred_language")
EDITABLE_BUSINESS_FIELDS = ("name", "phone", "email", "website", "employee_count")


# Sent inside the transaction that withdraws consents: person=User, purposes=[str]. The
# alerts app cancels the messages still waiting for that person.
consents_withdrawn = Signal()


class ConsentError(Exception):
    """A consent change that is not allowed; `message` is shown to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfirmationRequired(ConsentError):
    """Withdrawing network membership needs an explicit confirmation."""


# --- reads: ask these before using someone's details ---------------------------------------


def has_consent(user: Any, purpose: ConsentPurpose | str) -> bool:
    """Has `user` an active (not withdrawn) consent for `purpose`? False for anonymous."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.pk:
        return False
    return Consent.objects.filter(
        person_id=user.pk, purpose=purpose, withdrawn_at__isnull=True
    ).exists()


def consented_person_ids(purpose: ConsentPurpose | str) -> QuerySet[Consent, int]:
    """Ids of the people with an active consent for `purpose`, for `filter(pk__in=...)`."""
    return Consent.objects.filter(purpose=purpose, withdrawn_at__isnull=True).values_list(
        "person_id", flat=True
    )


def active_consents(user: User) -> dict[str, Consent]:
    """The person's active consents by purpose (one query)."""
    return {
        consent.purpose: consent
        for consent in Consent.objects.filter(person=user, withdrawn_at__isnull=True)
    }


# --- writes ------------------------------------------------------------------------------


def _person(actor: Actor) -> User:
    if not actor.is_authenticated:
        raise ConsentError(_("Log in to manage your consents."))
    user = actor.user
    assert isinstance(user, User)
    return user


def _lock(user: User) -> None:
    """Serialise consent changes of one person (two tabs, a double click)."""
    User.objects.select_for_update().filter(pk=user.pk).first()


def give_consent(actor: Actor, purpose: ConsentPurpose | str) -> Consent:
    """Give consent for `purpose` as the logged-in person. Idempotent: an active consent is
    returned unchanged. Other purposes need network membership first (ConsentError)."""
    purpose = ConsentPurpose(purpose)
    user = _person(actor)
    with transaction.atomic():
        _lock(user)
        active = active_consents(user)
        if purpose in active:
            return active[purpose]
        if (
            purpose != ConsentPurpose.NETWORK_MEMBERSHIP
            and ConsentPurpose.NETWORK_MEMBERSHIP not in active
        ):
            raise ConsentError(
                _(
                    "First give your consent for membership of the network; the other "
                    "consents depend on it."
                )
            )
        first_membership = (
            purpose == ConsentPurpose.NETWORK_MEMBERSHIP
            and not Consent.objects.filter(person=user, purpose=purpose).exists()
        )
        consent = Consent.objects.create(person=user, purpose=purpose)
        record(user, "network.give_consent", consent, {"purpose": purpose.value})
        if first_membership:
            welcome_new_member(user)
    return consent


def withdraw_consent(
    actor: Actor, purpose: ConsentPurpose | str, *, confirmed: bool = False
) -> list[Consent]:
    """Withdraw the logged-in person's consent for `purpose`, immediately.

    Withdrawing network membership also withdraws every other consent (they depend on it)
    and needs `confirmed=True` (ConfirmationRequired otherwise). Returns the withdrawn
    consents; nothing active means nothing to do and nothing is recorded.
    """
    purpose = ConsentPurpose(purpose)
    user = _person(actor)
    membership = purpose == ConsentPurpose.NETWORK_MEMBERSHIP
    if membership and not confirmed:
        raise ConfirmationRequired(
            _("Confirm that you want to withdraw your membership of the network.")
        )
    with transaction.atomic():
        _lock(user)
        active = active_consents(user)
        if purpose not in active:
            return []
        withdrawn = list(active.values()) if membership else [active[purpose]]
        now = timezone.now()
        for consent in withdrawn:
            consent.withdrawn_at = now
        Consent.objects.bulk_update(withdrawn, ["withdrawn_at"])
        # In the same transaction: messages waiting for this person stop with the consent.
        consents_withdrawn.send(
            sender=Consent, person=user, purposes=[consent.purpose for consent in withdrawn]
        )
        record(
            user,
            "network.withdraw_consent",
            active[purpose],
            {
                "purpose": purpose.value,
                "also_withdrawn": sorted(c.purpose for c in withdrawn if c.purpose != purpose),
            },
        )
    return withdrawn


def update_profile(actor: Actor, **values: Any) -> dict[str, Any]:
    """Change the logged-in person's full name, phone and preferred language. Returns the
    changes ({field: [old, new]}); records them when there are any."""
    user = _person(actor)
    unknown = set(values) - set(EDITABLE_PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not editable in the portal: {sorted(unknown)}")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = snapshot(locked, list(values))
        for name, value in values.items():
            setattr(locked, name, value)
        changes = changed_fields(locked, before)
        if changes:
            locked.save(update_fields=list(changes))
            record(locked, "network.update_own_profile", locked, changes)
    for name in changes:
        setattr(user, name, getattr(locked, name))
    return changes


def update_own_business(actor: Actor, business: Business, **values: Any) -> dict[str, Any]:
    """Change a business the logged-in person is linked to (trade name, phone, email,
    website, employees). Another business answers 404, as if it did not exist."""
    require(actor, Action.USE_PORTAL)
    if business.pk not in actor.business_ids:
        raise Http404
    unknown = set(values) - set(EDITABLE_BUSINESS_FIELDS)
    if unknown:
        raise ValueError(f"not editable in the portal: {sorted(unknown)}")
    user = _person(actor)
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        before = snapshot(locked, list(values))
        for name, value in values.items():
            setattr(locked, name, value)
        # Validate only what changes: older rows may hold values today's rules reject.
        locked.clean_fields(exclude=[f.name for f in Business._meta.fields if f.name not in values])
        changes = changed_fields(locked, before)
        if changes:
            locked.save(update_fields=[*changes, "updated_at"])
            record(user, "network.update_own_business", locked, changes)
    for name in values:
        setattr(business, name, getattr(locked, name))
    return changes


# --- reads for the portal pages (a fixed number of queries, however many rows) -------------


@dataclass
class AreaNetwork:
    """An area with the people an entrepreneur can turn to."""

    area: Area
    contacts: list[AreaContact] = field(default_factory=list)
    ambassadors: list[Ambassador] = field(default_factory=list)


@dataclass
class PortalOverview:
    businesses: list[Business]
    areas: list[AreaNetwork]
    consents: dict[str, Consent]
    is_ambassador: bool


def portal_overview(actor: Actor) -> PortalOverview:
    """The dashboard: my businesses, my areas with their public contacts and ambassadors."""
    user = _person(actor)
    links = BusinessPerson.objects.filter(person=user, business__is_active=True).select_related(
        "business__area__municipality", "business__municipality"
    )
    businesses = sorted((link.business for link in links), key=lambda b: b.name.lower())
    areas: dict[int, Area] = {b.area.pk: b.area for b in businesses if b.area is not None}
    ambassador_scope = actor.scopes.get(Role.AMBASSADOR)
    missing = set(ambassador_scope.area_ids) - set(areas) if ambassador_scope else set()
    if missing:
        areas.update(
            {a.pk: a for a in Area.objects.filter(pk__in=missing).select_related("municipality")}
        )
    networks = {pk: AreaNetwork(area) for pk, area in areas.items()}
    if networks:
        contacts = AreaContact.objects.filter(area_id__in=networks, is_public=True)
        for contact in contacts.select_related("organisation").order_by("role", "name"):
            networks[contact.area_id].contacts.append(contact)
        ambassadors = Ambassador.objects.filter(area_id__in=networks, is_active=True)
        for ambassador in ambassadors.select_related("person", "business").order_by("since"):
            networks[ambassador.area_id].ambassadors.append(ambassador)
    return PortalOverview(
        businesses=businesses,
        areas=sorted(networks.values(), key=lambda n: (n.area.municipality.name, n.area.name)),
        consents=active_consents(user),
        is_ambassador=ambassador_scope is not None,
    )


@dataclass
class AmbassadorRow:
    business: Business
    # Only the people who consented to CONTACT_VISIBLE_TO_AMBASSADOR.
    visible_contacts: list[User]


@dataclass
class AmbassadorArea:
    area: Area
    rows: list[AmbassadorRow]


def ambassador_areas(actor: Actor) -> list[AmbassadorArea]:
    """The businesses of the areas an ambassador represents, with contact people only
    where they consented to it. Callers must have checked VIEW_AMBASSADOR_AREA."""
    require(actor, Action.VIEW_AMBASSADOR_AREA)
    scope = actor.scopes[Role.AMBASSADOR]
    areas = Area.objects.filter(pk__in=scope.area_ids).select_related("municipality")
    by_area = {area.pk: AmbassadorArea(area, []) for area in areas}
    people = Prefetch(
        "people", queryset=BusinessPerson.objects.select_related("person").order_by("pk")
    )
    businesses = (
        Business.objects.filter(area_id__in=by_area, is_active=True)
        .prefetch_related(people)
        .order_by("name")
    )
    visible = set(
        consented_person_ids(ConsentPurpose.CONTACT_VISIBLE_TO_AMBASSADOR).filter(
            person__business_links__business__area_id__in=by_area
        )
    )
    for business in businesses:
        assert business.area_id is not None
        contacts = [link.person for link in business.people.all() if link.person_id in visible]
        by_area[business.area_id].rows.append(AmbassadorRow(business, contacts))
    return sorted(by_area.values(), key=lambda a: (a.area.municipality.name, a.area.name))
