"""Delivery channels: how one `Delivery` leaves the platform.

A channel is a plugin: a `Channel` subclass registered with `@register_channel` under a
unique `key` (stored on each Delivery row). The outbox (`weerbaar.core.outbox`) looks channels
up with `get_channel(key)`; domain code never calls a channel directly. A channel defined in
another app must be imported from that app's `AppConfig.ready()`, so it is registered in web
processes and workers alike.

The contract of `Channel.send(delivery)`:

- return normally only once the message has been handed over (the SMTP server accepted it);
  the outbox then marks the delivery sent;
- raise `PermanentDeliveryError` when trying again cannot help (invalid address, recipient
  refused with a 5xx code); the delivery fails for good;
- raise `TemporaryDeliveryError` when a later attempt may succeed; the outbox retries it
  with exponential backoff;
- raise `ChannelUnavailableError` when the channel as a whole cannot send now (mail server
  unreachable, login refused): the delivery is retried later and the rest of the batch is
  left queued instead of waiting for the same timeout over and over;
- any other exception counts as temporary and is logged with its traceback.

The outbox creates one channel instance per batch and uses it as a context manager, so a
channel may keep a connection open for the whole batch (`close()` ends it).
"""

from __future__ import annotations

import logging
import smtplib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy as email_policy
from email.utils import parseaddr
from functools import lru_cache
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar, Self

from anymail.exceptions import (
    AnymailAPIError,
    AnymailError,
)
from anymail.message import AnymailMessage
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.utils import DNS_NAME
from django.core.validators import validate_email
from django.db import DatabaseError
from django.db.models import QuerySet
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

if TYPE_CHECKING:
    from weerbaar.accounts.models import User
    from weerbaar.core.models import Delivery

logger = logging.getLogger(__name__)

ADDRESS_CHUNK = 5000  # addresses per query: well below SQLite's limit on parameters

# Metadata key of the delivery id on an email sent through a django-anymail provider; the
# provider echoes it in its tracking webhooks, which is how a bounce finds its delivery
# (core.bounces). Prefixed: other applications may share the provider account.
DELIVERY_METADATA_KEY = "weerbaar_delivery"


class DeliveryError(Exception):
    """Sending one delivery failed; the message is stored as the delivery's last error."""


class TemporaryDeliveryError(DeliveryError):
    """A later attempt may succeed."""


