"""The delivery outbox: queued on commit, sent once, retried with backoff, never lost."""

from __future__ import annotations

import datetime
import smtplib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import OperationalError, transaction
from django.utils import timezone

from tests.factories import DeliveryFactory, MunicipalityFactory, UserFactory
from weerbaar.core import dispatch, outbox
from weerbaar.core.channels import (
    Channel,
    ChannelUnavailableError,
    EmailChannel,
    Recipient,
    UnknownChannelError,
    get_channel,
    register_channel,
)
from weerbaar.core.models import AuditEntry, Delivery, DeliveryStatus, OutboundMessage

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


class FlakyBackend(LocmemBackend):
    """The test mail backend, failing with the queued errors first."""

    errors: ClassVar[list[Exception]] = []

    def send_messages(self, email_messages: Any) -> int:
        if FlakyBackend.errors:
            raise FlakyBackend.errors.pop(0)
        return int(super().send_messages(email_messages))


@pytest.fixture
def flaky_mail(settings: Any, mailoutbox: list[Any]) -> Iterator[list[Exception]]:
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FlakyBackend"}}
    FlakyBackend.errors = []
    yield FlakyBackend.errors
    FlakyBackend.errors = []


def queue(capture: Capture, *addresses: str, execute: bool = True, **kwargs: Any) -> Any:
    """Queue a message inside a transaction, as a service does, and commit it."""
    kwargs.setdefault("kind", "report_feedback")
    kwargs.setdefault("subject", "Terugkoppeling op uw melding")
    kwargs.setdefault("body_text", "Uw melding is opgepakt.")
    with capture(execute=execute), transaction.atomic():
        return outbox.queue_message(recipients=[Recipient(a) for a in addresses], **kwargs)


