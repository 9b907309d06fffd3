"""Queueing one outbox message for a large audience, shared by alerts and newsletters.

Two committed steps, so nothing waits for the slowest part:

1. `store_in_inboxes`: every in-app inbox entry in one INSERT … SELECT in the database (the
   inboxes of 100,000 people fill in about a second); call it in the transaction that
   creates the message.
2. `queue_sent_deliveries`: the deliveries that leave the platform. Email by INSERT …
   SELECT as well: the first FAN_OUT_CHUNK people, whose emails go out at once, then
   everyone else in one statement (about a second for 100,000 people); SMS and push, whose
   addresses need Python, in chunks of FAN_OUT_CHUNK people that commit one by one. Either
   way the workers start sending while the rest is still being queued. Whatever exists
   already (a repeated task) is kept as it is: nothing is added twice.

`reach_per_channel` then gives the figures a caller stores to mark the fan-out done.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import QuerySet

from weerbaar.accounts.models import User
from weerbaar.alerts import audience, preferences
from weerbaar.alerts.models import MessageKind, Severity
from weerbaar.core import outbox
from weerbaar.core.channels import get_channel
from weerbaar.core.models import OutboundMessage

FAN_OUT_CHUNK = 5000  # people per committed step


def store_in_inboxes(message: OutboundMessage, people: QuerySet[User], kind: MessageKind) -> int:
    """Put `message` in the inbox of those of `people` who read `kind` there."""
    return outbox.store_for_people(message, "inbox", preferences.choosing(people, kind, "inbox"))


def queue_sent_deliveries(
    message: OutboundMessage,
    people: QuerySet[User],
    kind: MessageKind,
    channels: Sequence[str],
    *,
    severity: str = Severity.WARNING,
) -> None:
    """Queue `message` on `channels` (not the inbox) for `people`, as each chose for
    `kind`. Email, whose addresses the database works out, goes in one INSERT … SELECT
    (`outbox.queue_for_people`); channels that need Python for an address (a phone number,
    push subscriptions) go in committed chunks of FAN_OUT_CHUNK people. Must run outside a
    transaction to commit step by step."""
    person_ids = list(people.order_by("pk").values_list("pk", flat=True))
    in_python = []
    for key in channels:
        if get_channel(key).people_with_addresses(people) is None:
            in_python.append(key)
            continue
        choosing = preferences.choosing(people, kind, key)
        if len(person_ids) <= FAN_OUT_CHUNK:
            outbox.queue_for_people(message, key, choosing)
            continue
        # The first chunk on its own, so its emails go out while the rest is inserted.
        first_chunk_ends = person_ids[FAN_OUT_CHUNK - 1]
        outbox.queue_for_people(message, key, choosing.filter(pk__lte=first_chunk_ends))
        outbox.queue_for_people(message, key, choosing.filter(pk__gt=first_chunk_ends))
    if not in_python:
        return
    for start in range(0, len(person_ids), FAN_OUT_CHUNK):
        chunk = User.objects.filter(pk__in=person_ids[start : start + FAN_OUT_CHUNK]).only(
            "pk", "email", "phone", "preferred_language"
        )
        with transaction.atomic():
            recipients = audience.recipients_for(
                chunk, kind, severity=severity, leave_out={"inbox"}
            )
            outbox.add_deliveries(message, recipients, in_python)


def delivery_counts(message: OutboundMessage) -> dict[str, dict[str, int]]:
    """{channel: {status: count}} of one message."""
    counts: dict[str, dict[str, int]] = {}
    rows = message.deliveries.values_list("channel", "status").order_by()
    for channel, status in rows.iterator(chunk_size=10000):
        per_status = counts.setdefault(channel, {})
        per_status[status] = per_status.get(status, 0) + 1
    return counts


def reach_per_channel(message: OutboundMessage) -> dict[str, int]:
    """Deliveries per channel of `message`, whatever their status."""
    return {
        channel: sum(per_status.values())
        for channel, per_status in delivery_counts(message).items()
    }
