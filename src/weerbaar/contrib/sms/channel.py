"""The "sms" delivery channel: the outbox's deliveries to mobile phones, through the gateway
settings.SMS_GATEWAY names.

A recipient is reached on their own number (`Recipient.phone`, else their account's phone)
when it is a valid mobile number; anyone else gets no SMS delivery, so previews of a
message's reach do not count them. The text is the message's short text (else its subject)
with its link, fitted into three SMS parts by `compose_sms()`.

Gateway errors map onto the outbox's: rejected → permanent, temporary → retried later,
unavailable → the rest of the batch waits. Three temporary failures in a row also stop the
batch: a gateway that times out on every message would otherwise hold a worker for
timeout × batch size.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from weerbaar.contrib.sms.gateway import (
    SmsGateway,
    SmsGatewayError,
    SmsGatewayUnavailableError,
    SmsRejectedError,
    get_gateway,
)
from weerbaar.contrib.sms.phone import normalise_mobile
from weerbaar.contrib.sms.text import compose_sms
from weerbaar.core.channels import (
    Channel,
    ChannelUnavailableError,
    PermanentDeliveryError,
    Recipient,
    TemporaryDeliveryError,
    register_channel,
)

if TYPE_CHECKING:
    from weerbaar.core.models import Delivery

logger = logging.getLogger(__name__)

MAX_FAILURES_IN_A_ROW = 3


def delivery_reference(delivery: Delivery) -> str:
    """The same on every attempt, so the provider's reports can be matched to the row."""
    return f"weerbaar{delivery.pk}"


@register_channel
class SmsChannel(Channel):
    key = "sms"
    label = _("SMS")
    interrupts = True  # a phone buzzes: waits for the end of quiet hours

    def __init__(self) -> None:
        self._gateway: SmsGateway | None = None
        self._failures_in_a_row = 0

    def address_for(self, recipient: Recipient) -> str | None:
        phone = recipient.phone or (recipient.user.phone if recipient.user is not None else "")
        return normalise_mobile(phone) if phone else None

    def send(self, delivery: Delivery) -> None:
        number = normalise_mobile(delivery.address)
        if number is None:
            raise PermanentDeliveryError("not a mobile phone number")
        message = delivery.message
        text = compose_sms(message.short_text or message.subject, message.url)
        if not text:
            raise PermanentDeliveryError("the message has no text for an SMS")
        gateway = self._open_gateway()
        try:
            gateway.send(number, text, delivery_reference(delivery))
        except SmsGatewayUnavailableError as error:
            self.close()
            raise ChannelUnavailableError(f"SMS gateway: {error}") from error
        except SmsGatewayError as error:
            self._failures_in_a_row += 1
            if self._failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                self.close()
                raise ChannelUnavailableError(
                    f"SMS gateway: {error} ({self._failures_in_a_row} failures in a row)"
                ) from error
            raise TemporaryDeliveryError(f"SMS gateway: {error}") from error
        except SmsRejectedError as error:
            self._failures_in_a_row = 0  # the gateway answered: it works
            raise PermanentDeliveryError(f"SMS gateway: {error}") from error
        self._failures_in_a_row = 0

    def close(self) -> None:
        if self._gateway is None:
            return
        gateway, self._gateway = self._gateway, None
        try:
            gateway.close()
        except Exception:
            logger.warning("closing the SMS gateway failed", exc_info=True)

    def _open_gateway(self) -> SmsGateway:
        if self._gateway is None:
            try:
                self._gateway = get_gateway()
            except ImproperlyConfigured as error:
                raise ChannelUnavailableError(f"SMS settings: {error}") from error
        return self._gateway
