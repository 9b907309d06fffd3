"""The delivery outbox: every outgoing message is stored before anything is sent.

Sending something
    Inside the transaction that makes the message necessary (the one that stores report
    feedback, publishes an alert), render the text and call `queue_message()`. It stores an
    `OutboundMessage` and one `Delivery` per recipient × channel, and asks Celery to send them
    once the transaction commits (core.dispatch). The caller checks permissions and audits
    its own action; the outbox only delivers.

Life of a delivery
    QUEUED ─claim─> SENDING ─> SENT
                            ─> FAILED, next_attempt_at set ─(due; redrive)─> QUEUED ─> …
                            ─> FAILED, next_attempt_at empty: permanent error or out of
                               attempts; `retry_failed()` puts it back in the queue
    QUEUED or FAILED ─> CANCELLED (`cancel_deliveries()`)
    SENT email ─> BOUNCED (`record_bounce()`): the receiving side reported later that it did
                  not arrive (an email provider's webhook, a bounce email; core.bounces).
                  Final: neither the redrive nor `retry_failed()` sends it again, since
                  mailing an address that bounced for good harms the sender's reputation.

Guarantees
    - Nothing is sent for a transaction that rolls back: the rows are written in the
      caller's transaction and the tasks are enqueued only on commit.
    - Nothing is lost: `redrive_stale_deliveries()` (Celery beat, every minute) re-enqueues
      queued rows whose task never ran (broker down at commit, task lost), takes back rows
      whose worker died mid-send (lease of settings.OUTBOX_LEASE_SECONDS, 10 minutes), and
      re-enqueues failed rows whose retry is due. Retries back off exponentially
      (`backoff_delay`), at most MAX_ATTEMPTS attempts.
    - No delivery is sent twice by a retry: a worker claims the rows of a batch (per channel)
      with one atomic compare-and-swap UPDATE … RETURNING (status QUEUED → SENDING, only
      rows still queued and due) before sending them, and records each send right after it
      (see below). Running a batch twice, or two workers
      getting overlapping ids, sends once: a row already SENDING, SENT or CANCELLED, or not
      due, is not claimed and is skipped. It needs no row locks, so it works the same on
      PostgreSQL and SQLite (3.35+ for RETURNING).
    - Claiming the batch up front (one statement, not one per row: a third of a worker's
      CPU per email went to the per-row claims) means the lease covers a batch: rows wait
      while the ones before them are sent. A batch of 200 takes well under a second; if a
      slow mail server keeps it past half the lease (LEASE_RENEW_SHARE), it gives the rest
      back and claims it again, a fresh lease. When the channel becomes unavailable, the
      claimed rows not yet tried go back to QUEUED at once, their attempt uncounted, and
      wait for the redrive as untouched rows would; so do they when anything else ends the
      batch early (a database error while marking). A worker that dies mid-batch leaves
      its untried rows SENDING until the lease ends; the redrive takes them back then, with
      the attempt counted.

At least once, not exactly once
    No outbox can make an external send and a database write atomic. Without the sent
    journal, each row is marked SENT right after its send in an autocommit UPDATE: a worker
    that dies after the mail server accepted a message but before the mark (a window of one
    command) leaves the row SENDING, and after the lease the message is sent again. With the
    sent journal (settings.OUTBOX_SENT_JOURNAL_URL, core.sent_journal, decisions 0015 and
    0016), the email channel has each email noted in Redis at its commit point, just before
    the server can take it (`Channel.send_group`'s `committing`; other channels: right after
    the send), and the rows are marked SENT 50 at a time; the redrive asks the journal before
    it takes back a row, so a noted email is marked SENT, not sent again. That makes the
    emails in flight safe, so with the journal a batch goes out over several SMTP
    connections at once (core.smtp_lockstep). What is left: the microseconds between the note
    and the write of the final dot (a kill there loses the email), and a server that refuses
    a message after its dot while the worker dies. Run the senders one per process (prefork
    pool): in a threads pool another thread can stall a sender between the note and the dot.
    An email keeps the same Message-ID on every attempt so a receiving system can drop a
    duplicate. Marking before sending without a journal would lose messages instead, which
    is worse for feedback a reporter waits for.

`send_delivery_batch()` and `redrive_stale_deliveries()` run in Celery tasks (core.tasks) and
must not be called inside an open transaction: their claims and marks must commit at once.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import redis
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.constants import OnConflict
from django.db.models.functions import Cast
from django.utils import timezone

from weerbaar.core.audit import record
from weerbaar.core.channels import (
    Channel,
    ChannelUnavailableError,
    DeliveryError,
    EmailChannel,
    PermanentDeliveryError,
    Recipient,
    UnknownChannelError,
    get_channel,
)
from weerbaar.core.dispatch import enqueue_on_commit
from weerbaar.core.models import Delivery, DeliveryStatus, OutboundMessage, SuppressedAddress
from weerbaar.core.sent_journal import Attempt, sent_journal

if TYPE_CHECKING:
    from weerbaar.accounts.models import User
    from weerbaar.network.models import Municipality

__all__ = [
    "BatchSummary",
    "Recipient",
    "add_deliveries",
    "backoff_delay",
    "cancel_deliveries",
    "cancel_pending_for_recipient",
    "create_message",
    "delete_messages_for",
    "deliveries_for",
    "lift_suppression",
    "one_line",
    "queue_for_people",
    "queue_message",
    "record_bounce",
    "redrive_stale_deliveries",
    "retry_failed",
    "send_delivery_batch",
    "split_subject",
    "store_for_people",
    "suppression_of",
    "unread_count",
]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # about two hours of retries with the delays below
BACKOFF_BASE = timedelta(seconds=60)
BACKOFF_CAP = timedelta(hours=6)
# How long a row may be SENDING before it counts as the row of a dead worker (the lease), and
# how long a QUEUED row may wait before its task counts as lost (broker down at commit): the
# settings OUTBOX_LEASE_SECONDS (10 min; one send takes seconds, EMAIL_TIMEOUT, so the lease is
# generous) and OUTBOX_REQUEUE_AFTER_SECONDS (5 min). Settings, so that the fault benchmarks
# (bench/alert_faults.py) can watch a recovery in seconds; production keeps the defaults.
MARK_BATCH = 50  # SENT marks per statement with the sent journal
REDRIVE_LIMIT = 5000  # rows per committed step of a redrive run
REDRIVE_MAX_PER_RUN = 100_000  # the next run (a minute later) takes the rest
ERROR_MAX_LENGTH = 1000
SUBJECT_MAX_LENGTH = 255
SHORT_TEXT_MAX_LENGTH = 320
BULK_INSERT_SIZE = 2000  # delivery rows per INSERT when a message goes to many people
# Set by the channel from the message and delivery; a message may not override them.
RESERVED_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id"}
)
# A batch claims its rows up front; once it has held them for this share of the lease (a
# slow mail server), it renews the claim of the rest.
LEASE_RENEW_SHARE = 0.5
LEASE_EXPIRED = "lease expired: the worker stopped while sending"


@dataclass
class BatchSummary:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # not claimable: already sent, being sent, cancelled or unknown id
    deferred: int = 0  # left queued because the channel became unavailable mid-batch


def queue_message(
    *,
    kind: str,
    subject: str,
    body_text: str,
    recipients: Iterable[Recipient],
    channels: Sequence[str] = ("email",),
    body_html: str = "",
    short_text: str = "",
    url: str = "",
    source: models.Model | None = None,
    municipality: Municipality | None = None,
    headers: dict[str, str] | None = None,
) -> OutboundMessage:
    """Store a message with one delivery per recipient × channel and send it after commit.

    Any service may call this, inside its own transaction, after its permission check. The
    same address on the same channel gets one delivery (the first recipient wins); a
    recipient a channel cannot reach (`Channel.address_for` is None) is left out there.
    Raises UnknownChannelError for an unregistered channel and ValueError for reserved or
    multi-line headers: programming errors, so the caller's transaction rolls back.
    """
    channel_list = [get_channel(key) for key in channels]
    # Checked before any write: a programming error must not leave the caller's
    # transaction broken.
    message = _unsaved_message(
        kind=kind,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        short_text=short_text,
        url=url,
        source=source,
        municipality=municipality,
        headers=headers,
    )
    # No savepoint: the caller's transaction is the unit; on its own this is one transaction.
    with transaction.atomic(savepoint=False):
        message.save()
        _add_deliveries(
            message, recipients, [channel.key for channel in channel_list], may_exist=False
        )
    return message


def create_message(
    *,
    kind: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    short_text: str = "",
    url: str = "",
    source: models.Model | None = None,
    municipality: Municipality | None = None,
    headers: dict[str, str] | None = None,
) -> OutboundMessage:
    """Store a message without deliveries yet; `add_deliveries` and `store_for_people` add
    them (a fan-out to many people in steps). Same checks as `queue_message`."""
    message = _unsaved_message(
        kind=kind,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        short_text=short_text,
        url=url,
        source=source,
        municipality=municipality,
        headers=headers,
    )
    message.save()
    return message


def _unsaved_message(
    *,
    kind: str,
    subject: str,
    body_text: str,
    body_html: str,
    short_text: str,
    url: str,
    source: models.Model | None,
    municipality: Municipality | None,
    headers: dict[str, str] | None,
) -> OutboundMessage:
    """The checked, normalised message row, not yet saved (ValueError for reserved or
    multi-line headers and an unsaved source)."""
    checked_headers = _checked_headers(headers or {})
    if source is not None and source.pk is None:
        raise ValueError("the source of a message must be saved first")
    return OutboundMessage(
        kind=kind,
        subject=one_line(subject)[:SUBJECT_MAX_LENGTH],
        body_text=body_text,
        body_html=body_html,
        short_text=one_line(short_text)[:SHORT_TEXT_MAX_LENGTH],
        url=url,
        headers=checked_headers,
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "",
        municipality=municipality,
    )


def split_subject(rendered: str) -> tuple[str, str]:
    """A rendered text email whose first line is the subject: (subject, body text)."""
    subject, _, text = rendered.partition("\n")
    return subject.strip(), text.strip() + "\n"


def add_deliveries(
    message: OutboundMessage, recipients: Iterable[Recipient], channels: Sequence[str]
) -> int:
    """Add a delivery per recipient × channel to `message` and send them after commit.

    Safe to repeat for the same message (a fan-out task that runs again): a delivery that
    exists already is kept as it is. Returns the number of deliveries added or kept."""
    return _add_deliveries(message, recipients, channels, may_exist=True)


def _add_deliveries(
    message: OutboundMessage,
    recipients: Iterable[Recipient],
    channels: Sequence[str],
    *,
    may_exist: bool,
) -> int:
    channel_list = [get_channel(key) for key in channels]
    now = timezone.now()
    everyone = list(recipients)
    rows: dict[tuple[str, str], Delivery] = {}
    for channel in channel_list:
        wanted = [r for r in everyone if r.channels is None or channel.key in r.channels]
        for recipient, address in zip(wanted, channel.addresses_for(wanted), strict=True):
            if address is None or (channel.key, address) in rows:
                continue
            rows[channel.key, address] = _new_delivery(message, channel, recipient, address, now)
    with transaction.atomic(savepoint=False):
        created = Delivery.objects.bulk_create(
            rows.values(), batch_size=BULK_INSERT_SIZE, ignore_conflicts=may_exist
        )
        if may_exist or not all(delivery.pk for delivery in created):
            # Ids are not returned when conflicts are ignored (nor by every database): read
            # back what is due for these recipients on these channels (not the message's
            # earlier ones, nor its other channels: those were handed over when queued).
            user_ids = {r.user.pk for r in everyone if r.user is not None}
            other = {row.address for row in rows.values() if row.recipient_id is None}
            mine = Q(recipient_id__in=user_ids) | Q(recipient__isnull=True, address__in=other)
            due = message.deliveries.filter(
                mine,
                channel__in=[channel.key for channel in channel_list],
                status=DeliveryStatus.QUEUED,
                next_attempt_at__lte=now,
            ).values_list("pk", flat=True)
            ids = list(due.order_by("pk"))
        else:
            ids = [
                d.pk
                for d in created
                if d.status == DeliveryStatus.QUEUED and d.next_attempt_at == now
            ]
        enqueue_on_commit(ids)
    return len(rows)


def store_for_people(message: OutboundMessage, channel_key: str, people: QuerySet[User]) -> int:
    """Add delivered rows of a channel that stores its messages (the inbox) for everyone in
    `people`, in one INSERT … SELECT inside the database: no Python object per person, so
    the inboxes of 100,000 people fill in about a second. Returns the number of rows."""
    channel = get_channel(channel_key)
    if not channel.stores_only:
        raise ValueError(f"channel {channel_key!r} sends its messages; use add_deliveries")
    now = timezone.now()
    moment = Value(now, output_field=models.DateTimeField())
    rows = people.exclude(
        pk__in=message.deliveries.filter(channel=channel_key).values("recipient")
    ).annotate(d_address=Cast("pk", output_field=models.CharField()))
    return _insert_deliveries(
        message, channel_key, rows, status=DeliveryStatus.SENT, sent_at=moment, due=None, now=now
    )


def queue_for_people(message: OutboundMessage, channel_key: str, people: QuerySet[User]) -> int:
    """Queue `message` on a channel whose addresses the database can work out
    (`Channel.people_with_addresses`: email) for everyone in `people`, in one INSERT …
    SELECT, and send the deliveries after commit. Like `add_deliveries`, safe to repeat:
    a delivery that exists (same address) is kept as it is, and two people sharing an
    address get one delivery. Returns the number of these people's deliveries due now on
    the channel (all of them, the first time)."""
    channel = get_channel(channel_key)
    reachable = channel.people_with_addresses(people)
    if reachable is None or channel.stores_only:
        raise ValueError(
            f"channel {channel_key!r} needs Python for its addresses; use add_deliveries"
        )
    now = timezone.now()
    rows = reachable.annotate(d_address=F("channel_address"))
    moment = Value(now, output_field=models.DateTimeField())
    with transaction.atomic(savepoint=False):
        _insert_deliveries(
            message,
            channel_key,
            rows,
            status=DeliveryStatus.QUEUED,
            sent_at=None,
            due=moment,
            now=now,
        )
        # Only these people's rows: another call for other people hands over its own.
        ids = list(
            message.deliveries.filter(
                channel=channel_key,
                status=DeliveryStatus.QUEUED,
                next_attempt_at__lte=now,
                recipient__in=reachable.values("pk"),
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        enqueue_on_commit(ids)
    return len(ids)


def _insert_deliveries(
    message: OutboundMessage,
    channel_key: str,
    rows: QuerySet[User],
    *,
    status: str,
    sent_at: Value | None,
    due: Value | None,
    now: datetime,
) -> int:
    """INSERT … SELECT a delivery per row of `rows` (people annotated with `d_address`);
    a row whose address already has a delivery of the message on the channel is skipped
    (the unique constraint, ON CONFLICT DO NOTHING / INSERT OR IGNORE)."""
    nothing = Value(None, output_field=models.DateTimeField())
    values = (
        rows.order_by()
        .annotate(
            d_message=Value(message.pk, output_field=models.BigIntegerField()),
            d_channel=Value(channel_key, output_field=models.CharField()),
            d_recipient=F("pk"),
            d_language=F("preferred_language"),
            d_status=Value(status, output_field=models.CharField()),
            d_attempts=Value(0, output_field=models.IntegerField()),
            d_error=Value("", output_field=models.CharField()),
            d_next=due if due is not None else nothing,
            d_claimed=nothing,
            d_sent=sent_at if sent_at is not None else nothing,
            d_read=nothing,
            d_created=Value(now, output_field=models.DateTimeField()),
        )
        .values_list(
            "d_message",
            "d_channel",
            "d_recipient",
            "d_address",
            "d_language",
            "d_status",
            "d_attempts",
            "d_error",
            "d_next",
            "d_claimed",
            "d_sent",
            "d_read",
            "d_created",
        )
    )
    select_sql, params = values.query.sql_with_params()
    columns = ", ".join(
        connection.ops.quote_name(_column(name))
        for name in (
            "message",
            "channel",
            "recipient",
            "address",
            "language",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "claimed_at",
            "sent_at",
            "read_at",
            "created_at",
        )
    )
    table = connection.ops.quote_name(Delivery._meta.db_table)
    insert = connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)
    suffix = connection.ops.on_conflict_suffix_sql([], OnConflict.IGNORE, [], [])
    with connection.cursor() as cursor:
        # Table and column names come from the model; every value travels as a parameter.
        cursor.execute(f"{insert} {table} ({columns}) {select_sql} {suffix}", params)
        return cursor.rowcount


def _column(field_name: str) -> str:
    field = Delivery._meta.get_field(field_name)
    assert isinstance(field, models.Field)
    assert field.column
    return field.column


def _new_delivery(
    message: OutboundMessage,
    channel: Channel,
    recipient: Recipient,
    address: str,
    now: datetime,
) -> Delivery:
    delivery = Delivery(
        message=message,
        channel=channel.key,
        recipient=recipient.user,
        address=address,
        language=recipient.language,
        next_attempt_at=now,
    )
    if channel.stores_only:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.next_attempt_at = None
    elif channel.interrupts and recipient.quiet_until and recipient.quiet_until > now:
        # Waits for the end of quiet hours; the redrive enqueues it once it is due.
        delivery.next_attempt_at = recipient.quiet_until
    return delivery


def send_delivery_batch(delivery_ids: Iterable[int]) -> BatchSummary:
    """Send those of `delivery_ids` that are QUEUED, each through its channel, and mark them.

    Called by the `send_deliveries` task only. Safe to run twice or concurrently for the same
    ids (see the module docstring). Outside any transaction.
    """
    ids = sorted(set(delivery_ids))
    summary = BatchSummary()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    candidates = list(
        Delivery.objects.filter(due, pk__in=ids, status=DeliveryStatus.QUEUED)
        .select_related("message")
        .order_by("pk")
    )
    summary.skipped = len(ids) - len(candidates)
    by_channel: dict[str, list[Delivery]] = {}
    for delivery in candidates:
        by_channel.setdefault(delivery.channel, []).append(delivery)
    for key, deliveries in by_channel.items():
        try:
            channel = get_channel(key)
        except UnknownChannelError as error:
            claimed = _claim(deliveries)
            summary.skipped += len(deliveries) - len(claimed)
            for delivery in claimed:
                _mark_failed(delivery, error, permanent=True)
                summary.failed += 1
            continue
        with channel:
            _send_through(channel, deliveries, summary)
    return summary


def _send_through(channel: Channel, deliveries: list[Delivery], summary: BatchSummary) -> None:
    pending = deque(_claim(deliveries))
    summary.skipped += len(deliveries) - len(pending)
    try:
        _send_claimed(channel, pending, summary)
    except BaseException:
        # Something outside the sends (the database gone while marking): the untried rest
        # goes back at once instead of waiting out the lease, if the database lets it.
        _release(pending)
        raise


def _send_claimed(channel: Channel, pending: deque[Delivery], summary: BatchSummary) -> None:
    """Send the claimed rows one by one, each marked right after its send (`_SentMarks`);
    takes them off `pending` as it goes, so what is left there was not tried."""
    marks = _SentMarks()
    try:
        _send_each(channel, pending, summary, marks)
    finally:
        marks.flush()


def _send_each(
    channel: Channel, pending: deque[Delivery], summary: BatchSummary, marks: _SentMarks
) -> None:
    leased_at = time.monotonic()
    renew_after = settings.OUTBOX_LEASE_SECONDS * LEASE_RENEW_SHARE
    # Several at once only when each is noted in the journal before it can go out (the
    # email channel's commit point): without the journal, every email in flight when a
    # worker dies would be sent twice.
    group_size = channel.group_size if marks.journaling else 1
    while pending:
        if time.monotonic() - leased_at > renew_after:
            # A slow mail server: a fresh lease for the rest (give it back, claim it again),
            # so the redrive does not take back rows that are still to be sent.
            marks.flush()
            rest = list(pending)
            _release(rest)
            leased_at = time.monotonic()
            pending.clear()
            pending.extend(_claim(rest))
            summary.skipped += len(rest) - len(pending)
            if not pending:
                return
        group = [pending.popleft() for _ in range(min(group_size, len(pending)))]
        outcomes = channel.send_group(group, marks.committing if marks.journaling else None)
        unavailable: ChannelUnavailableError | None = None
        for delivery, outcome in zip(group, outcomes, strict=True):
            if outcome is None:
                marks.add(delivery)
                summary.sent += 1
                continue
            summary.failed += 1
            if isinstance(outcome, ChannelUnavailableError):
                unavailable = outcome
            if not isinstance(outcome, DeliveryError):
                logger.error(
                    "delivery %s through %s failed unexpectedly",
                    delivery.pk,
                    channel.key,
                    exc_info=outcome,
                )
            _mark_failed(delivery, outcome, permanent=isinstance(outcome, PermanentDeliveryError))
        if unavailable is not None:
            # The rest goes back to QUEUED at once, as if never claimed; the redrive picks it
            # up after the requeue wait.
            summary.deferred += _release(pending)
            pending.clear()
            logger.warning("channel %s unavailable, batch deferred: %s", channel.key, unavailable)
            return


class _SentMarks:
    """Marks the deliveries of a batch SENT as they go out: each at once in its own
    statement, or, with the sent journal (core.sent_journal), noted there and marked in the
    database MARK_BATCH at a time. A channel that knows the moment the other side can take a
    message (the email channel, just before the final dot) has it noted then (`committing`);
    any other send is noted right after it, so a dying worker can leave that one send
    unrecorded (sent again after the lease), and an email only if it dies in the
    microseconds between the note and the dot (lost)."""

    def __init__(self) -> None:
        self._journal = sent_journal()
        self._unmarked: list[Attempt] = []
        self._noted: set[int] = set()

    @property
    def journaling(self) -> bool:
        return self._journal is not None

    def committing(self, deliveries: Sequence[Delivery]) -> None:
        if self._journal is not None and self._journal.record(_attempts(deliveries)):
            self._noted.update(delivery.pk for delivery in deliveries)

    def add(self, delivery: Delivery) -> None:
        noted = delivery.pk in self._noted
        if noted or (self._journal is not None and self._journal.record(_attempts([delivery]))):
            self._noted.discard(delivery.pk)
            self._unmarked.append((delivery.pk, delivery.attempts))
            if len(self._unmarked) >= MARK_BATCH:
                self.flush()
        else:
            _mark_sent(delivery)

    def flush(self) -> None:
        if not self._unmarked or self._journal is None:
            return
        attempts, self._unmarked = self._unmarked, []
        _mark_sent_ids([pk for pk, _attempt in attempts])
        self._journal.forget(attempts)


def _attempts(deliveries: Iterable[Delivery]) -> list[Attempt]:
    return [(delivery.pk, delivery.attempts) for delivery in deliveries]


def redrive_stale_deliveries() -> int:
    """Find deliveries that should be moving but are not, and enqueue them again.

    Run every minute by Celery beat (core.tasks). Takes back SENDING rows older than the lease
    (OUTBOX_LEASE_SECONDS; the attempt counts; out of attempts they fail for good), requeues
    FAILED rows whose retry is due and QUEUED rows waiting longer than
    OUTBOX_REQUEUE_AFTER_SECONDS. Works in committed steps of REDRIVE_LIMIT rows, up to
    REDRIVE_MAX_PER_RUN per run, so that after a mail server outage a whole fan-out is
    handed over again at once instead of 5,000 rows a minute. Enqueueing a row twice is
    harmless: only one claim can succeed. Returns how many deliveries were enqueued.
    """
    now = timezone.now()
    total = 0
    while total < REDRIVE_MAX_PER_RUN:
        enqueued = _redrive_step(now)
        total += enqueued
        if enqueued < REDRIVE_LIMIT:
            break
    if total:
        logger.info("re-drove %d deliveries", total)
    return total


def _redrive_step(now: datetime) -> int:
    """One committed step of the redrive: at most REDRIVE_LIMIT rows. A row it hands over
    gets `next_attempt_at = now`, so the next step does not pick it again."""
    lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    requeue_after = timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    with transaction.atomic():
        stale = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - lease)
        stale = _sent_per_journal(stale)
        stale.filter(attempts__gte=MAX_ATTEMPTS).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=LEASE_EXPIRED
        )
        stale.update(status=DeliveryStatus.FAILED, next_attempt_at=now, last_error=LEASE_EXPIRED)

        due_ids = list(
            Delivery.objects.filter(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:REDRIVE_LIMIT]
        )
        Delivery.objects.filter(pk__in=due_ids, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.QUEUED, next_attempt_at=now
        )
        waiting_ids = list(
            Delivery.objects.filter(
                status=DeliveryStatus.QUEUED, next_attempt_at__lte=now - requeue_after
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[: REDRIVE_LIMIT - len(due_ids)]
        )
        # Restarts the wait, so a row whose task is merely slow is not enqueued every minute.
        Delivery.objects.filter(pk__in=waiting_ids, status=DeliveryStatus.QUEUED).update(
            next_attempt_at=now
        )
        ids = due_ids + waiting_ids
        enqueue_on_commit(ids)
    return len(ids)


def retry_failed(message: OutboundMessage, *, actor: User | None = None) -> int:
    """Send the failed deliveries of `message` again now, with a fresh count of attempts.

    For staff who fixed the cause (an address, the mail settings); the calling service checks
    that `actor` may manage this message. Audited. Returns the number of deliveries queued.
    BOUNCED deliveries stay as they are: the address refused the email for good, and mailing
    it again harms the sender's reputation with every receiving system.
    """
    with transaction.atomic():
        failed = message.deliveries.filter(status=DeliveryStatus.FAILED)
        ids = list(failed.values_list("pk", flat=True))
        failed.filter(pk__in=ids).update(
            status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=timezone.now()
        )
        if ids:
            record(actor, "outbox.deliveries_retried", message, {"deliveries": len(ids)})
            enqueue_on_commit(ids)
    return len(ids)


def cancel_deliveries(message: OutboundMessage, *, actor: User | None = None) -> int:
    """Stop the deliveries of `message` that have not gone out (QUEUED or FAILED).

    For staff withdrawing a message; the calling service checks permission. A delivery being
    sent at this moment cannot be stopped. Audited. Returns the number cancelled.
    """
    with transaction.atomic():
        cancelled = message.deliveries.filter(
            status__in=[DeliveryStatus.QUEUED, DeliveryStatus.FAILED]
        ).update(status=DeliveryStatus.CANCELLED, next_attempt_at=None)
        if cancelled:
            record(actor, "outbox.deliveries_cancelled", message, {"deliveries": cancelled})
    return cancelled


def record_bounce(
    delivery_id: int, *, reason: str, recipient: str = "", bounced_at: datetime | None = None
) -> bool:
    """Mark a sent email delivery BOUNCED: the receiving side reported that it did not arrive.

    Called by the bounce receivers in core.bounces (an email provider's webhook, a bounce
    email piped to `manage.py process_bounce`), which decide that the failure is permanent.
    Only a SENT delivery of the email channel changes, in one conditional UPDATE, so the same
    report twice, or two reports at once, change it once; an unknown id changes nothing. With
    `recipient`, the delivery must have gone to that address: a report that names another
    one belongs to someone else's email. `reason` is stored as the delivery's last error, and
    the address is suppressed (`SuppressedAddress`): nothing more is emailed to it. Not
    audited: nobody acted. Returns whether the delivery changed.
    """
    sent = Delivery.objects.filter(
        pk=delivery_id, channel=EmailChannel.key, status=DeliveryStatus.SENT
    )
    if recipient:
        sent = sent.filter(address=recipient.strip().lower())
    changed = sent.update(
        status=DeliveryStatus.BOUNCED,
        bounced_at=bounced_at or timezone.now(),
        next_attempt_at=None,
        last_error=one_line(reason)[:ERROR_MAX_LENGTH],
    )
    if changed:
        logger.info("delivery %s bounced: %s", delivery_id, one_line(reason)[:200])
        address = Delivery.objects.filter(pk=delivery_id).values_list("address", flat=True)[0]
        SuppressedAddress.objects.get_or_create(
            address=address,
            defaults={"reason": one_line(reason)[:ERROR_MAX_LENGTH], "delivery_id": delivery_id},
        )
    else:
        logger.info(
            "bounce for delivery %s not recorded: unknown, not a sent email, already "
            "bounced, or sent to another address",
            delivery_id,
        )
    return bool(changed)


def suppression_of(address: str) -> SuppressedAddress | None:
    """Why nothing is emailed to `address` any more (it bounced for good), or None."""
    return SuppressedAddress.objects.filter(address=address.strip().lower()).first()


def lift_suppression(address: str, *, actor: User | None) -> bool:
    """Email `address` again: its owner says the mailbox works again, or staff fixed it in
    the admin. The calling service checks that `actor` may. The next permanent bounce
    suppresses it again. Audited. Returns whether it was suppressed."""
    with transaction.atomic():
        suppression = suppression_of(address)
        if suppression is None:
            return False
        record(
            actor,
            "outbox.suppression_lifted",
            suppression,
            {"suppressed_since": suppression.created_at.date().isoformat()},
        )
        suppression.delete()
    return True


def cancel_pending_for_recipient(user: User, kinds: Sequence[str]) -> int:
    """Stop what has not gone out to `user` among messages of `kinds` (an unsubscribe, a
    withdrawn consent: "stops all messages at once"). The caller audits its own action.
    Returns the number of deliveries cancelled."""
    return Delivery.objects.filter(
        recipient=user,
        message__kind__in=list(kinds),
        status__in=[DeliveryStatus.QUEUED, DeliveryStatus.FAILED],
    ).update(status=DeliveryStatus.CANCELLED, next_attempt_at=None)


def unread_count(user: User, channel: str) -> int:
    """Messages `user` has not opened on a channel that stores them (the portal inbox)."""
    return Delivery.objects.filter(
        recipient=user, channel=channel, status=DeliveryStatus.SENT, read_at__isnull=True
    ).count()


def deliveries_for(source: models.Model) -> QuerySet[Delivery]:
    """The deliveries of every message queued with `source` (e.g. a report's feedback)."""
    return Delivery.objects.filter(
        message__source_type=source._meta.label_lower, message__source_id=str(source.pk)
    ).select_related("message")


def delete_messages_for(source: models.Model) -> int:
    """Delete the messages queued with `source` and their deliveries, for retention: a
    message body may hold the same personal data as its source. Returns messages deleted."""
    messages = OutboundMessage.objects.filter(
        source_type=source._meta.label_lower, source_id=str(source.pk)
    )
    return messages.delete()[1].get(OutboundMessage._meta.label, 0)


def backoff_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1, 2, 4, … minutes, capped."""
    exponent = min(max(attempts - 1, 0), 30)
    return min(BACKOFF_BASE * 2**exponent, BACKOFF_CAP)


def _claim(deliveries: Sequence[Delivery]) -> list[Delivery]:
    """Compare-and-swap QUEUED → SENDING for all of `deliveries` that are still queued and
    due, in one UPDATE … RETURNING; the attempt counts from here. Returns the claimed ones,
    in order, with the status, claim time and attempts the database now holds."""
    if not deliveries:
        return []
    now = timezone.now()
    when = _db_time(now)
    ids = [delivery.pk for delivery in deliveries]
    with connection.cursor() as cursor:
        cursor.execute(
            _statement(
                "UPDATE {table} SET {status} = %s, {claimed_at} = %s, {attempts} = {attempts} + 1"
                " WHERE {id} IN ({ids}) AND {status} = %s"
                " AND ({next_attempt_at} IS NULL OR {next_attempt_at} <= %s)"
                " RETURNING {id}, {attempts}",
                ids=len(ids),
            ),
            [DeliveryStatus.SENDING.value, when, *ids, DeliveryStatus.QUEUED.value, when],
        )
        attempts_of = dict(cursor.fetchall())
    claimed = [delivery for delivery in deliveries if delivery.pk in attempts_of]
    for delivery in claimed:
        delivery.status = DeliveryStatus.SENDING
        delivery.claimed_at = now
        delivery.attempts = attempts_of[delivery.pk]
    return claimed


def _release(deliveries: Iterable[Delivery]) -> int:
    """Put claimed deliveries that were not tried back to QUEUED, their attempt uncounted,
    while the claims are still ours (SENDING with our claim time). Returns how many."""
    rows = list(deliveries)
    if not rows:
        return 0
    released = Delivery.objects.filter(
        pk__in=[delivery.pk for delivery in rows],
        status=DeliveryStatus.SENDING,
        claimed_at__in={delivery.claimed_at for delivery in rows},
    ).update(status=DeliveryStatus.QUEUED, attempts=F("attempts") - 1)
    for delivery in rows:
        delivery.status = DeliveryStatus.QUEUED
        delivery.attempts -= 1
    return released


def _mark_sent(delivery: Delivery) -> None:
    # Unconditional: even if the lease ran out meanwhile, the message did go out, and SENT
    # keeps a requeued copy from being sent again. Raw SQL: one per email sent, and the ORM
    # would cost more CPU than the statement itself.
    with connection.cursor() as cursor:
        cursor.execute(
            _statement(
                "UPDATE {table} SET {status} = %s, {sent_at} = %s, {next_attempt_at} = NULL,"
                " {last_error} = '' WHERE {id} = %s"
            ),
            [DeliveryStatus.SENT.value, _db_time(timezone.now()), delivery.pk],
        )


def _sent_per_journal(stale: QuerySet[Delivery]) -> QuerySet[Delivery]:
    """Rows of a dead worker that the sent journal says went out are marked SENT (not sent
    again); returns the stale rows left. When the journal cannot answer, no stale row is
    taken back this run: guessing would send twice or lose a message; the next run asks
    again."""
    journal = sent_journal()
    if journal is None:
        return stale
    attempts: list[Attempt] = list(stale.values_list("pk", "attempts")[:REDRIVE_LIMIT])
    try:
        went_out = journal.recorded(attempts)
    except redis.RedisError:
        logger.error("sent journal unavailable: %d stale deliveries wait for it", len(attempts))
        return stale.none()
    if went_out:
        _mark_sent_ids(sorted(went_out))
        journal.forget(attempt for attempt in attempts if attempt[0] in went_out)
        logger.info("%d deliveries of a stopped worker had gone out: marked sent", len(went_out))
    return stale.filter(pk__in=[pk for pk, _attempt in attempts if pk not in went_out])


def _mark_sent_ids(ids: Sequence[int]) -> None:
    """`_mark_sent` for many rows in one statement (the sent journal's batches)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _statement(
                "UPDATE {table} SET {status} = %s, {sent_at} = %s, {next_attempt_at} = NULL,"
                " {last_error} = '' WHERE {id} IN ({ids})",
                ids=len(ids),
            ),
            [DeliveryStatus.SENT.value, _db_time(timezone.now()), *ids],
        )


