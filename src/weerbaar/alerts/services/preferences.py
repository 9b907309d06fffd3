"""Writes of what a person receives: channels per kind, quiet hours, unsubscribing and the
global opt-out. Each stops what it should at once: pending deliveries of what someone no
longer wants are cancelled in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.accounts.models import User
from weerbaar.accounts.policy import Action, Actor, actor_for, require
from weerbaar.alerts.models import ChannelPreference, MessageKind, RecipientSettings
from weerbaar.alerts.preferences import CHANNELS_BY_KIND
from weerbaar.alerts.unsubscribe import OUTBOUND_KINDS, UnsubscribeRequest
from weerbaar.core.audit import record
from weerbaar.core.outbox import cancel_pending_for_recipient, lift_suppression
from weerbaar.network.models import ConsentPurpose
from weerbaar.network.services.portal import withdraw_consent

ALL_OUTBOUND_KINDS = tuple(name for names in OUTBOUND_KINDS.values() for name in names)


class UnsubscribeOutcome(StrEnum):
    DONE = "done"
    ALREADY = "already"


def _person(actor: Actor) -> User:
    require(actor, Action.USE_PORTAL)
    user = actor.account
    assert user is not None  # USE_PORTAL needs a logged-in person
    return user


def set_channels(actor: Actor, kind: MessageKind, channels: Iterable[str]) -> set[str]:
    """Receive `kind` on exactly `channels` (the logged-in person). Returns the choice."""
    user = _person(actor)
    offered = CHANNELS_BY_KIND[kind]
    chosen = set(channels)
    unknown = chosen - set(offered)
    if unknown:
        raise ValidationError(_("Choose channels from the list."))
    with transaction.atomic():
        for channel in offered:
            ChannelPreference.objects.update_or_create(
                person=user, kind=kind, channel=channel, defaults={"enabled": channel in chosen}
            )
        if not chosen:
            cancel_pending_for_recipient(user, OUTBOUND_KINDS[kind])
        record(
            user, "alerts.channels_chosen", user, {"kind": kind.value, "channels": sorted(chosen)}
        )
    return chosen


def set_quiet_hours(
    actor: Actor,
    start: datetime.time | None,
    end: datetime.time | None,
    *,
    urgent_alerts_break_quiet_hours: bool,
) -> RecipientSettings:
    """Quiet hours for SMS and push (both or neither); urgent alerts may break them."""
    user = _person(actor)
    if (start is None) != (end is None):
        raise ValidationError(_("Fill in both the start and the end of your quiet hours."))
    if start is not None and start == end:
        raise ValidationError(_("Quiet hours must start and end at different times."))
    with transaction.atomic():
        settings_row, _created = RecipientSettings.objects.get_or_create(person=user)
        settings_row.quiet_hours_start = start
        settings_row.quiet_hours_end = end
        settings_row.urgent_alerts_break_quiet_hours = urgent_alerts_break_quiet_hours
        settings_row.save()
        record(
            user,
            "alerts.quiet_hours_set",
            user,
            {
                "start": start.isoformat() if start else None,
                "end": end.isoformat() if end else None,
                "urgent_breaks": urgent_alerts_break_quiet_hours,
            },
        )
    return settings_row


def unsubscribe(request: UnsubscribeRequest) -> UnsubscribeOutcome:
    """Stop one kind of message for the person an unsubscribe link was made for: their
    consent for it is withdrawn and what is still pending is cancelled. Using a link again
    changes nothing."""
    user = User.objects.filter(pk=request.person_id, is_active=True).first()
    if user is None:
        return UnsubscribeOutcome.ALREADY
    with transaction.atomic():
        # Cancels what is pending through `consents_withdrawn` (stop_pending_after_withdrawal);
        # nothing is withdrawn when the consent was withdrawn already.
        if not withdraw_consent(actor_for(user), request.kind.consent_purpose):
            return UnsubscribeOutcome.ALREADY
        record(user, "alerts.unsubscribed", user, {"kind": request.kind.value})
    return UnsubscribeOutcome.DONE


def opt_out_of_everything(person_id: int) -> UnsubscribeOutcome:
    """The global opt-out (from any unsubscribe link or the portal): no alert, newsletter or
    invitation at all until the person turns messages back on in the portal."""
    user = User.objects.filter(pk=person_id, is_active=True).first()
    if user is None:
        return UnsubscribeOutcome.ALREADY
    with transaction.atomic():
        settings_row, _created = RecipientSettings.objects.select_for_update().get_or_create(
            person=user
        )
        if settings_row.opted_out_at is not None:
            return UnsubscribeOutcome.ALREADY
        settings_row.opted_out_at = timezone.now()
        settings_row.save(update_fields=["opted_out_at"])
        cancelled = cancel_pending_for_recipient(user, ALL_OUTBOUND_KINDS)
        record(user, "alerts.opted_out", user, {"cancelled_deliveries": cancelled})
    return UnsubscribeOutcome.DONE


def opt_back_in(actor: Actor) -> None:
    """Undo the global opt-out (the logged-in person, from the portal)."""
    user = _person(actor)
    with transaction.atomic():
        updated = RecipientSettings.objects.filter(person=user, opted_out_at__isnull=False).update(
            opted_out_at=None
        )
        if updated:
            record(user, "alerts.opted_back_in", user, {})


def stop_pending_after_withdrawal(person: User, purposes: Iterable[str]) -> int:
    """A consent was withdrawn (portal, unsubscribe): cancel what is still waiting to go
    to `person` for those purposes. Connected to `network.services.portal.consents_withdrawn`."""
    kinds: list[str] = []
    for kind in MessageKind:
        if kind.consent_purpose in purposes or ConsentPurpose.NETWORK_MEMBERSHIP in purposes:
            kinds.extend(OUTBOUND_KINDS[kind])
    return cancel_pending_for_recipient(person, kinds) if kinds else 0


def email_again(actor: Actor) -> bool:
    """The logged-in person says their mailbox works again: their address, which bounced
    for good, gets email again. Returns whether it was suppressed."""
    user = _person(actor)
    return lift_suppression(user.email, actor=user)
