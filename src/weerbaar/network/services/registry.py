"""Writes to the network registry made by people: municipalities, areas, businesses, the
people linked to businesses, ambassadors, area contacts and partner organisations.

Every function takes the acting `Actor` first and follows the same steps: check the
permission policy (403 without the action, 404 for an object outside the actor's scope),
validate with `full_clean()` (a `ValidationError` with a clear message per field; nothing is
written then), save inside `transaction.atomic()` and record an audit entry named
``network.<thing>.<verb>``. The staff pages, the REST API and admin actions call these.

Field values are passed as keyword arguments named after the model fields; an unknown name
is a programming error (TypeError).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from weerbaar.accounts.models import Organisation, User
from weerbaar.accounts.policy import RULES, Action, Actor, forget_actor, require
from weerbaar.core.audit import changed_fields, record, snapshot
from weerbaar.network.models import (
    Ambassador,
    Area,
    AreaContact,
    Business,
    BusinessPerson,
    BusinessRole,
    Municipality,
)
from weerbaar.network.validators import normalise_postal_code

__all__ = [
    "AREA_CONTACT_FIELDS",
    "AREA_FIELDS",
    "BUSINESS_FIELDS",
    "MUNICIPALITY_FIELDS",
    "ORGANISATION_FIELDS",
    "appoint_ambassador",
    "covers_municipality",
    "create_area",
    "create_area_contact",
    "create_business",
    "create_municipality",
    "create_organisation",
    "deactivate_business",
    "delete_area_contact",
    "end_ambassadorship",
    "link_person_to_business",
    "unlink_person_from_business",
    "update_area",
    "update_area_contact",
    "update_business",
    "update_municipality",
    "update_organisation",
]

MUNICIPALITY_FIELDS = (
    "name",
    "slug",
    "cbs_code",
    "network_name",
    "introduction",
    "contact_email",
    "contact_phone",
    "website",
    "theme_stylesheet_url",
    "theme_class",
    "is_active",
)
AREA_FIELDS = ("name", "slug", "kind", "description", "boundary")
BUSINESS_FIELDS = (
    "name",
    "kvk_number",
    "establishment_number",
    "sbi_code",
    "sbi_description",
    "street",
    "house_number",
    "house_number_addition",
    "postal_code",
    "city",
    "municipality",
    "area",
    "employee_count",
    "email",
    "phone",
    "website",
    "joined_network_on",
)
AREA_CONTACT_FIELDS = ("role", "name", "organisation", "user", "email", "phone", "is_public")
ORGANISATION_FIELDS = ("name", "kind", "municipality", "email", "phone", "website")


# --- shared steps ---------------------------------------------------------------------------


def _apply(instance: models.Model, allowed: Iterable[str], values: dict[str, Any]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields for {type(instance).__name__}: {sorted(unknown)}")
    for name, value in values.items():
        setattr(instance, name, value)


def _created(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audit changes of a new row: every filled field as [None, value]."""
    return changed_fields(instance, dict.fromkeys(fields))


def _save[M: models.Model](instance: M, action: str, actor: Actor, changes: dict[str, Any]) -> M:
    """Validate, save and audit in one transaction. A database constraint that fires after
    validation (two people saving at once) becomes a ValidationError; nothing is written."""
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
            record(actor.account, action, instance, changes)
    except IntegrityError as error:
        raise ValidationError(
            _("Someone else just saved conflicting data. Check the values and try again.")
        ) from error
    return instance


def covers_municipality(actor: Actor, action: Action, municipality_id: int) -> bool:
    """Does a role of `actor` allowed to take `action` cover the whole municipality?

    An officer scoped to a few areas sees the municipality those areas belong to, but may
    not add areas or businesses outside their areas; this tells the two apart."""
    return any(
        scope.everything or municipality_id in scope.municipality_ids
        for role, scope in actor.scopes.items()
        if role in RULES[action]
    )


