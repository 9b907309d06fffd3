"""The "push" delivery channel: a message as a notification on every device where the
recipient turned push notifications on (see weerbaar.core.channels for the contract).

One delivery is one user; it goes to each of the user's subscriptions. The delivery is sent
when at least one device's push service accepted it: retrying the whole delivery for a device
that failed would show the message twice on the devices that got it. What each push service
answered is kept per subscription (last success, failures in a row); a subscription the push
service calls gone (404, 410) is removed.

The payload is small JSON that the service worker (templates/webpush/service_worker.js)
shows: {"title", "body", "url", "tag", "lang"}.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from weerbaar.contrib.webpush import services
from weerbaar.contrib.webpush.models import PushSubscription
from weerbaar.contrib.webpush.sender import (
    PushSender,
    PushSenderUnavailable,
    PushTransportError,
    get_sender,
)
from weerbaar.core.channels import (
    Channel,
    ChannelUnavailableError,
    PermanentDeliveryError,
    Recipient,
    TemporaryDeliveryError,
    register_channel,
)
from weerbaar.core.personal_slots import without_slots

if TYPE_CHECKING:
    from weerbaar.core.models import Delivery, OutboundMessage

logger = logging.getLogger(__name__)

# Pushes on this channel are urgent alerts: wake the device, and keep the message at the push
# service for a day when the device is off.
URGENCY = "high"
TTL_SECONDS = 24 * 60 * 60
BODY_FALLBACK_LENGTH = 200
# Push services take 4096 encrypted bytes (RFC 8291 §4); aes128gcm adds 103 of its own.
MAX_PAYLOAD_BYTES = 3800
NO_SUBSCRIPTION_LEFT = "no push subscription left"
# User ids per query when looking up many recipients (SQLite allows 32,766 parameters).
LOOKUP_CHUNK = 5000

ACCEPTED = frozenset({200, 201, 202})
GONE = frozenset({404, 410})


@register_channel
class PushChannel(Channel):
    key = "push"
    label = _("Push notification")
    interrupts = True  # a phone buzzes: waits for the end of quiet hours

    def __init__(self) -> None:
        self._sender: PushSender | None = None

    def address_for(self, recipient: Recipient) -> str | None:
        return self.addresses_for([recipient])[0]

    def addresses_for(self, recipients: Sequence[Recipient]) -> list[str | None]:
        """The user id of each recipient with at least one subscription, else None; one
        query for all of them."""
        user_ids = sorted(
            {r.user.pk for r in recipients if r.user is not None and r.user.pk is not None}
        )
        subscribed: set[int] = set()
        for start in range(0, len(user_ids), LOOKUP_CHUNK):
            subscribed.update(
                PushSubscription.objects.filter(user_id__in=user_ids[start : start + LOOKUP_CHUNK])
                .values_list("user_id", flat=True)
                .distinct()
            )
        return [
            str(r.user.pk) if r.user is not None and r.user.pk in subscribed else None
            for r in recipients
        ]

    def send(self, delivery: Delivery) -> None:
        user_id = delivery.recipient_id or _user_id_from_address(delivery.address)
        if user_id is None:
            raise PermanentDeliveryError(NO_SUBSCRIPTION_LEFT)
        subscriptions = list(PushSubscription.objects.filter(user_id=user_id).order_by("pk"))
        if not subscriptions:
            raise PermanentDeliveryError(NO_SUBSCRIPTION_LEFT)
        sender = self._open_sender()
        payload = push_payload(delivery.message, delivery.language)
        topic = f"m{delivery.message_id}"
        outcomes: Counter[str] = Counter()
        try:
            for subscription in subscriptions:
                outcomes[self._push(sender, subscription, payload, topic)] += 1
        except PushSenderUnavailable as error:
            raise ChannelUnavailableError(f"web push: {error}") from error
        if outcomes["accepted"]:
            return
        if outcomes["gone"] == len(subscriptions):
            raise PermanentDeliveryError(NO_SUBSCRIPTION_LEFT)
        summary = ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items()))
        if outcomes["retry"]:
            raise TemporaryDeliveryError(f"no push service accepted the message: {summary}")
        raise PermanentDeliveryError(f"every push service refused the message: {summary}")

    def close(self) -> None:
        if self._sender is None:
            return
        sender, self._sender = self._sender, None
        sender.close()

    def _open_sender(self) -> PushSender:
        if self._sender is None:
            try:
                self._sender = get_sender()
            except PushSenderUnavailable as error:
                raise ChannelUnavailableError(f"web push: {error}") from error
        return self._sender

    @staticmethod
    def _push(
        sender: PushSender, subscription: PushSubscription, payload: bytes, topic: str
    ) -> str:
        """Send to one device; "accepted", "gone", "retry" (may work later) or "refused"."""
        try:
            status = sender.send(
                subscription, payload, ttl=TTL_SECONDS, urgency=URGENCY, topic=topic
            )
        except PushTransportError as error:
            logger.warning("push service did not answer: %s", error)
            services.record_failure(subscription)
            return "retry"
        except ValueError as error:
            logger.warning("push subscription %s cannot be used: %s", subscription.pk, error)
            services.record_failure(subscription)
            return "refused"
        if status in ACCEPTED:
            services.record_accepted(subscription)
            return "accepted"
        if status in GONE:
            logger.info(
                "push subscription %s at %s is gone (%s), removed",
                subscription.pk,
                subscription.push_service,
                status,
            )
            services.remove_expired(subscription)
            return "gone"
        services.record_failure(subscription)
        logger.warning(
            "push service %s answered %s for subscription %s",
            subscription.push_service,
            status,
            subscription.pk,
        )
        # 429 (too many requests) and 5xx pass; 400, 401, 403 (a VAPID key that does not
        # match the subscription's) and 413 will not get better by sending the same again.
        return "retry" if status == 429 or status >= 500 else "refused"


def push_payload(message: OutboundMessage, language: str) -> bytes:
    """The notification as the service worker reads it, as compact UTF-8 JSON."""
    # Shared by every recipient: their personal links are left out.
    body = message.short_text or _shortened(without_slots(message.body_text), BODY_FALLBACK_LENGTH)
    fields: dict[str, Any] = {
        "title": message.subject,
        "body": body,
        "url": message.url or settings.SITE_URL.rstrip("/") + "/",
        # The same message twice (a retry after a lost acknowledgement) replaces the first
        # notification instead of showing a second one.
        "tag": f"weerbaar-message-{message.pk}",
        "lang": language,
    }
    data = _json(fields)
    # Only text full of characters JSON escapes gets this long; cut text, never the link.
    while len(data) > MAX_PAYLOAD_BYTES and (fields["body"] or fields["title"]):
        name = "body" if fields["body"] else "title"
        fields[name] = fields[name][: len(fields[name]) // 2]
        data = _json(fields)
    return data


def _json(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _shortened(text: str, length: int) -> str:
    words = " ".join(text.split())
    if len(words) <= length:
        return words
    return words[: length - 1].rstrip() + "…"


def _user_id_from_address(address: str) -> int | None:
    return int(address) if address.isdigit() else None
