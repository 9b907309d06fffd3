"""What each person chose to receive, and how: channels per kind of message, quiet hours.

Reads only; the writes are in `alerts.services.preferences`. Without a stored choice the
defaults below apply: email and the in-app inbox for everything, push notifications for
alerts (they only reach someone who turned them on for a device), SMS only for someone
who switched it on (it costs money and interrupts).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from weerbaar.accounts.models import User
from weerbaar.alerts.models import ChannelPreference, MessageKind, RecipientSettings

# Ids per query: well below SQLite's limit on query parameters.
ID_CHUNK = 5000

# The channels a person can choose between, per kind, in the order the page shows them.
CHANNELS_BY_KIND: dict[MessageKind, tuple[str, ...]] = {
    MessageKind.ALERT: ("email", "inbox", "push", "sms"),
    MessageKind.NEWSLETTER: ("email", "inbox"),
    MessageKind.EVENT_INVITATION: ("email", "inbox"),
}
DEFAULT_CHANNELS: dict[MessageKind, frozenset[str]] = {
    MessageKind.ALERT: frozenset({"email", "inbox", "push"}),
    MessageKind.NEWSLETTER: frozenset({"email", "inbox"}),
    MessageKind.EVENT_INVITATION: frozenset({"email", "inbox"}),
}


def channels_for(person_ids: Sequence[int], kind: MessageKind) -> dict[int, set[str]]:
    """The channels each person receives `kind` on (one query for all)."""
    chosen = {person_id: set(DEFAULT_CHANNELS[kind]) for person_id in person_ids}
    allowed = set(CHANNELS_BY_KIND[kind])
    rows = (
        row
        for ids in _chunks(person_ids)
        for row in ChannelPreference.objects.filter(person_id__in=ids, kind=kind).values_list(
            "person_id", "channel", "enabled"
        )
    )
    for person_id, channel, enabled in rows:
        if channel not in allowed:
            continue
        if enabled:
            chosen[person_id].add(channel)
        else:
            chosen[person_id].discard(channel)
    return chosen


def choosing(people: QuerySet[User], kind: MessageKind, channel: str) -> QuerySet[User]:
    """Those of `people` who receive `kind` on `channel` (as a query, for set-based writes)."""
    stated = ChannelPreference.objects.filter(kind=kind, channel=channel)
    if channel in DEFAULT_CHANNELS[kind]:
        return people.exclude(pk__in=stated.filter(enabled=False).values("person_id"))
    return people.filter(pk__in=stated.filter(enabled=True).values("person_id"))


@dataclass(frozen=True)
class QuietHours:
    start: datetime.time
    end: datetime.time
    urgent_alerts_break_quiet_hours: bool

    def ends_after(self, moment: datetime.datetime) -> datetime.datetime | None:
        """When the quiet period around `moment` ends (in `moment`'s time zone); None when
        `moment` is not in quiet hours. A period may run past midnight (22:00–07:00)."""
        local = timezone.localtime(moment)
        now = local.time()
        if self.start <= self.end:
            quiet = self.start <= now < self.end
            end_day = local.date()
        else:
            quiet = now >= self.start or now < self.end
            end_day = local.date() + datetime.timedelta(days=1 if now >= self.start else 0)
        if not quiet:
            return None
        return datetime.datetime.combine(end_day, self.end, tzinfo=local.tzinfo)


def quiet_hours_for(person_ids: Sequence[int]) -> dict[int, QuietHours]:
    """Quiet hours of the people who set them (one query)."""
    rows = (
        row
        for ids in _chunks(person_ids)
        for row in RecipientSettings.objects.filter(
            person_id__in=ids, quiet_hours_start__isnull=False, quiet_hours_end__isnull=False
        ).values_list(
            "person_id", "quiet_hours_start", "quiet_hours_end", "urgent_alerts_break_quiet_hours"
        )
    )
    return {
        person_id: QuietHours(start, end, breaks)
        for person_id, start, end, breaks in rows
        if start is not None and end is not None and start != end
    }


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[start : start + ID_CHUNK] for start in range(0, len(ids), ID_CHUNK)]