class ChannelUnavailableError(TemporaryDeliveryError):
    """The channel cannot send anything right now; stop the batch, retry later."""


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help (for example an invalid address)."""


class UnknownChannelError(LookupError):
    pass


@dataclass(frozen=True)
class Recipient:
    """Someone to send a message to. `address` is the email address (may be empty for
    someone reached only another way); a channel that needs something else derives it in
    `address_for()`: the phone number (`phone`, else the user's), the user's inbox or push
    subscriptions (`user`)."""

    address: str
    user: User | None = None
    language: str = "nl"
    phone: str = ""
    # The channels this recipient chose for this message; None: every channel of the message.
    channels: frozenset[str] | None = None
    # Quiet hours: channels that interrupt (SMS, push) wait until then; None: send now.
    quiet_until: datetime | None = None


class Channel(ABC):
    key: ClassVar[str]
    label: ClassVar[StrOrPromise]
    # Makes a phone buzz (SMS, push): waits for the end of the recipient's quiet hours.
    interrupts: ClassVar[bool] = False
    # The Delivery row is the message itself (the in-app inbox): it is stored as sent when
    # queued, and never handed to a worker.
    stores_only: ClassVar[bool] = False

    @abstractmethod
    def address_for(self, recipient: Recipient) -> str | None:
        """The normalised address of `recipient` on this channel; None when the recipient
        cannot be reached this way (no delivery is created then)."""

    def addresses_for(self, recipients: Sequence[Recipient]) -> list[str | None]:
        """`address_for` of many recipients at once, in order. A channel that needs a query
        per recipient overrides this with one query for all (fan-out to 100,000 people)."""
        return [self.address_for(recipient) for recipient in recipients]

    def people_with_addresses(self, people: QuerySet[User]) -> QuerySet[User] | None:
        """`people` who can be reached on this channel, annotated with `channel_address`
        (what `address_for` would give), computed in the database; None when the address
        needs Python (a phone number to parse, push subscriptions). Lets the outbox queue a
        message for 100,000 people in one INSERT … SELECT (`outbox.queue_for_people`)."""
        return None

    @abstractmethod
    def send(self, delivery: Delivery) -> None:
        """Hand `delivery` over, or raise a `DeliveryError` (see the module docstring)."""

    def close(self) -> None:  # noqa: B027 - optional hook; most channels hold nothing open
        """Release what the batch held open (connections). Must not raise."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


_REGISTRY: dict[str, type[Channel]] = {}


def register_channel[C: type[Channel]](channel_class: C) -> C:
    """Class decorator: make `channel_class` available under its `key`."""
    key = channel_class.key
    registered = _REGISTRY.get(key)
    if registered is not None and registered is not channel_class:
        raise ValueError(f"channel key {key!r} is already registered by {registered!r}")
    _REGISTRY[key] = channel_class
    return channel_class


def get_channel(key: str) -> Channel:
    """A fresh instance of the channel registered under `key`."""
    try:
        return _REGISTRY[key]()
    except KeyError:
        raise UnknownChannelError(f"no delivery channel {key!r} is registered") from None


def channel_choices() -> list[tuple[str, StrOrPromise]]:
    """(key, label) of every registered channel, for forms and admin filters."""
    return [(key, cls.label) for key, cls in sorted(_REGISTRY.items())]


@register_channel
class EmailChannel(Channel):
    """Email through Django's default mailer (settings.MAILERS: console, SMTP or anymail),
    one message per recipient so no recipient sees another's address."""

    key = "email"
    label = _("Email")

    def __init__(self) -> None:
        self._mailer: BaseEmailBackend | None = None
        self._prepared = _PreparedEmails(self._email)

    def address_for(self, recipient: Recipient) -> str | None:
        return self.addresses_for([recipient])[0]

    def people_with_addresses(self, people: QuerySet[User]) -> QuerySet[User] | None:
        # The same rule as addresses_for, in SQL.
        from weerbaar.core.models import SuppressedAddress

        return (
            people.annotate(channel_address=Lower(Trim("email")))
            .exclude(channel_address="")
            .exclude(channel_address__in=SuppressedAddress.objects.values("address"))
        )

    def addresses_for(self, recipients: Sequence[Recipient]) -> list[str | None]:
        # Lower case like account emails, so one person is one delivery; mailbox names are
        # case-insensitive in practice. An address that bounced for good gets nothing more.
        from weerbaar.core.models import SuppressedAddress

        addresses = [recipient.address.strip().lower() or None for recipient in recipients]
        wanted = sorted({address for address in addresses if address})
        suppressed: set[str] = set()
        for start in range(0, len(wanted), ADDRESS_CHUNK):
            suppressed.update(
                SuppressedAddress.objects.filter(
                    address__in=wanted[start : start + ADDRESS_CHUNK]
                ).values_list("address", flat=True)
            )
        return [None if address in suppressed else address for address in addresses]

    def send(self, delivery: Delivery) -> None:
        try:
            validate_email(delivery.address)
        except ValidationError:
            raise PermanentDeliveryError("invalid email address") from None
        try:
            mailer = self._open_mailer()
            if isinstance(mailer, SMTPBackend) and mailer.connection is not None:
                prepared = self._prepared.for_delivery(mailer, delivery)
                if prepared is not None:
                    mailer.connection.sendmail(prepared.sender, [delivery.address], prepared.data)
                    return
            email = self._email(delivery)
            accepted = mailer.send_messages([email])
        except ValueError as error:
            # The mailer builds the message: header problems are the message's fault, not
            # the server's.
            raise PermanentDeliveryError(f"message cannot be built: {error}") from error
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _reply in error.recipients.values()]
            refused = f"recipient refused: {codes}"
            if codes and all(code >= 500 for code in codes):
                raise PermanentDeliveryError(refused) from error
            raise TemporaryDeliveryError(refused) from error
        except smtplib.SMTPDataError as error:
            rejected = f"message refused: {error.smtp_code} {error.smtp_error!r}"
            if error.smtp_code >= 500:
                raise PermanentDeliveryError(rejected) from error
            raise TemporaryDeliveryError(rejected) from error
        except AnymailAPIError as error:
            raise TemporaryDeliveryError(f"email provider: {error}") from error
        except AnymailError as error:
            # Refused recipients, invalid addresses, unsupported content: this message.
            raise PermanentDeliveryError(f"email provider: {error}") from error
        except OSError as error:
            # SMTPException is an OSError too: disconnects, refused sender or login, timeouts.
            self.close()
            raise ChannelUnavailableError(f"mail server: {error!r}") from error
        if not accepted:
            raise TemporaryDeliveryError("the mail backend accepted nothing")
        _remember_provider_message_id(delivery, email)

    def _email(self, delivery: Delivery, to: str | None = None) -> EmailMultiAlternatives:
        message = delivery.message
        # An EmailMultiAlternatives that django-anymail providers read metadata from; other
        # mailers ignore it.
        email = AnymailMessage(
            message.subject,
            message.body_text,
            None,
            [to or delivery.address],
            headers=shared_headers(delivery) | ({} if to else personal_headers(delivery)),
        )
        if to is None:
            email.metadata = {DELIVERY_METADATA_KEY: str(delivery.pk)}
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        return email

    def close(self) -> None:
        if self._mailer is None:
            return
        mailer, self._mailer = self._mailer, None
        try:
            mailer.close()
        except Exception:
            logger.warning("closing the mail connection failed", exc_info=True)

    def _open_mailer(self) -> BaseEmailBackend:
        if self._mailer is None:
            # Kept open until close(): one connection per batch. Stored before open() so a
            # half-opened connection is closed too.
            self._mailer = mailers.default
            self._mailer.open()
        return self._mailer


