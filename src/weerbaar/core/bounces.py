"""Bounces: emails that went out (SENT) but did not arrive, as the receiving side reports later.

A mail server that accepts an email may still fail to deliver it: the mailbox does not
exist, is full for good, or the receiving domain refuses it after the fact. That report
arrives minutes or days after the outbox marked the delivery sent, in one of two ways:

- An email provider (django-anymail: Postmark, Mailgun, Brevo, …) posts it to its tracking
  webhook under /anymail/<provider>/tracking/ (mounted only when EMAIL_BACKEND is an anymail
  backend; HTTP basic auth with ANYMAIL_WEBHOOK_SECRET). Anymail turns it into a
  `tracking` signal; `on_tracking_event` finds the delivery by the id we sent as metadata
  (channels.DELIVERY_METADATA_KEY), else by the provider's message id stored at sending.
- With plain SMTP the receiving server mails a delivery status notification (RFC 3464) to
  the envelope sender, DEFAULT_FROM_EMAIL. The mail server pipes it to
  `manage.py process_bounce`; `read_dsn` finds our Message-ID (`<weerbaar.delivery.N@…>`,
  channels.personal_headers) in the returned headers and the status of each recipient.

Only permanent failures count (provider events bounced, rejected, failed; DSN status 5.x.x);
delays and soft notices are left alone, because the sending server keeps trying. Both ways end
in `outbox.record_bounce`, which changes a SENT email delivery once and only when the report
names the address it went to. See docs/decisions/0013-bounces.md.
"""

from __future__ import annotations

import email
import logging
import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType

from weerbaar.core import outbox
from weerbaar.core.channels import DELIVERY_METADATA_KEY
from weerbaar.core.models import Delivery

__all__ = [
    "BOUNCE_EVENT_TYPES",
    "DsnFailure",
    "UnusableReport",
    "on_tracking_event",
    "read_dsn",
    "record_dsn",
]

logger = logging.getLogger(__name__)

# Anymail's normalised events that mean "will not arrive": the receiving server refused it
# (bounced), the provider refused to send it (rejected: a suppressed or invalid address) or
# could not (failed). "deferred" is a delay the provider retries itself.
BOUNCE_EVENT_TYPES = frozenset({EventType.BOUNCED, EventType.REJECTED, EventType.FAILED})
# The Message-ID the email channel gives every delivery (channels.personal_headers).
DELIVERY_MESSAGE_ID = re.compile(r"<\s*weerbaar\.delivery\.(\d{1,18})@[^>\s]+\s*>", re.ASCII)
# RFC 3464 status: class.subject.detail; class 5 is a permanent failure, 4 a transient one.
DSN_STATUS = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})\b", re.ASCII)
DELIVERY_STATUS_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
RETURNED_HEADERS_TYPES = frozenset({"text/rfc822-headers", "message/global-headers"})
RETURNED_MESSAGE_TYPES = frozenset({"message/rfc822", "message/global"})


def on_tracking_event(
    sender: object, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any
) -> None:
    """Receiver of anymail's `tracking` signal (connected in CoreConfig.ready): record a
    permanent failure of one of our emails as a bounce. Events of other kinds, of emails we
    cannot place, or naming another address change nothing; the webhook still answers 200,
    so the provider does not post them again. A database error propagates: the webhook
    answers 500 and the provider tries again later."""
    if event.event_type not in BOUNCE_EVENT_TYPES:
        return
    delivery_id = _delivery_of_event(event)
    if delivery_id is None:
        logger.info("%s %s event for an email that is not ours", esp_name, event.event_type)
        return
    details = [event.description or "", event.mta_response or ""]
    reason = f"{esp_name}: {event.event_type}: " + " ".join(part for part in details if part)
    outbox.record_bounce(
        delivery_id,
        reason=reason,
        recipient=event.recipient or "",
        bounced_at=event.timestamp,
    )


def _delivery_of_event(event: AnymailTrackingEvent) -> int | None:
    metadata = event.metadata if isinstance(event.metadata, dict) else {}
    delivery_id = _as_id(metadata.get(DELIVERY_METADATA_KEY))
    if delivery_id is not None:
        return delivery_id
    if not event.message_id:
        return None
    # The fallback for providers that do not echo metadata in every event. The condition
    # repeats the partial index's, so every database uses it.
    return (
        Delivery.objects.exclude(provider_message_id="")
        .filter(provider_message_id=str(event.message_id))
        .values_list("pk", flat=True)
        .first()
    )


def _as_id(value: object) -> int | None:
    text = str(value).strip() if isinstance(value, str | int) else ""
    return int(text) if text.isdigit() and len(text) <= 18 else None


# --- delivery status notifications (SMTP) ---------------------------------------------------