def _require_place(
    actor: Actor, action: Action, municipality: Municipality | None, area: Area | None
) -> None:
    """Require `action` for a row that will sit in `municipality` (and `area`)."""
    require(actor, action)
    if municipality is None:
        return
    if covers_municipality(actor, action, municipality.pk):
        return
    if area is not None and any(
        area.pk in scope.area_ids for role, scope in actor.scopes.items() if role in RULES[action]
    ):
        return
    raise Http404


def _unique_slug(name: str, slug: str, taken: Callable[[str], bool]) -> str:
    """The given slug, or one made from the name that is not yet taken."""
    if slug:
        return slug
    base = slugify(name)[:90] or "item"
    candidate, number = base, 2
    while taken(candidate):
        candidate, number = f"{base}-{number}", number + 1
    return candidate


# --- municipalities -------------------------------------------------------------------------


def _check_municipality(municipality: Municipality) -> None:
    others = Municipality.objects.exclude(pk=municipality.pk)
    errors: dict[str, str] = {}
    if municipality.name and others.filter(name__iexact=municipality.name).exists():
        errors["name"] = _("There is already a municipality called %(name)s.") % {
            "name": municipality.name
        }
    clash = others.filter(slug=municipality.slug).first() if municipality.slug else None
    if clash is not None:
        errors["slug"] = _(
            "The short name %(slug)s is already used by %(other)s. Choose another one."
        ) % {"slug": municipality.slug, "other": clash.name}
    if errors:
        raise ValidationError(errors)


def create_municipality(actor: Actor, **values: Any) -> Municipality:
    """Add a municipality (a tenant). Who: platform administrators only.
    The slug is made from the name when not given. Guarantees: name and slug are unique."""
    require(actor, Action.MANAGE_MUNICIPALITY)
    municipality = Municipality()
    _apply(municipality, MUNICIPALITY_FIELDS, values)
    municipality.slug = _unique_slug(
        municipality.name,
        municipality.slug,
        lambda slug: Municipality.objects.filter(slug=slug).exists(),
    )
    _check_municipality(municipality)
    return _save(
        municipality,
        "network.municipality.create",
        actor,
        _created(municipality, MUNICIPALITY_FIELDS),
    )


def update_municipality(actor: Actor, municipality: Municipality, **values: Any) -> Municipality:
    """Change a municipality's details. Who: platform administrators only."""
    require(actor, Action.MANAGE_MUNICIPALITY, municipality)
    before = snapshot(municipality, list(MUNICIPALITY_FIELDS))
    _apply(municipality, MUNICIPALITY_FIELDS, values)
    if not municipality.slug:
        municipality.slug = before["slug"]
    _check_municipality(municipality)
    return _save(
        municipality,
        "network.municipality.update",
        actor,
        changed_fields(municipality, before),
    )


# --- areas ----------------------------------------------------------------------------------


def _check_area_names(area: Area) -> None:
    others = Area.objects.filter(municipality_id=area.municipality_id).exclude(pk=area.pk)
    errors: dict[str, str] = {}
    if others.filter(name__iexact=area.name).exists():
        errors["name"] = _("%(municipality)s already has an area called %(name)s.") % {
            "municipality": area.municipality.name,
            "name": area.name,
        }
    if others.filter(slug=area.slug).exists():
        errors["slug"] = _("%(municipality)s already has an area with the short name %(slug)s.") % {
            "municipality": area.municipality.name,
            "slug": area.slug,
        }
    if errors:
        raise ValidationError(errors)


def create_area(actor: Actor, municipality: Municipality, **values: Any) -> Area:
    """Add an area to `municipality`. Who: MANAGE_AREA covering the whole municipality.
    Guarantees: a boundary, when given, is a valid GeoJSON (Multi)Polygon; the name and the
    slug are unique within the municipality."""
    require(actor, Action.MANAGE_AREA)
    if not covers_municipality(actor, Action.MANAGE_AREA, municipality.pk):
        raise Http404
    area = Area(municipality=municipality)
    _apply(area, AREA_FIELDS, values)
    area.slug = _unique_slug(
        area.name,
        area.slug,
        lambda slug: Area.objects.filter(municipality=municipality, slug=slug).exists(),
    )
    _check_area_names(area)
    changes = _created(area, AREA_FIELDS) | {"municipality": [None, municipality.name]}
    return _save(area, "network.area.create", actor, changes)