def _remember_provider_message_id(delivery: Delivery, email: EmailMultiAlternatives) -> None:
    """Store the id a django-anymail provider gave the email, to match its bounce reports
    that do not echo our metadata. Other mailers set no `anymail_status`: nothing to do.

    The email has gone out by now, so a database error here must not fail the delivery (it
    would be sent again); the provider's report then finds the delivery by metadata or not
    at all."""
    from weerbaar.core.models import Delivery

    status = getattr(email, "anymail_status", None)
    message_id = getattr(status, "message_id", None)
    if message_id is None or isinstance(message_id, set):
        return  # none, or one per recipient of a message to several (not ours)
    provider_id = str(message_id)[: Delivery._meta.get_field("provider_message_id").max_length]
    try:
        Delivery.objects.filter(pk=delivery.pk).update(provider_message_id=provider_id)
    except DatabaseError:
        logger.warning("could not store the provider id of delivery %s", delivery.pk)
    else:
        delivery.provider_message_id = provider_id


def shared_headers(delivery: Delivery) -> dict[str, str]:
    """Headers every recipient of a message in one language gets."""
    # RFC 3834: keeps out-of-office replies away from a noreply address.
    headers = {"Auto-Submitted": "auto-generated"}
    if delivery.language:
        headers["Content-Language"] = delivery.language
    headers.update(delivery.message.headers)
    return headers


def personal_headers(delivery: Delivery) -> dict[str, str]:
    """Headers of one delivery: its providers' (List-Unsubscribe) and its Message-ID."""
    headers: dict[str, str] = {}
    for provider in _HEADER_PROVIDERS:
        headers.update(provider(delivery))
    # The same on every attempt, so a receiving system can drop a duplicate.
    headers["Message-ID"] = f"<weerbaar.delivery.{delivery.pk}@{_message_id_domain()}>"
    return headers


@dataclass(frozen=True)
class PreparedEmail:
    sender: str
    data: bytes


class _PreparedEmails:
    """The emails of one message over SMTP, built and serialised once per language; per
    recipient only To, Message-ID and the personal headers are written in front.

    Django builds and serialises every email with Python's email API (address parsing,
    header folding, body encoding): about 1.5 ms of CPU each, most of a worker's time when
    one alert goes to 100,000 people with the same text. Anything that does not fit plain
    ASCII header lines (an international address, a header value with other characters)
    goes the normal way instead (None)."""

    TEMPLATE_ADDRESS = "recipient@weerbaar.invalid"  # replaced by each recipient's own

    def __init__(self, build: Callable[..., EmailMultiAlternatives]) -> None:
        self._build = build
        self._shared: dict[tuple[int, str], tuple[str, bytes]] = {}

    def for_delivery(self, mailer: SMTPBackend, delivery: Delivery) -> PreparedEmail | None:
        personal = {"To": delivery.address, **personal_headers(delivery)}
        lines = [f"{name}: {value}" for name, value in personal.items()]
        if not all(_plain_header_line(line) for line in lines):
            return None
        static = {name.lower() for name in delivery.message.headers}
        if static & {name.lower() for name in personal}:
            return None  # a message header a personal one replaces: the normal way
        key = (delivery.message_id, delivery.language)
        if key not in self._shared:
            email = self._build(delivery, to=self.TEMPLATE_ADDRESS)
            raw = email.message(policy=email_policy.SMTP).as_bytes()
            sender = mailer.prep_address(email.from_email)
            # Django wrote To (the template address) and a Message-ID of its own.
            self._shared[key] = (sender, _without_fields(raw, {"to", "message-id"}))
        sender, shared = self._shared[key]
        head = "".join(f"{line}\r\n" for line in lines).encode("ascii")
        return PreparedEmail(sender, head + shared)


def _plain_header_line(line: str) -> bool:
    return line.isascii() and "\r" not in line and "\n" not in line and len(line) <= 998


def _without_fields(raw: bytes, names: set[str]) -> bytes:
    """`raw` (a serialised message) without the header fields named in `names` (lower
    case), continuation lines included; the body is untouched."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    kept: list[bytes] = []
    dropping = False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].decode("ascii", "replace").strip().lower()
        dropping = name in names
        if not dropping:
            kept.append(line)
    return b"\r\n".join(kept) + separator + body


HeaderProvider = Callable[["Delivery"], dict[str, str]]
_HEADER_PROVIDERS: list[HeaderProvider] = []


def register_email_headers(provider: HeaderProvider) -> HeaderProvider:
    """Add headers per delivery to every email, for example a personal List-Unsubscribe
    link; `provider` returns {} for messages it has nothing to add to. Registered once, from
    an AppConfig.ready()."""
    if provider not in _HEADER_PROVIDERS:
        _HEADER_PROVIDERS.append(provider)
    return provider


def _message_id_domain() -> str:
    return _domain_of(settings.DEFAULT_FROM_EMAIL)


@lru_cache(maxsize=8)
def _domain_of(sender: str) -> str:
    # Cached: parsing the address once per email was a tenth of a worker's CPU per email.
    return parseaddr(sender)[1].rpartition("@")[2] or str(DNS_NAME)
