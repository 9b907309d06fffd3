"""The sent journal: with it, emails are noted outside PostgreSQL as they go out and marked
SENT in batches; a worker that dies with unmarked rows leaves them for the redrive, which
marks what the journal says went out instead of sending it again."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
import redis
from django.utils import timezone

from tests.factories import DeliveryFactory
from tests.helpers import MemoryJournal
from weerbaar.core import outbox
from weerbaar.core.channels import Recipient
from weerbaar.core.models import Delivery, DeliveryStatus
from weerbaar.core.sent_journal import SentJournal

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def journal(monkeypatch: pytest.MonkeyPatch) -> MemoryJournal:
    memory = MemoryJournal()
    monkeypatch.setattr(outbox, "sent_journal", lambda: memory)
    return memory


def queued_emails(count: int) -> list[int]:
    message = outbox.queue_message(
        kind="alert",
        subject="Let op",
        body_text="Valse biljetten.",
        recipients=[Recipient(address=f"ondernemer{n}@example.nl") for n in range(count)],
    )
    return list(message.deliveries.order_by("pk").values_list("pk", flat=True))


@pytest.mark.django_db
def test_with_the_journal_a_batch_is_marked_in_a_few_statements(
    journal: MemoryJournal, mailoutbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[int] = []
    mark_ids = outbox._mark_sent_ids
    monkeypatch.setattr(
        outbox, "_mark_sent_ids", lambda ids: (batches.append(len(ids)), mark_ids(ids))
    )
    monkeypatch.setattr(outbox, "_mark_sent", lambda delivery: pytest.fail("marked one by one"))
    ids = queued_emails(120)

    summary = outbox.send_delivery_batch(ids)

    assert summary.sent == 120
    assert len(mailoutbox) == 120
    assert batches == [50, 50, 20]  # MARK_BATCH at a time, the rest when the batch ends
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert journal.sent == set()  # forgotten once marked in the database


@pytest.mark.django_db
def test_when_the_journal_does_not_take_a_note_the_row_is_marked_at_once(
    journal: MemoryJournal, mailoutbox: list[Any]
) -> None:
    journal.recording = False
    ids = queued_emails(3)
    assert outbox.send_delivery_batch(ids).sent == 3
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 3


@pytest.mark.django_db
def test_the_redrive_marks_what_a_dead_worker_sent_and_sends_only_the_rest(
    journal: MemoryJournal, django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    long_ago = timezone.now() - datetime.timedelta(minutes=11)
    went_out = DeliveryFactory(status=DeliveryStatus.SENDING, attempts=1, claimed_at=long_ago)
    never_sent = DeliveryFactory(status=DeliveryStatus.SENDING, attempts=1, claimed_at=long_ago)
    journal.record([(went_out.pk, 1)])  # the worker died after the send, before the batch mark

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.redrive_stale_deliveries() == 1

    went_out.refresh_from_db()
    never_sent.refresh_from_db()
    assert (went_out.status, went_out.attempts) == (DeliveryStatus.SENT, 1)
    assert (never_sent.status, never_sent.attempts) == (DeliveryStatus.SENT, 2)
    assert [m.to for m in mailoutbox] == [[never_sent.address]]  # not the one that went out


@pytest.mark.django_db
def test_the_redrive_waits_while_the_journal_cannot_answer(
    journal: MemoryJournal, django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    long_ago = timezone.now() - datetime.timedelta(minutes=11)
    stale = DeliveryFactory(status=DeliveryStatus.SENDING, attempts=1, claimed_at=long_ago)
    journal.answering = False

    with django_capture_on_commit_callbacks(execute=True):
        outbox.redrive_stale_deliveries()

    stale.refresh_from_db()
    assert stale.status == DeliveryStatus.SENDING  # neither guessed sent nor sent again
    assert mailoutbox == []


REDIS_URL = os.environ.get("CELERY_TEST_BROKER_URL", "")


@pytest.mark.celery_worker
@pytest.mark.skipif(not REDIS_URL, reason="CELERY_TEST_BROKER_URL (a Redis URL) is not set")
def test_the_redis_journal_records_answers_and_forgets() -> None:
    journal = SentJournal(REDIS_URL)
    first, second, first_retried = (987_654_321, 1), (987_654_322, 1), (987_654_321, 2)
    attempts = [first, second, first_retried]
    journal.forget(attempts)
    assert journal.record([first, second])
    assert journal.recorded(attempts) == {first[0], second[0]}
    # Another attempt of a delivery is its own note: the first one's does not count for it.
    assert journal.recorded([first_retried]) == set()
    journal.forget(attempts)
    assert journal.recorded(attempts) == set()
    unreachable = SentJournal("redis://127.0.0.1:1/0")
    assert unreachable.record([first]) is False
    with pytest.raises(redis.RedisError):
        unreachable.recorded(attempts)
