"""Segments as audiences: a saved segment becomes an `alerts.audience.Target` on the day it
is used, so "joined this year" means this year whenever the newsletter goes out."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from weerbaar.accounts.models import User
from weerbaar.alerts import audience
from weerbaar.alerts.models import MessageKind
from weerbaar.newsletters.models import JoinedWithin, Segment

NEWSLETTER_CHANNELS = ("email", "inbox")


def joined_since(choice: str, today: datetime.date) -> datetime.date | None:
    """The first day a business may have joined to be in a `JoinedWithin` condition."""
    match choice:
        case JoinedWithin.THIS_YEAR:
            return today.replace(month=1, day=1)
        case JoinedWithin.LAST_30_DAYS:
            return today - datetime.timedelta(days=30)
        case JoinedWithin.LAST_90_DAYS:
            return today - datetime.timedelta(days=90)
        case JoinedWithin.LAST_12_MONTHS:
            return today - datetime.timedelta(days=365)
    return None


def target_of(segment: Segment, today: datetime.date | None = None) -> audience.Target:
    return target_from(
        segment.whole_network,
        segment.municipalities.values_list("pk", flat=True),
        segment.areas.values_list("pk", flat=True),
        sectors=segment.sectors,
        roles=segment.roles,
        joined_within=segment.joined_within,
        today=today,
    )


def target_from(
    whole_network: bool,
    municipality_ids: Iterable[int],
    area_ids: Iterable[int],
    *,
    sectors: Iterable[str],
    roles: Iterable[str],
    joined_within: str,
    today: datetime.date | None = None,
) -> audience.Target:
    """The target of a segment's conditions (saved or still in the form) on `today`."""
    return audience.Target(
        whole_network=whole_network,
        municipality_ids=frozenset(municipality_ids),
        area_ids=frozenset(area_ids),
        sectors=tuple(sectors),
        roles=frozenset(roles),
        joined_since=joined_since(joined_within, today or timezone.localdate()),
    )


def people_in(segment: Segment) -> QuerySet[User]:
    """Who a newsletter to `segment` reaches today (with consent for newsletters)."""
    return audience.people_in(target_of(segment), MessageKind.NEWSLETTER)


def reach_of(target: audience.Target) -> audience.Reach:
    """How many people a newsletter to `target` reaches today, per channel."""
    return audience.reach_of(target, MessageKind.NEWSLETTER, NEWSLETTER_CHANNELS)