def update_area(actor: Actor, area: Area, **values: Any) -> Area:
    """Change an area's name, kind, description or boundary. Who: MANAGE_AREA in scope."""
    require(actor, Action.MANAGE_AREA, area)
    before = snapshot(area, list(AREA_FIELDS))
    _apply(area, AREA_FIELDS, values)
    if not area.slug:
        area.slug = before["slug"]
    _check_area_names(area)
    return _save(area, "network.area.update", actor, changed_fields(area, before))


# --- businesses -----------------------------------------------------------------------------


def _check_business(business: Business) -> None:
    """Rules that span rows: the area lies in the business's municipality, and the
    vestigingsnummer is not registered yet."""
    errors: dict[str, str] = {}
    if business.area_id is not None and business.municipality_id is not None:
        area = business.area
        if area is not None and area.municipality_id != business.municipality_id:
            errors["area"] = _("The area %(area)s does not lie in %(municipality)s.") % {
                "area": area.name,
                "municipality": business.municipality.name,
            }
    number = business.establishment_number
    if (
        number
        and Business.objects.filter(establishment_number=number).exclude(pk=business.pk).exists()
    ):
        errors["establishment_number"] = _(
            "A business with vestigingsnummer %(number)s is already registered. "
            "Each establishment can be registered only once."
        ) % {"number": number}
    if errors:
        raise ValidationError(errors)


def _normalise_business(business: Business) -> None:
    for name in ("kvk_number", "establishment_number", "sbi_code"):
        setattr(business, name, (getattr(business, name) or "").replace(" ", ""))
    business.postal_code = normalise_postal_code(business.postal_code or "")


def create_business(actor: Actor, **values: Any) -> Business:
    """Register a business (one establishment) by hand. Who: MANAGE_BUSINESS covering the
    municipality, or the area for an officer scoped to areas. Guarantees: the area lies in
    the municipality; the vestigingsnummer is unique."""
    business = Business(source="manual")
    _apply(business, BUSINESS_FIELDS, values)
    _normalise_business(business)
    _require_place(
        actor,
        Action.MANAGE_BUSINESS,
        business.municipality if business.municipality_id else None,
        business.area,
    )
    if business.municipality_id is None:
        raise ValidationError({"municipality": _("Choose the municipality of the business.")})
    _check_business(business)
    return _save(
        business,
        "network.business.create",
        actor,
        _created(business, BUSINESS_FIELDS),
    )


def update_business(actor: Actor, business: Business, **values: Any) -> Business:
    """Change a business's details. Who: MANAGE_BUSINESS with the business in scope, and,
    when it moves, the new municipality or area in scope too."""
    require(actor, Action.MANAGE_BUSINESS, business)
    before = snapshot(business, list(BUSINESS_FIELDS))
    _apply(business, BUSINESS_FIELDS, values)
    _normalise_business(business)
    if (business.municipality_id, business.area_id) != (
        getattr(before["municipality"], "pk", None),
        getattr(before["area"], "pk", None),
    ):
        _require_place(actor, Action.MANAGE_BUSINESS, business.municipality, business.area)
    _check_business(business)
    return _save(business, "network.business.update", actor, changed_fields(business, before))


def deactivate_business(actor: Actor, business: Business) -> Business:
    """Mark a business as no longer active (closed, moved away, left the network). It stays
    in the registry for history; its people lose the entrepreneur role it gave them.
    Who: MANAGE_BUSINESS with the business in scope."""
    require(actor, Action.MANAGE_BUSINESS, business)
    if not business.is_active:
        raise ValidationError(_("This business is already deactivated."))
    business.is_active = False
    return _save(business, "network.business.deactivate", actor, {"is_active": [True, False]})


# --- people linked to businesses -------------------------------------------------------------