def _mark_failed(delivery: Delivery, error: Exception, *, permanent: bool) -> None:
    retry = not permanent and delivery.attempts < MAX_ATTEMPTS
    next_attempt_at = timezone.now() + backoff_delay(delivery.attempts) if retry else None
    text = str(error) if isinstance(error, DeliveryError) else f"{type(error).__name__}: {error}"
    # Only while this claim still holds: a row taken back by the redrive is not ours.
    Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts
    ).update(
        status=DeliveryStatus.FAILED,
        next_attempt_at=next_attempt_at,
        last_error=text[:ERROR_MAX_LENGTH],
    )
    logger.warning(
        "delivery %s through %s failed (attempt %d, %s): %s",
        delivery.pk,
        delivery.channel,
        delivery.attempts,
        "will retry" if retry else "final",
        text[:200],
    )


@lru_cache(maxsize=512)
def _statement(template: str, *, ids: int = 0) -> str:
    """`template` with the delivery table's quoted name for {table}, its column names for
    {field_name} and `ids` parameter markers (%s) for {ids}. Names come from the model; every value
    travels as a parameter."""
    quote = connection.ops.quote_name
    columns = {f.name: quote(_column(f.name)) for f in Delivery._meta.concrete_fields}
    return template.format(
        table=quote(Delivery._meta.db_table), ids=", ".join(["%s"] * ids), **columns
    )


def _db_time(moment: datetime) -> str | datetime | None:
    """A datetime as the database takes it in raw SQL (SQLite: text in UTC)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _checked_headers(headers: dict[str, str]) -> dict[str, str]:
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ValueError("email headers must be strings")
        if name.lower() in RESERVED_HEADERS:
            raise ValueError(f"header {name!r} is set by the outbox")
        if any(char in name + value for char in "\r\n"):
            raise ValueError(f"header {name!r} spans lines")
    return dict(headers)


def one_line(text: str) -> str:
    """`text` with every run of white space (line breaks too) as one space."""
    return " ".join(text.split())