class UnusableReport(Exception):
    """The email is not a report of a permanent failure of one of our deliveries; the
    message says why, for the log."""


@dataclass(frozen=True)
class DsnFailure:
    """One recipient a delivery status notification reports as failed for good."""

    delivery_id: int
    addresses: tuple[str, ...]  # as the report names them: final and original recipient
    reason: str


def read_dsn(raw: bytes) -> list[DsnFailure]:
    """The permanent failures a delivery status notification (RFC 3464) reports about one of
    our emails. Raises UnusableReport for anything else: another kind of email, a delay
    notice (4.x.x), a success notice, a report about someone else's email, unreadable bytes.

    Reads the first multipart/report of type delivery-status; the Message-ID of the failed
    email comes from its returned headers (text/rfc822-headers) or message (message/rfc822).
    The parser is Python's lenient one: no input raises anything but UnusableReport."""
    try:
        return _read_dsn(email.message_from_bytes(raw))
    except UnusableReport:
        raise
    except Exception as error:  # the email package has parse bugs on hostile input
        raise UnusableReport(f"unreadable email ({type(error).__name__})") from error


def _read_dsn(message: Message) -> list[DsnFailure]:
    report = _delivery_report(message)
    if report is None:
        raise UnusableReport("not a delivery status notification (multipart/report)")
    parts = report.get_payload()
    if not isinstance(parts, list):
        raise UnusableReport("a delivery status notification without parts")
    status_blocks: list[Message] = []
    returned_headers: Message | None = None
    for part in parts:
        if not isinstance(part, Message):
            continue
        content_type = part.get_content_type()
        if content_type in DELIVERY_STATUS_TYPES and not status_blocks:
            status_blocks = _status_blocks(part)
        elif content_type in RETURNED_HEADERS_TYPES and returned_headers is None:
            returned_headers = HeaderParser().parsestr(_text_of(part))
        elif content_type in RETURNED_MESSAGE_TYPES and returned_headers is None:
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                returned_headers = inner[0]
    if not status_blocks:
        raise UnusableReport("a delivery status notification without a delivery-status part")
    if returned_headers is None:
        raise UnusableReport("the report returns neither the headers nor the message")
    found = DELIVERY_MESSAGE_ID.search(str(returned_headers.get("Message-ID", "")))
    if found is None:
        raise UnusableReport("the returned email is not one of our deliveries")
    delivery_id = int(found.group(1))
    # The first block holds the per-message fields; each later one is one recipient.
    failures = [
        failure
        for block in status_blocks[1:]
        if (failure := _permanent_failure(block, delivery_id)) is not None
    ]
    if not failures:
        raise UnusableReport(
            f"no permanent failure reported for delivery {delivery_id} (a delay or success notice)"
        )
    return failures


def record_dsn(failures: list[DsnFailure]) -> bool:
    """Record the failures `read_dsn` found as a bounce of their delivery (outbox.record_bounce),
    matching each address the report names against the one the delivery went to. Returns
    whether a delivery changed; False for an unknown, not sent or already bounced one."""
    for failure in failures:
        for address in failure.addresses:
            if outbox.record_bounce(failure.delivery_id, reason=failure.reason, recipient=address):
                return True
    return False


def _delivery_report(message: Message) -> Message | None:
    for part in message.walk():
        if part.get_content_type() == "multipart/report" and str(
            part.get_param("report-type", "")
        ).lower() in {"delivery-status", ""}:
            return part
    return None


def _status_blocks(part: Message) -> list[Message]:
    """The field blocks of a delivery-status part. Python parses message/delivery-status into
    blocks itself; other types (global-delivery-status) arrive as text."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = _text_of(part).replace("\r\n", "\n")
    return [HeaderParser().parsestr(block) for block in re.split(r"\n\s*\n", text) if block.strip()]


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode("utf-8", "replace")
    return str(part.get_payload())


def _permanent_failure(block: Message, delivery_id: int) -> DsnFailure | None:
    status = DSN_STATUS.match(str(block.get("Status", "")))
    action = str(block.get("Action", "failed")).strip().lower()
    if status is None or status.group(1) != "5" or action != "failed":
        return None
    addresses = tuple(
        address
        for field in ("Final-Recipient", "Original-Recipient")
        if (address := _address_of(str(block.get(field, ""))))
    )
    if not addresses:
        return None
    code = ".".join(status.groups())
    diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
    return DsnFailure(delivery_id, addresses, f"bounce report {code}: {diagnostic}".strip(" :"))


def _address_of(field: str) -> str:
    """The address of a recipient field, `rfc822; someone@example.nl`; other address types
    (utf-8, x400) are compared as written."""
    _type, _, address = field.partition(";")
    return address.strip().strip("<>").strip().lower()