def link_person_to_business(
    actor: Actor,
    business: Business,
    email: str,
    *,
    full_name: str = "",
    phone: str = "",
    role: str = BusinessRole.OWNER,
    is_primary_contact: bool = False,
) -> BusinessPerson:
    """Link the person with `email` to `business`, creating their user account when the
    address is new (without a password: entrepreneurs log in with a magic link). An
    existing account keeps its name and phone number. Who: MANAGE_PERSON with the business
    in scope. Guarantees: one link per person and business."""
    require(actor, Action.MANAGE_PERSON, business)
    email = User.objects.normalize_email((email or "").strip()).lower()
    if not email:
        raise ValidationError({"email": _("Enter the person's email address.")})
    if not business.is_active:
        raise ValidationError(_("People cannot be linked to a deactivated business."))
    try:
        with transaction.atomic():
            person = User.objects.filter(email__iexact=email).first()
            new_account = person is None
            if person is None:
                person = User(email=email, full_name=full_name.strip(), phone=phone.strip())
                person.set_unusable_password()
                person.full_clean()
                person.save()
                record(actor.account, "network.person.create", person, {"email": [None, email]})
            elif BusinessPerson.objects.filter(person=person, business=business).exists():
                raise ValidationError(
                    {
                        "email": _("%(email)s is already linked to %(business)s.")
                        % {"email": email, "business": business.name}
                    }
                )
            link = BusinessPerson(
                person=person, business=business, role=role, is_primary_contact=is_primary_contact
            )
            link.full_clean()
            link.save()
            record(
                actor.account,
                "network.business_person.link",
                link,
                {
                    "person": email,
                    "business": business.name,
                    "role": role,
                    "new_account": new_account,
                },
            )
    except IntegrityError as error:
        raise ValidationError(
            _("Someone else just saved conflicting data. Check the values and try again.")
        ) from error
    forget_actor(person)
    return link


def unlink_person_from_business(actor: Actor, person: User, business: Business) -> None:
    """Remove the link between `person` and `business`. The user account stays.
    Who: MANAGE_PERSON with the business in scope."""
    require(actor, Action.MANAGE_PERSON, business)
    link = BusinessPerson.objects.filter(person=person, business=business).first()
    if link is None:
        raise ValidationError(
            _("%(person)s is not linked to %(business)s.")
            % {"person": person, "business": business.name}
        )
    with transaction.atomic():
        record(
            actor.account,
            "network.business_person.unlink",
            link,
            {"person": person.email, "business": business.name, "role": link.role},
        )
        link.delete()
    forget_actor(person)


# --- ambassadors ----------------------------------------------------------------------------


def appoint_ambassador(
    actor: Actor,
    area: Area,
    person: User,
    *,
    business: Business | None = None,
    since: datetime.date | None = None,
) -> Ambassador:
    """Appoint `person` ambassador of `area`. The person must be linked to an active
    business in the area's municipality (`business`, when given, must be one of theirs).
    A former ambassador of the area is appointed again on the same row.
    Who: MANAGE_AREA_NETWORK with the area in scope."""
    require(actor, Action.MANAGE_AREA_NETWORK, area)
    links = BusinessPerson.objects.filter(
        person=person, business__is_active=True, business__municipality_id=area.municipality_id
    )
    if not links.exists():
        raise ValidationError(
            {
                "person": _(
                    "%(person)s is not linked to an active business in %(municipality)s. "
                    "Link them to their business first."
                )
                % {"person": person, "municipality": area.municipality.name}
            }
        )
    if business is not None and not links.filter(business=business).exists():
        raise ValidationError(
            {
                "business": _("%(person)s is not linked to %(business)s.")
                % {"person": person, "business": business.name}
            }
        )
    ambassador = Ambassador.objects.filter(person=person, area=area).first()
    if ambassador is not None and ambassador.is_active:
        raise ValidationError(
            {
                "person": _("%(person)s is already an ambassador of %(area)s.")
                % {"person": person, "area": area.name}
            }
        )
    if ambassador is None:
        ambassador = Ambassador(person=person, area=area)
    ambassador.business = business
    ambassador.since = since or timezone.localdate()
    ambassador.is_active = True
    changes = {
        "person": person.email,
        "business": business.name if business else None,
        "since": ambassador.since.isoformat(),
    }
    _save(ambassador, "network.ambassador.appoint", actor, changes)
    forget_actor(person)
    return ambassador


