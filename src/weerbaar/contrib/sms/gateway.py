"""The SMS gateway interface: what the SMS channel needs from a provider, and nothing more.

A gateway hands one text to one number and answers with the provider's reference, or raises
one of three errors that tell the caller what to do next:

- `SmsRejectedError`: this message can never go out (the number does not exist, is
  blocked, the provider refuses the text); do not retry it;
- `SmsGatewayError`: it may work later (timeout, 5xx, rate limit, an answer that is not
  what the provider documents); retry this message;
- `SmsGatewayUnavailableError`: nothing can go out until someone acts or the provider
  recovers (login refused, credit used up, sender name refused, provider unreachable);
  stop sending this batch.

`get_gateway()` returns the implementation settings.SMS_GATEWAY names: "console" (the
default: logs and remembers, sends nothing) or "cm" (CM.com Business Messaging).
"""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GATEWAY_KINDS = ("console", "cm")

# Alphanumeric sender: at most 11 letters, digits or spaces, at least one letter. Numeric
# sender (a phone number people can reply to): at most 16 digits, international format.
_ALPHANUMERIC_SENDER_RE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
_NUMERIC_SENDER_RE = re.compile(r"^\+?[0-9]{1,16}$")


class SmsError(Exception):
    """Base of the gateway errors; the message names the cause for the delivery's log and
    never holds credentials."""


class SmsRejectedError(SmsError):
    """Permanent: this message to this number will never be accepted."""


class SmsGatewayError(SmsError):
    """Temporary: a later attempt at this message may succeed."""


class SmsGatewayUnavailableError(SmsGatewayError):
    """The gateway cannot send anything now (configuration, credit, unreachable)."""


@runtime_checkable
class SmsGateway(Protocol):
    def send(self, to: str, text: str, reference: str) -> str:
        """Hand `text` to the provider for `to` (E.164, "+31612345678"). `reference` (1 to
        32 letters and digits) identifies the message in the provider's status reports.
        Returns the provider's id or reference for the message."""
        ...

    def close(self) -> None:
        """Release connections. Must not raise."""
        ...


def validate_sender(sender: str) -> str:
    """The sender shown on the phone, checked: at most 11 letters, digits and spaces (with
    at least one letter), or a number of at most 16 digits. ImproperlyConfigured otherwise:
    carriers refuse or rewrite other senders."""
    if _ALPHANUMERIC_SENDER_RE.match(sender) and sender.strip() == sender:
        return sender
    if _NUMERIC_SENDER_RE.match(sender):
        return sender
    raise ImproperlyConfigured(
        "SMS_SENDER must be at most 11 letters, digits and spaces (with a letter, no space "
        f"at either end) or a phone number of at most 16 digits, not {sender!r}."
    )


def get_gateway() -> SmsGateway:
    """The gateway settings.SMS_GATEWAY asks for; ImproperlyConfigured when the setting or
    the provider's settings (token, sender) are wrong."""
    kind = settings.SMS_GATEWAY
    if kind == "console":
        from weerbaar.contrib.sms.console import ConsoleSmsGateway

        return ConsoleSmsGateway()
    if kind == "cm":
        from weerbaar.contrib.sms.cm import CmSmsGateway

        return CmSmsGateway(
            url=settings.SMS_CM_URL,
            product_token=settings.SMS_CM_PRODUCT_TOKEN,
            sender=settings.SMS_SENDER,
            timeout=settings.SMS_TIMEOUT_SECONDS,
        )
    raise ImproperlyConfigured(f"SMS_GATEWAY must be one of {GATEWAY_KINDS}, not {kind!r}.")
