"""Writes on segments: save (new or changed) and delete.

Who: COMPOSE_NEWSLETTER, with every municipality and area of the segment in scope; a whole
municipality only for staff covering all of it, the whole network only for a platform
administrator. The segment belongs to the municipality it is about (None: platform-wide).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weerbaar.accounts.policy import Action, Actor, can, covers_municipality, require
from weerbaar.core.audit import record
from weerbaar.network.models import Area, Municipality
from weerbaar.newsletters.models import JoinedWithin, Segment, SegmentRole

SECTOR_MAX = 20


@dataclass
class SegmentDraft:
    name: str
    whole_network: bool = False
    municipalities: Sequence[Municipality] = field(default_factory=tuple)
    areas: Sequence[Area] = field(default_factory=tuple)
    sectors: Sequence[str] = field(default_factory=tuple)
    roles: Sequence[str] = field(default_factory=tuple)
    joined_within: str = ""


def save_segment(actor: Actor, segment: Segment | None, draft: SegmentDraft) -> Segment:
    """Store a new segment (`segment` None) or change one. Raises ValidationError (nothing
    stored) or PermissionDenied."""
    if segment is None:
        require(actor, Action.COMPOSE_NEWSLETTER)
    else:
        require(actor, Action.COMPOSE_NEWSLETTER, segment)
    values = _validated(actor, draft)
    with transaction.atomic():
        if segment is None:
            segment = Segment.objects.create(created_by=actor.account, **values)
            action = "newsletters.segment.created"
        else:
            segment = Segment.objects.select_for_update().get(pk=segment.pk)
            for name, value in values.items():
                setattr(segment, name, value)
            segment.save()
            action = "newsletters.segment.changed"
        segment.municipalities.set(draft.municipalities)
        segment.areas.set(draft.areas)
        record(actor.account, action, segment, {"name": segment.name})
    return segment


def delete_segment(actor: Actor, segment: Segment) -> None:
    """Delete a segment no newsletter uses (a sent newsletter keeps saying whom it was for)."""
    require(actor, Action.COMPOSE_NEWSLETTER, segment)
    with transaction.atomic():
        used = segment.newsletters.count()
        if used:
            raise ValidationError(
                _("This segment is used by %(count)s newsletters and cannot be deleted.")
                % {"count": used}
            )
        record(actor.account, "newsletters.segment.deleted", segment, {"name": segment.name})
        segment.delete()


def _validated(actor: Actor, draft: SegmentDraft) -> dict[str, object]:
    errors: dict[str, str] = {}
    name = draft.name.strip()
    if not name:
        errors["name"] = _("Give the segment a name, such as 'Retail in the centre'.")
    elif len(name) > 100:
        errors["name"] = _("Keep the name under 100 characters.")
    sectors = sorted({code.strip() for code in draft.sectors if code.strip()})
    if any(not code.isdigit() or len(code) > 5 for code in sectors) or len(sectors) > SECTOR_MAX:
        errors["sectors"] = _("Enter SBI codes of up to five digits, such as 47 or 5610.")
    roles = sorted(set(draft.roles))
    if any(role not in SegmentRole.values for role in roles):
        errors["roles"] = _("Choose roles from the list.")
    if draft.joined_within and draft.joined_within not in JoinedWithin.values:
        errors["joined_within"] = _("Choose when they joined from the list.")
    if not (draft.whole_network or draft.municipalities or draft.areas):
        errors["areas"] = _("Choose areas, whole municipalities or the whole network.")
    errors.update(_scope_errors(actor, draft))
    if errors:
        raise ValidationError(errors)
    owner = None
    if not draft.whole_network:
        owner = draft.municipalities[0] if draft.municipalities else draft.areas[0].municipality
    return {
        "name": name,
        "municipality": owner,
        "whole_network": draft.whole_network,
        "sectors": sectors,
        "roles": roles,
        "joined_within": draft.joined_within,
    }


def _scope_errors(actor: Actor, draft: SegmentDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    if draft.whole_network and not actor.covers_whole_network:
        errors["whole_network"] = _("Only a platform administrator can reach the whole network.")
    for municipality in draft.municipalities:
        if not covers_municipality(actor, Action.COMPOSE_NEWSLETTER, municipality):
            errors["municipalities"] = _("You cannot send newsletters to all of %(name)s.") % {
                "name": municipality.name
            }
    for area in draft.areas:
        if not can(actor, Action.COMPOSE_NEWSLETTER, area):
            errors["areas"] = _("You cannot send newsletters to %(name)s.") % {"name": area.name}
    return errors