def end_ambassadorship(actor: Actor, ambassador: Ambassador) -> Ambassador:
    """End an ambassadorship; the row stays for history.
    Who: MANAGE_AREA_NETWORK with the area in scope."""
    require(actor, Action.MANAGE_AREA_NETWORK, ambassador)
    if not ambassador.is_active:
        raise ValidationError(_("This ambassadorship has already ended."))
    ambassador.is_active = False
    _save(ambassador, "network.ambassador.end", actor, {"is_active": [True, False]})
    forget_actor(ambassador.person)
    return ambassador


# --- area contacts --------------------------------------------------------------------------


def create_area_contact(actor: Actor, area: Area, **values: Any) -> AreaContact:
    """Add a contact to an area (who is the wijkagent, the centre manager…).
    Who: MANAGE_AREA_NETWORK with the area in scope."""
    require(actor, Action.MANAGE_AREA_NETWORK, area)
    contact = AreaContact(area=area)
    _apply(contact, AREA_CONTACT_FIELDS, values)
    changes = _created(contact, AREA_CONTACT_FIELDS) | {"area": [None, area.name]}
    return _save(contact, "network.area_contact.create", actor, changes)


def update_area_contact(actor: Actor, contact: AreaContact, **values: Any) -> AreaContact:
    """Change an area contact. Who: MANAGE_AREA_NETWORK with the area in scope."""
    require(actor, Action.MANAGE_AREA_NETWORK, contact)
    before = snapshot(contact, list(AREA_CONTACT_FIELDS))
    _apply(contact, AREA_CONTACT_FIELDS, values)
    return _save(contact, "network.area_contact.update", actor, changed_fields(contact, before))


def delete_area_contact(actor: Actor, contact: AreaContact) -> None:
    """Remove an area contact. Who: MANAGE_AREA_NETWORK with the area in scope."""
    require(actor, Action.MANAGE_AREA_NETWORK, contact)
    with transaction.atomic():
        record(
            actor.account,
            "network.area_contact.delete",
            contact,
            {"name": contact.name, "role": contact.role, "area": contact.area.name},
        )
        contact.delete()


# --- partner organisations ------------------------------------------------------------------


def _check_organisation(organisation: Organisation) -> None:
    duplicate = (
        Organisation.objects.filter(name__iexact=organisation.name, kind=organisation.kind)
        .exclude(pk=organisation.pk)
        .exists()
    )
    if duplicate:
        raise ValidationError(
            {
                "name": _("There is already an organisation of this kind called %(name)s.")
                % {"name": organisation.name}
            }
        )


def create_organisation(actor: Actor, **values: Any) -> Organisation:
    """Add a partner organisation. Who: platform administrators only.
    Guarantees: name and kind together are unique."""
    require(actor, Action.MANAGE_ORGANISATION)
    organisation = Organisation()
    _apply(organisation, ORGANISATION_FIELDS, values)
    _check_organisation(organisation)
    return _save(
        organisation,
        "network.organisation.create",
        actor,
        _created(organisation, ORGANISATION_FIELDS),
    )


def update_organisation(actor: Actor, organisation: Organisation, **values: Any) -> Organisation:
    """Change a partner organisation. Who: platform administrators only."""
    require(actor, Action.MANAGE_ORGANISATION, organisation)
    before = snapshot(organisation, list(ORGANISATION_FIELDS))
    _apply(organisation, ORGANISATION_FIELDS, values)
    _check_organisation(organisation)
    return _save(
        organisation,
        "network.organisation.update",
        actor,
        changed_fields(organisation, before),
    )
