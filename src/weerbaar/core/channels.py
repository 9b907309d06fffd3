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
channel may keep a connection open for the whole batch (`close()` ends it). A channel that
can send several deliveries at once, or knows the moment the other side takes a message
(the email channel over SMTP: just before the final dot), overrides `send_group`.
"""

from __future__ import annotations

import logging
import re
import smtplib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy as email_policy
from email.message import Message
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

from weerbaar.core.personal_slots import fill_slots, slot_values, slots_in
from weerbaar.core.smtp_lockstep import Transaction, send_in_lockstep

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

    @property
    def group_size(self) -> int:
        """How many deliveries `send_group` takes at once to some advantage."""
        return 1

    def send_group(
        self, deliveries: Sequence[Delivery], committing: Committing | None = None
    ) -> list[Exception | None]:
        """Send `deliveries`; one outcome each, in order: None when handed over, else the
        exception `send` raised. After a ChannelUnavailableError the rest is not tried and
        gets the same error.

        `committing`, when given, is called with deliveries just before the other side can
        take them (the outbox notes them in the sent journal there); a channel that cannot
        tell that moment does not call it, and the outbox notes each send after it. This
        default sends one by one and does not call it."""
        outcomes: list[Exception | None] = []
        for delivery in deliveries:
            stopped = _unavailability(outcomes)
            if stopped is not None:
                outcomes.append(stopped)
                continue
            try:
                self.send(delivery)
            except Exception as error:
                outcomes.append(error)
            else:
                outcomes.append(None)
        return outcomes

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


def _unavailability(outcomes: Sequence[Exception | None]) -> ChannelUnavailableError | None:
    """The first outcome saying the channel cannot send now, if any."""
    return next((o for o in outcomes if isinstance(o, ChannelUnavailableError)), None)


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
        # Opened on first use and kept until close(): the connections of one batch. The
        # first sends everything; more SMTP connections join it for groups (send_group).
        self._mailers: list[BaseEmailBackend] = []
        self._prepared = _PreparedEmails(self._email)

    @property
    def group_size(self) -> int:
        return max(1, settings.OUTBOX_SMTP_CONNECTIONS)

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
        invalid = _invalid_address(delivery)
        if invalid is not None:
            raise invalid
        try:
            alone = self._transactions([delivery], [0])
            if alone:
                send_in_lockstep(list(alone.values()))
                if alone[0].outcome is not None:
                    raise alone[0].outcome
            else:
                self._send_built(delivery)
        except Exception as error:
            meaning = self._delivery_error(error)
            if meaning is error:
                raise
            raise meaning from error

    def send_group(
        self, deliveries: Sequence[Delivery], committing: Committing | None = None
    ) -> list[Exception | None]:
        """Over SMTP, the emails that fit a prepared message go out together, one per
        connection (core.smtp_lockstep), with `committing` called just before the server can
        take them; anything else goes through `send` one by one (its send is noted after
        it, as for every channel)."""
        outcomes: list[Exception | None] = [_invalid_address(d) for d in deliveries]
        valid = [index for index, outcome in enumerate(outcomes) if outcome is None]
        try:
            together = self._transactions(deliveries, valid)
        except OSError as error:
            unavailable = self._delivery_error(error)
            return [outcome or unavailable for outcome in outcomes]
        if together:
            send_in_lockstep(
                list(together.values()),
                None
                if committing is None
                else lambda ready: committing(
                    [deliveries[i] for i, t in together.items() if t in ready]
                ),
            )
            for index, transaction in together.items():
                if transaction.outcome is not None:
                    outcomes[index] = self._delivery_error(transaction.outcome)
        rest = [index for index in valid if index not in together]
        stopped = _unavailability(outcomes)
        one_by_one = (
            [stopped] * len(rest)
            if stopped is not None
            else super().send_group([deliveries[index] for index in rest])
        )
        for index, outcome in zip(rest, one_by_one, strict=True):
            outcomes[index] = outcome
        return outcomes

    def _send_built(self, delivery: Delivery) -> None:
        """The normal way: the mailer builds and sends the email (any mailer)."""
        email = self._email(delivery)
        if not self._open_mailers(1)[0].send_messages([email]):
            raise TemporaryDeliveryError("the mail backend accepted nothing")
        _remember_provider_message_id(delivery, email)

    def _delivery_error(self, error: Exception) -> Exception:
        """What a send's exception means for the delivery (see the module docstring); an
        exception of another kind is returned as it is."""
        if isinstance(error, DeliveryError):
            return error
        if isinstance(error, ValueError):
            # The mailer builds the message: header problems are the message's fault, not
            # the server's.
            return PermanentDeliveryError(f"message cannot be built: {error}")
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _reply in error.recipients.values()]
            refused = f"recipient refused: {codes}"
            if codes and all(code >= 500 for code in codes):
                return PermanentDeliveryError(refused)
            return TemporaryDeliveryError(refused)
        if isinstance(error, smtplib.SMTPDataError):
            rejected = f"message refused: {error.smtp_code} {error.smtp_error!r}"
            if error.smtp_code >= 500:
                return PermanentDeliveryError(rejected)
            return TemporaryDeliveryError(rejected)
        if isinstance(error, AnymailAPIError):
            return TemporaryDeliveryError(f"email provider: {error}")
        if isinstance(error, AnymailError):
            # Refused recipients, invalid addresses, unsupported content: this message.
            return PermanentDeliveryError(f"email provider: {error}")
        if isinstance(error, OSError):
            # SMTPException is an OSError too: disconnects, refused sender or login, timeouts.
            self.close()
            return ChannelUnavailableError(f"mail server: {error!r}")
        return error

    def _email(self, delivery: Delivery, to: str | None = None) -> EmailMultiAlternatives:
        message = delivery.message
        # An EmailMultiAlternatives that django-anymail providers read metadata from; other
        # mailers ignore it.
        # The template of prepared emails (`to` given) keeps the personal slots for them.
        personal = fill_slots if to is None else (lambda _delivery, text: text)
        email = AnymailMessage(
            personal(delivery, message.subject),
            personal(delivery, message.body_text),
            None,
            [to or delivery.address],
            headers=shared_headers(delivery) | ({} if to else personal_headers(delivery)),
        )
        if to is None:
            email.metadata = {DELIVERY_METADATA_KEY: str(delivery.pk)}
        if message.body_html:
            email.attach_alternative(personal(delivery, message.body_html), "text/html")
        return email

    def close(self) -> None:
        mailers, self._mailers = self._mailers, []
        for mailer in mailers:
            try:
                mailer.close()
            except Exception:
                logger.warning("closing the mail connection failed", exc_info=True)

    def _open_mailers(self, count: int) -> list[BaseEmailBackend]:
        """At least `count` open mailers (the first one always); raises OSError."""
        while len(self._mailers) < max(count, 1):
            # Stored before open() so a half-opened connection is closed too.
            mailer = mailers.default
            self._mailers.append(mailer)
            mailer.open()
        return self._mailers

    def _smtp_connections(self, wanted: int) -> list[smtplib.SMTP]:
        """Up to `wanted` open SMTP connections for prepared emails; none when the mailer
        does not talk SMTP itself (console, locmem, an email provider's API)."""
        if wanted == 0 or not isinstance(self._open_mailers(1)[0], SMTPBackend):
            return []
        connections = []
        for mailer in self._open_mailers(wanted)[:wanted]:
            assert isinstance(mailer, SMTPBackend)
            if mailer.connection is None:  # fail_silently swallowed an error: not ours
                break
            mailer.connection.ehlo_or_helo_if_needed()
            connections.append(mailer.connection)
        return connections

    def _transactions(
        self, deliveries: Sequence[Delivery], indexes: list[int]
    ) -> dict[int, Transaction]:
        """SMTP transactions for those of `deliveries` (at `indexes`) that fit a prepared
        email, each on a connection of its own; none when the mailer does not talk SMTP
        itself. Raises OSError when a connection cannot be opened."""
        connections = self._smtp_connections(len(indexes))
        if not connections:
            return {}
        mailer = self._mailers[0]
        assert isinstance(mailer, SMTPBackend)
        transactions: dict[int, Transaction] = {}
        for index in indexes:
            if len(transactions) == len(connections):
                break
            delivery = deliveries[index]
            try:
                prepared = self._prepared.for_delivery(mailer, delivery)
            except ValueError:
                prepared = None  # the normal way says what is wrong with the message
            if prepared is not None:
                connection = connections[len(transactions)]
                transactions[index] = Transaction(
                    connection, prepared.sender, delivery.address, prepared.data
                )
        return transactions


def _invalid_address(delivery: Delivery) -> PermanentDeliveryError | None:
    try:
        validate_email(delivery.address)
    except ValidationError:
        return PermanentDeliveryError("invalid email address")
    return None


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
    data: bytes  # ready for the wire (`_for_the_wire`); the personal header lines in front


Committing = Callable[[Sequence["Delivery"]], None]


class _PreparedEmails:
    """The emails of one message over SMTP, built and serialised once per language; per
    recipient only To, Message-ID and the personal headers are written in front, and the
    personal slots in the text (core.personal_slots) filled in.

    Django builds and serialises every email with Python's email API (address parsing,
    header folding, body encoding): about 1.5 ms of CPU each, most of a worker's time when
    one alert goes to 100,000 people with the same text. Anything that does not fit plain
    ASCII header lines (an international address, a header value with other characters),
    and a text with slots in a part that is not sent as 8bit (a line too long for SMTP
    makes Django encode the part), goes the normal way instead (None)."""

    TEMPLATE_ADDRESS = "recipient@weerbaar.invalid"  # replaced by each recipient's own

    def __init__(self, build: Callable[..., EmailMultiAlternatives]) -> None:
        self._build = build
        self._shared: dict[tuple[int, str], _SharedEmail] = {}

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
            self._shared[key] = self._serialised(mailer, delivery)
        shared = self._shared[key]
        data = shared.filled(delivery)
        if data is None:
            return None
        head = "".join(f"{line}\r\n" for line in lines).encode("ascii")
        return PreparedEmail(shared.sender, head + data)

    def _serialised(self, mailer: SMTPBackend, delivery: Delivery) -> _SharedEmail:
        message = delivery.message
        email = self._build(delivery, to=self.TEMPLATE_ADDRESS)
        built = email.message(policy=_PREPARED_POLICY)
        sender = mailer.prep_address(email.from_email)
        slots = tuple(slots_in(message.body_text, message.body_html))
        usable = (
            sender.isascii()
            and not slots_in(message.subject)
            and not (slots and any(_encoded(part) for part in built.walk()))
        )
        if not usable:
            return _SharedEmail(sender, b"", (), ())
        # Django wrote To (the template address) and a Message-ID of its own.
        data = _for_the_wire(_without_fields(built.as_bytes(), {"to", "message-id"}))
        slot_lines = tuple(
            (len(line), {slot: line.count(slot.encode("ascii")) for slot in slots})
            for line in data.split(b"\r\n")
            if any(slot.encode("ascii") in line for slot in slots)
        )
        return _SharedEmail(sender, data, slots, slot_lines)


@dataclass(frozen=True)
class _SharedEmail:
    """One message serialised for the wire, before the personal part. `data` is empty when
    the message goes the normal way; `slot_lines` has, per line holding personal slots, its
    length and how often each slot occurs in it (a filled line must stay within SMTP's
    line limit)."""

    sender: str
    data: bytes
    slots: tuple[str, ...]
    slot_lines: tuple[tuple[int, dict[str, int]], ...]

    def filled(self, delivery: Delivery) -> bytes | None:
        if not self.data:
            return None
        if not self.slots:
            return self.data
        values = slot_values(delivery, self.slots)
        growth = {slot: len(value) - len(slot) for slot, value in values.items()}
        longest = max(
            length + sum(count * growth[slot] for slot, count in counts.items())
            for length, counts in self.slot_lines
        )
        if longest > SMTP_LINE_LIMIT:
            return None
        data = self.data
        for slot, value in values.items():
            data = data.replace(slot.encode("ascii"), value.encode("ascii"))
        return data


def _encoded(part: Message) -> bool:
    """Whether a MIME part's body is sent encoded (quoted-printable, base64), so that a slot
    in it cannot be replaced in the serialised bytes."""
    if part.is_multipart():
        return False
    encoding = str(part.get("Content-Transfer-Encoding", "7bit")).lower()
    return encoding not in ("7bit", "8bit")


def _for_the_wire(message: bytes) -> bytes:
    """A serialised message as SMTP's DATA carries it (what smtplib.SMTP.data does): lines
    that start with a dot get a second one, and it ends with a line break, before the final
    "." line that the sender adds."""
    quoted = _LEADING_DOT.sub(b"..", message)
    return quoted if quoted.endswith(b"\r\n") else quoted + b"\r\n"


_LEADING_DOT = re.compile(rb"(?m)^\.")
SMTP_LINE_LIMIT = 998  # bytes per line, the line break not counted (RFC 5321)
# Text parts go as 8bit unless a line is longer than SMTP allows (the email package's default
# of 78 would encode any part with a long line as quoted-printable, and a personal slot in an
# encoded part cannot be filled in place). 8bit text is what Django sent before 6.0.
_PREPARED_POLICY = email_policy.SMTP.clone(max_line_length=SMTP_LINE_LIMIT)


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
