"""The in-app inbox: a delivery channel whose Delivery row is the message itself.

An entrepreneur's portal shows the deliveries on channel "inbox" addressed to them. Nothing
leaves the platform, so the row is stored as sent when the message is queued
(`Channel.stores_only`): the inbox of 100,000 people is filled by the INSERT that queues the
message, without a worker touching each row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from weerbaar.core.channels import Channel, Recipient, register_channel

if TYPE_CHECKING:
    from weerbaar.core.models import Delivery


@register_channel
class InboxChannel(Channel):
    key = "inbox"
    label = _("Inbox on this site")
    stores_only = True

    def address_for(self, recipient: Recipient) -> str | None:
        user = recipient.user
        return str(user.pk) if user is not None and user.pk else None

    def send(self, delivery: Delivery) -> None:
        """Nothing to hand over: the stored row is what the recipient reads."""