def ago(**delta: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def redrive(capture: Capture) -> int:
    with capture(execute=True):
        return outbox.redrive_stale_deliveries()


def test_message_is_sent_after_commit_one_email_per_recipient(
    django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    municipality = MunicipalityFactory()
    user = UserFactory(email="bakker@example.nl")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        message = outbox.queue_message(
            kind="report_feedback",
            subject="Uw melding\nis opgepakt ",
            body_text="Tekst",
            body_html="<p>Tekst</p>",
            recipients=[Recipient("bakker@example.nl", user, "en"), Recipient("slager@example.nl")],
            source=municipality,
            municipality=municipality,
            headers={"List-Unsubscribe": "<https://weerbaar.example/afmelden>"},
        )
        assert mailoutbox == []  # not before the commit
    assert len(callbacks) == 1

    assert sorted(m.to[0] for m in mailoutbox) == ["bakker@example.nl", "slager@example.nl"]
    assert all(len(m.to) == 1 for m in mailoutbox)
    delivery = Delivery.objects.get(address="bakker@example.nl")
    assert (delivery.status, delivery.attempts, delivery.recipient) == ("sent", 1, user)
    assert delivery.sent_at is not None
    assert delivery.next_attempt_at is None
    sent = next(m for m in mailoutbox if m.to == ["bakker@example.nl"]).message()
    assert sent["Subject"] == "Uw melding is opgepakt"
    assert sent["Message-ID"] == f"<weerbaar.delivery.{delivery.pk}@weerbaar.localhost>"
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent["Content-Language"] == "en"
    assert sent["List-Unsubscribe"] == "<https://weerbaar.example/afmelden>"
    assert mailoutbox[0].alternatives[0].mimetype == "text/html"
    assert (message.source_type, message.source_id) == (
        "network.municipality",
        str(municipality.pk),
    )
    assert list(outbox.deliveries_for(municipality)) == list(message.deliveries.all())


def test_rolled_back_transaction_queues_and_sends_nothing(
    django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    def failing_service() -> None:
        with transaction.atomic():
            outbox.queue_message(
                kind="report_feedback",
                subject="S",
                body_text="B",
                recipients=[Recipient("bakker@example.nl")],
            )
            raise RuntimeError("the caller's service failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        failing_service()
    assert callbacks == []
    assert mailoutbox == []
    assert not OutboundMessage.objects.exists()
    assert not Delivery.objects.exists()


def test_same_address_twice_is_one_delivery(
    django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    message = queue(
        django_capture_on_commit_callbacks, "bakker@example.nl", " Bakker@Example.nl", "  "
    )
    assert list(message.deliveries.values_list("address", flat=True)) == ["bakker@example.nl"]
    assert len(mailoutbox) == 1


def test_large_recipient_lists_are_sent_in_chunks(
    django_capture_on_commit_callbacks: Capture,
    mailoutbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dispatch, "BATCH_SIZE", 2)
    addresses = [f"ondernemer{n}@example.nl" for n in range(5)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        outbox.queue_message(
            kind="alert", subject="S", body_text="B", recipients=map(Recipient, addresses)
        )
    assert len(callbacks) == 3
    assert len(mailoutbox) == 5


def test_sending_a_batch_twice_sends_once(
    django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    message = queue(django_capture_on_commit_callbacks, "bakker@example.nl", execute=False)
    ids = list(message.deliveries.values_list("pk", flat=True))

    first = outbox.send_delivery_batch(ids)
    second = outbox.send_delivery_batch(ids)

    assert (first.sent, first.skipped) == (1, 0)
    assert (second.sent, second.skipped) == (0, 1)
    assert len(mailoutbox) == 1


def test_of_two_workers_holding_the_same_row_only_one_claims_it() -> None:
    delivery = DeliveryFactory()
    mine, theirs = Delivery.objects.get(pk=delivery.pk), Delivery.objects.get(pk=delivery.pk)
    assert outbox._claim([theirs]) == [theirs]
    assert outbox._claim([mine]) == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sending", 1)


def test_a_row_claimed_by_another_worker_is_skipped(mailoutbox: list[Any]) -> None:
    delivery = DeliveryFactory(status=DeliveryStatus.SENDING, claimed_at=timezone.now())
    summary = outbox.send_delivery_batch([delivery.pk])
    assert (summary.sent, summary.skipped) == (0, 1)
    assert mailoutbox == []


def test_a_batch_claims_in_one_statement_only_rows_still_queued_and_due(
    django_assert_num_queries: Any,
) -> None:
    """The batch read its rows while all were queued and due; meanwhile other workers and
    staff changed some. The claim itself checks again."""
    queued = DeliveryFactory()
    changed = {
        "sending": {"status": DeliveryStatus.SENDING, "attempts": 1},
        "sent": {"status": DeliveryStatus.SENT, "attempts": 1},
        "cancelled": {"status": DeliveryStatus.CANCELLED},
        "not due": {"next_attempt_at": timezone.now() + datetime.timedelta(hours=1)},
    }
    others = {name: DeliveryFactory(message=queued.message) for name in changed}
    read = list(queued.message.deliveries.order_by("pk"))
    for name, values in changed.items():
        Delivery.objects.filter(pk=others[name].pk).update(**values)

    with django_assert_num_queries(1):
        claimed = outbox._claim(read)

    assert claimed == [queued]
    assert (claimed[0].status, claimed[0].attempts) == ("sending", 1)
    stored = {d.pk: (d.status, d.attempts) for d in queued.message.deliveries.all()}
    assert stored == {
        queued.pk: ("sending", 1),
        others["sending"].pk: ("sending", 1),
        others["sent"].pk: ("sent", 1),
        others["cancelled"].pk: ("cancelled", 0),
        others["not due"].pk: ("queued", 0),
    }


def test_an_unavailable_channel_gives_the_claimed_rest_back_at_once(
    mailoutbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [DeliveryFactory()]
    rows += [DeliveryFactory(message=rows[0].message) for _ in range(3)]
    ids = [row.pk for row in rows]
    send = EmailChannel.send

    def server_gone_after_one(self: EmailChannel, delivery: Delivery) -> None:
        if mailoutbox:
            raise ChannelUnavailableError("mail server: ConnectionRefusedError(111)")
        send(self, delivery)

    monkeypatch.setattr(EmailChannel, "send", server_gone_after_one)
    summary = outbox.send_delivery_batch(ids)

    assert (summary.sent, summary.failed, summary.deferred) == (1, 1, 2)
    stored = list(Delivery.objects.filter(pk__in=ids).order_by("pk"))
    assert [(d.status, d.attempts) for d in stored] == [
        ("sent", 1),
        ("failed", 1),
        ("queued", 0),
        ("queued", 0),
    ]
    # Untried, as before the claim: due as they were, no lease to wait for.
    assert [d.next_attempt_at for d in stored[2:]] == [r.next_attempt_at for r in rows[2:]]
    monkeypatch.setattr(EmailChannel, "send", send)
    again = outbox.send_delivery_batch(ids)
    assert (again.sent, again.skipped) == (2, 2)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.address for r in rows if r != rows[1])


def test_a_database_error_while_marking_gives_the_untried_rest_back(
    mailoutbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [DeliveryFactory()]
    rows += [DeliveryFactory(message=rows[0].message) for _ in range(2)]

    def database_gone(delivery: Delivery) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(outbox, "_mark_sent", database_gone)
    with pytest.raises(OperationalError):
        outbox.send_delivery_batch([row.pk for row in rows])

    stored = list(Delivery.objects.order_by("pk").values_list("status", "attempts"))
    # The first went out but could not be marked: the lease and the redrive send it again.
    assert stored == [("sending", 1), ("queued", 0), ("queued", 0)]
    assert len(mailoutbox) == 1


def test_a_batch_that_reads_rows_another_batch_then_sends_skips_them(
    mailoutbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers with overlapping batches: the second runs between the first's read of
    its rows and its claim."""
    rows = [DeliveryFactory()]
    rows += [DeliveryFactory(message=rows[0].message) for _ in range(3)]
    ids = [row.pk for row in rows]
    claim = outbox._claim
    other: list[outbox.BatchSummary] = []

    def claim_after_the_other_worker(deliveries: Any) -> list[Delivery]:
        monkeypatch.setattr(outbox, "_claim", claim)  # the other worker claims normally
        other.append(outbox.send_delivery_batch(ids[1:]))
        return claim(deliveries)

    monkeypatch.setattr(outbox, "_claim", claim_after_the_other_worker)
    summary = outbox.send_delivery_batch(ids[:3])

    assert (other[0].sent, other[0].skipped) == (3, 0)
    assert (summary.sent, summary.skipped) == (1, 2)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.address for r in rows)


def test_a_batch_started_while_another_is_sending_skips_its_claimed_rows(
    mailoutbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [DeliveryFactory()]
    rows += [DeliveryFactory(message=rows[0].message) for _ in range(3)]
    ids = [row.pk for row in rows]
    send = EmailChannel.send
    other: list[outbox.BatchSummary] = []

    def send_while_the_other_worker_starts(self: EmailChannel, delivery: Delivery) -> None:
        monkeypatch.setattr(EmailChannel, "send", send)  # the other worker sends normally
        other.append(outbox.send_delivery_batch(ids[1:]))
        send(self, delivery)

    monkeypatch.setattr(EmailChannel, "send", send_while_the_other_worker_starts)
    summary = outbox.send_delivery_batch(ids[:3])

    assert (summary.sent, summary.skipped) == (3, 0)
    assert (other[0].sent, other[0].skipped) == (1, 2)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.address for r in rows)
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_a_batch_held_past_half_its_lease_renews_the_claim_of_the_rest(
    settings: Any, mailoutbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow mail server: with a lease of 0 s every send comes late, so the rest is claimed
    anew before each one; a row the redrive took back meanwhile is not the batch's any more."""
    settings.OUTBOX_LEASE_SECONDS = 0
    rows = [DeliveryFactory()]
    rows += [DeliveryFactory(message=rows[0].message) for _ in range(2)]
    send = EmailChannel.send

    def send_while_the_last_is_taken_back(self: EmailChannel, delivery: Delivery) -> None:
        Delivery.objects.filter(pk=rows[2].pk).update(
            status=DeliveryStatus.FAILED, last_error=outbox.LEASE_EXPIRED
        )
        send(self, delivery)

    monkeypatch.setattr(EmailChannel, "send", send_while_the_last_is_taken_back)
    summary = outbox.send_delivery_batch([row.pk for row in rows])

    assert (summary.sent, summary.skipped) == (2, 1)
    stored = list(Delivery.objects.order_by("pk").values_list("status", "attempts"))
    assert stored == [("sent", 1), ("sent", 1), ("failed", 1)]
    assert [m.to[0] for m in mailoutbox] == [rows[0].address, rows[1].address]


def test_temporary_failure_backs_off_then_redrive_sends_once(
    django_capture_on_commit_callbacks: Capture, flaky_mail: list[Exception]
) -> None:
    flaky_mail.append(smtplib.SMTPRecipientsRefused({"bakker@example.nl": (451, b"try later")}))
    message = queue(django_capture_on_commit_callbacks, "bakker@example.nl")

    delivery = message.deliveries.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    assert redrive(django_capture_on_commit_callbacks) == 0  # not due yet
    assert mail.outbox == []

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=ago(seconds=1))
    assert redrive(django_capture_on_commit_callbacks) == 1
    assert redrive(django_capture_on_commit_callbacks) == 0

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1
    # Same Message-ID as the failed attempt would have had.
    assert mail.outbox[0].message()["Message-ID"].startswith(f"<weerbaar.delivery.{delivery.pk}@")


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"bakker@example.nl": (550, b"no such user")}),
        smtplib.SMTPDataError(554, b"rejected as spam"),
    ],
)
def test_permanent_failure_is_not_retried(
    django_capture_on_commit_callbacks: Capture, flaky_mail: list[Exception], error: Exception
) -> None:
    flaky_mail.append(error)
    message = queue(django_capture_on_commit_callbacks, "bakker@example.nl")

    delivery = message.deliveries.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 1, None)
    assert not delivery.will_retry
    Delivery.objects.filter(pk=delivery.pk).update(claimed_at=ago(days=1))
    assert redrive(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_invalid_address_fails_without_contacting_the_mail_server(
    django_capture_on_commit_callbacks: Capture, flaky_mail: list[Exception]
) -> None:
    flaky_mail.append(AssertionError("the mail server was contacted"))
    message = queue(django_capture_on_commit_callbacks, "geen-adres")
    delivery = message.deliveries.get()
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)
    assert delivery.last_error == "invalid email address"


def test_unreachable_mail_server_defers_the_rest_of_the_batch(
    django_capture_on_commit_callbacks: Capture, flaky_mail: list[Exception]
) -> None:
    flaky_mail.append(ConnectionRefusedError(111, "Connection refused"))
    message = queue(
        django_capture_on_commit_callbacks, "a@example.nl", "b@example.nl", execute=False
    )
    ids = list(message.deliveries.order_by("pk").values_list("pk", flat=True))

    summary = outbox.send_delivery_batch(ids)

    assert (summary.sent, summary.failed, summary.deferred) == (0, 1, 1)
    statuses = list(message.deliveries.order_by("pk").values_list("status", "attempts"))
    assert statuses == [("failed", 1), ("queued", 0)]
    # The untouched row waits for the redrive once its task counts as lost.
    Delivery.objects.filter(pk=ids[1]).update(next_attempt_at=ago(minutes=6))
    assert redrive(django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [["b@example.nl"]]


def test_unexpected_channel_error_counts_as_temporary(
    django_capture_on_commit_callbacks: Capture,
    mailoutbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: EmailChannel, delivery: Delivery) -> None:
        raise KeyError("template variable")

    monkeypatch.setattr(EmailChannel, "send", broken)
    message = queue(django_capture_on_commit_callbacks, "bakker@example.nl")
    delivery = message.deliveries.get()
    assert delivery.will_retry
    assert delivery.last_error == "KeyError: 'template variable'"


def test_stale_sending_row_is_redriven_and_a_fresh_one_is_not(
    django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    stale = DeliveryFactory(status=DeliveryStatus.SENDING, attempts=1, claimed_at=ago(minutes=11))
    fresh = DeliveryFactory(status=DeliveryStatus.SENDING, attempts=1, claimed_at=ago(minutes=1))

    assert redrive(django_capture_on_commit_callbacks) == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, stale.attempts) == ("sent", 2)
    assert (fresh.status, fresh.attempts) == ("sending", 1)
    assert [m.to for m in mailoutbox] == [[stale.address]]


def test_stale_row_out_of_attempts_fails_for_good(
    django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    delivery = DeliveryFactory(
        status=DeliveryStatus.SENDING, attempts=outbox.MAX_ATTEMPTS, claimed_at=ago(hours=1)
    )
    assert redrive(django_capture_on_commit_callbacks) == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)
    assert delivery.last_error == outbox.LEASE_EXPIRED
    assert mailoutbox == []


def test_a_worker_whose_lease_was_taken_back_does_not_overwrite_the_row() -> None:
    delivery = DeliveryFactory()
    assert outbox._claim([delivery])
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.QUEUED)  # redrive
    outbox._mark_failed(delivery, smtplib.SMTPServerDisconnected(), permanent=False)
    delivery.refresh_from_db()
    assert delivery.status == "queued"


def test_queued_row_whose_task_was_lost_is_enqueued_again(
    django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    lost = DeliveryFactory(next_attempt_at=ago(minutes=6))
    DeliveryFactory(next_attempt_at=ago(minutes=1))  # its task is probably still coming
    assert redrive(django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mailoutbox] == [[lost.address]]


def test_one_redrive_run_hands_over_a_whole_backlog_in_steps(
    django_capture_on_commit_callbacks: Capture,
    mailoutbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After an outage a fan-out's rows are all waiting: one run takes them all, in
    committed steps of REDRIVE_LIMIT, up to REDRIVE_MAX_PER_RUN."""
    monkeypatch.setattr(outbox, "REDRIVE_LIMIT", 5)
    monkeypatch.setattr(outbox, "REDRIVE_MAX_PER_RUN", 10)
    failed = [
        DeliveryFactory(status=DeliveryStatus.FAILED, attempts=1, next_attempt_at=ago(minutes=1))
        for _ in range(4)
    ]
    waiting = [DeliveryFactory(next_attempt_at=ago(minutes=6)) for _ in range(8)]

    assert redrive(django_capture_on_commit_callbacks) == 10  # two full steps, then the cap
    assert len(mailoutbox) == 10
    assert redrive(django_capture_on_commit_callbacks) == 2  # the next run takes the rest
    assert sorted(m.to[0] for m in mailoutbox) == sorted(d.address for d in failed + waiting)


def test_lease_and_requeue_wait_follow_the_settings(
    settings: Any, django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    """The fault benchmarks shorten both waits to watch a recovery in seconds."""
    settings.OUTBOX_LEASE_SECONDS = 15
    settings.OUTBOX_REQUEUE_AFTER_SECONDS = 15
    dead_worker = DeliveryFactory(
        status=DeliveryStatus.SENDING, attempts=1, claimed_at=ago(seconds=20)
    )
    lost_task = DeliveryFactory(next_attempt_at=ago(seconds=20))
    DeliveryFactory(status=DeliveryStatus.SENDING, attempts=1, claimed_at=ago(seconds=5))
    DeliveryFactory(next_attempt_at=ago(seconds=5))

    assert redrive(django_capture_on_commit_callbacks) == 2

    assert sorted(m.to[0] for m in mailoutbox) == sorted([dead_worker.address, lost_task.address])


def test_default_lease_and_requeue_wait_are_ten_and_five_minutes(
    django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    DeliveryFactory(status=DeliveryStatus.SENDING, attempts=1, claimed_at=ago(minutes=9))
    DeliveryFactory(next_attempt_at=ago(minutes=4))
    assert redrive(django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_backoff_doubles_and_is_capped() -> None:
    assert outbox.backoff_delay(1) == datetime.timedelta(minutes=1)
    assert outbox.backoff_delay(2) == datetime.timedelta(minutes=2)
    assert outbox.backoff_delay(4) == datetime.timedelta(minutes=8)
    assert outbox.backoff_delay(10) == outbox.BACKOFF_CAP
    assert outbox.backoff_delay(1000) == outbox.BACKOFF_CAP


def test_last_allowed_attempt_fails_for_good(flaky_mail: list[Exception]) -> None:
    flaky_mail.append(smtplib.SMTPRecipientsRefused({"x@example.nl": (451, b"later")}))
    delivery = DeliveryFactory(attempts=outbox.MAX_ATTEMPTS - 1)

    outbox.send_delivery_batch([delivery.pk])

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert delivery.next_attempt_at is None


def test_retry_failed_sends_final_failures_again_and_is_audited(
    django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    staff = UserFactory()
    failed = DeliveryFactory(
        status=DeliveryStatus.FAILED, attempts=outbox.MAX_ATTEMPTS, next_attempt_at=None
    )
    sent = DeliveryFactory(message=failed.message, status=DeliveryStatus.SENT)

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.retry_failed(failed.message, actor=staff) == 1

    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 1)
    assert sent.status == "sent"
    assert [m.to for m in mailoutbox] == [[failed.address]]
    entry = AuditEntry.objects.get(action="outbox.deliveries_retried")
    assert (entry.actor, entry.changes) == (staff, {"deliveries": 1})


def test_cancelled_deliveries_are_not_sent(mailoutbox: list[Any]) -> None:
    queued = DeliveryFactory()
    failed = DeliveryFactory(message=queued.message, status=DeliveryStatus.FAILED)
    sent = DeliveryFactory(message=queued.message, status=DeliveryStatus.SENT)

    assert outbox.cancel_deliveries(queued.message) == 2
    summary = outbox.send_delivery_batch([queued.pk, failed.pk, sent.pk])

    assert summary.skipped == 3
    assert mailoutbox == []
    statuses = set(queued.message.deliveries.values_list("status", flat=True))
    assert statuses == {"cancelled", "sent"}


def test_delete_messages_for_a_source_removes_their_deliveries(
    django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    source = MunicipalityFactory()
    queue(django_capture_on_commit_callbacks, "bakker@example.nl", source=source)
    other = queue(django_capture_on_commit_callbacks, "slager@example.nl")

    assert outbox.delete_messages_for(source) == 1

    assert list(OutboundMessage.objects.all()) == [other]
    assert Delivery.objects.count() == 1


def test_programming_errors_are_raised_to_the_caller() -> None:
    recipients = [Recipient("bakker@example.nl")]
    common: dict[str, Any] = {"kind": "k", "subject": "s", "body_text": "b"}
    with pytest.raises(UnknownChannelError):
        outbox.queue_message(recipients=recipients, channels=["pigeon"], **common)
    with pytest.raises(ValueError, match="set by the outbox"):
        outbox.queue_message(recipients=recipients, headers={"bcc": "x@example.nl"}, **common)
    with pytest.raises(ValueError, match="spans lines"):
        outbox.queue_message(recipients=recipients, headers={"X-A": "a\r\nBcc: x"}, **common)
    assert not OutboundMessage.objects.exists()


def test_unregistered_channel_of_a_stored_row_fails_for_good(mailoutbox: list[Any]) -> None:
    delivery = DeliveryFactory(channel="retired-gateway")
    summary = outbox.send_delivery_batch([delivery.pk])
    delivery.refresh_from_db()
    assert summary.failed == 1
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)


def test_channel_registry_refuses_a_second_class_for_a_key() -> None:
    assert isinstance(get_channel("email"), EmailChannel)
    assert register_channel(EmailChannel) is EmailChannel  # re-import is harmless

    class OtherEmail(EmailChannel):
        key = "email"

    with pytest.raises(ValueError, match="already registered"):
        register_channel(OtherEmail)
    with pytest.raises(UnknownChannelError):
        get_channel("pigeon")
    assert issubclass(EmailChannel, Channel)
