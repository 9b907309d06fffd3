"""Who a message reaches: from a target (municipalities, areas, sectors) to people and the
channels each of them chose.

A person is reached when they are linked to an active business in the target (in one of
the target's roles, when it names any), their account is active, they gave consent for
that kind of message (`MessageKind` → `ConsentPurpose`) and did not opt out of everything.
Which channels then carry it follows their preferences (`alerts.preferences`), and whether
a channel can reach them at all (an email address, a valid mobile number, a push
subscription) is the channel's own decision (`Channel.addresses_for`). The reach preview
and the fan-out use the same functions, so the number shown before sending is the number
sent to.

Everything here is a few set-based queries, whatever the size of the network.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from weerbaar.accounts.models import User
from weerbaar.alerts import preferences
from weerbaar.alerts.models import Alert, MessageKind, RecipientSettings, Severity
from weerbaar.core.channels import Recipient, channel_choices, get_channel
from weerbaar.network.models import Ambassador, Business, BusinessPerson, Consent

# The role of a person who represents an area in the network (beside the business roles).
AMBASSADOR = "ambassador"


@dataclass(frozen=True)
class Target:
    whole_network: bool = False
    municipality_ids: frozenset[int] = frozenset()
    area_ids: frozenset[int] = frozenset()
    # SBI codes or leading digits; empty: every sector.
    sectors: tuple[str, ...] = ()
    # Roles at the business ("owner", "manager", "employee") or "ambassador"; empty: all.
    roles: frozenset[str] = frozenset()
    # Only businesses that joined the network on or after this day; None: any.
    joined_since: datetime.date | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.whole_network or self.municipality_ids or self.area_ids)

    @classmethod
    def of(cls, alert: Alert) -> Target:
        return cls(
            whole_network=alert.whole_network,
            municipality_ids=frozenset(alert.target_municipalities.values_list("pk", flat=True)),
            area_ids=frozenset(alert.target_areas.values_list("pk", flat=True)),
            sectors=tuple(alert.target_sectors),
        )


def businesses_in(target: Target) -> QuerySet[Business]:
    """Active businesses in the target (none for an empty target)."""
    if target.is_empty:
        return Business.objects.none()
    businesses = Business.objects.filter(is_active=True)
    if not target.whole_network:
        businesses = businesses.filter(
            Q(municipality_id__in=target.municipality_ids) | Q(area_id__in=target.area_ids)
        )
    if target.sectors:
        sector_q = Q()
        for code in target.sectors:
            sector_q |= Q(sbi_code__startswith=code)
        businesses = businesses.filter(sector_q)
    if target.joined_since is not None:
        businesses = businesses.filter(joined_network_on__gte=target.joined_since)
    return businesses


def people_in(target: Target, kind: MessageKind) -> QuerySet[User]:
    """People reached by a message of `kind` to `target` (see the module docstring)."""
    links = BusinessPerson.objects.filter(business__in=businesses_in(target))
    if target.roles:
        in_role = Q(role__in=target.roles - {AMBASSADOR})
        if AMBASSADOR in target.roles:
            in_role |= Q(person__in=Ambassador.objects.filter(is_active=True).values("person_id"))
        links = links.filter(in_role)
    linked = links.values("person_id")
    consented = Consent.objects.filter(
        purpose=kind.consent_purpose, withdrawn_at__isnull=True
    ).values("person_id")
    opted_out = RecipientSettings.objects.filter(opted_out_at__isnull=False).values("person_id")
    return (
        User.objects.filter(is_active=True, pk__in=linked)
        .filter(pk__in=consented)
        .exclude(pk__in=opted_out)
    )


@dataclass
class Reach:
    businesses: int = 0
    # People in the target with consent; `people` of them are reachable on some channel.
    in_target: int = 0
    people: int = 0
    # People per channel key (someone on two channels counts on both).
    per_channel: dict[str, int] = field(default_factory=dict)

    @property
    def channel_rows(self) -> list[tuple[StrOrPromise, int]]:
        """(channel label, people) per channel, for the reach preview."""
        labels = dict(channel_choices())
        return [(labels.get(key, key), count) for key, count in self.per_channel.items()]


def recipients_for(
    people: Iterable[User],
    kind: MessageKind,
    *,
    severity: str = Severity.WARNING,
    now: datetime.datetime | None = None,
    leave_out: Iterable[str] = (),
) -> list[Recipient]:
    """A `Recipient` per person with the channels they chose for `kind` and, for alerts,
    when their quiet hours end (an urgent alert skips them when the person allowed it)."""
    now = now or timezone.now()
    people = list(people)
    ids = [person.pk for person in people]
    chosen = preferences.channels_for(ids, kind)
    quiet = preferences.quiet_hours_for(ids)
    urgent = severity == Severity.URGENT
    skipped = set(leave_out)
    recipients = []
    for person in people:
        quiet_until = None
        hours = quiet.get(person.pk)
        if hours is not None and not (urgent and hours.urgent_alerts_break_quiet_hours):
            quiet_until = hours.ends_after(now)
        recipients.append(
            Recipient(
                address=person.email,
                user=person,
                language=person.preferred_language,
                phone=person.phone,
                channels=frozenset(chosen[person.pk] - skipped),
                quiet_until=quiet_until,
            )
        )
    return recipients


def reach_of(target: Target, kind: MessageKind, channels: Sequence[str]) -> Reach:
    """How many businesses and people a message would reach now, per channel."""
    people = list(people_in(target, kind).only("pk", "email", "phone", "preferred_language"))
    recipients = recipients_for(people, kind)
    reach = Reach(businesses=businesses_in(target).count(), in_target=len(people))
    reachable: set[int] = set()
    for key in channels:
        channel = get_channel(key)
        wanted = [r for r in recipients if r.channels is None or key in r.channels]
        found = [
            r.user.pk
            for r, address in zip(wanted, channel.addresses_for(wanted), strict=True)
            if address is not None and r.user is not None
        ]
        reach.per_channel[key] = len(found)
        reachable.update(found)
    reach.people = len(reachable)
    return reach
