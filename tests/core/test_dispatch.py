"""core.dispatch: committed deliveries reach Celery, collected per process or at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from weerbaar.core import dispatch, outbox
from weerbaar.core.channels import Recipient
from weerbaar.core.models import Delivery, DeliveryStatus


class Recorder:
    """A stand-in for the Celery publish that records each batch it is handed."""

    def __init__(self, fail_first: int = 0) -> None:
        self.batches: list[list[int]] = []
        self.fail_first = fail_first
        self.published = threading.Event()

    def __call__(self, ids: list[int]) -> None:
        if self.fail_first:
            self.fail_first -= 1
            raise ConnectionError("broker unreachable")
        self.batches.append(list(ids))
        self.published.set()


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_ids_arriving_within_the_window_go_out_as_one_task() -> None:
    recorder = Recorder()
    collector = dispatch.Collector(recorder, window=0.2)
    collector.add([1, 2])
    collector.add([3])
    collector.add([4, 5])
    assert recorder.batches == []  # the window is still open
    assert wait_for(lambda: recorder.batches != [])
    assert recorder.batches == [[1, 2, 3, 4, 5]]
    assert collector.pending() == 0


def test_a_full_batch_goes_out_without_waiting_for_the_window() -> None:
    recorder = Recorder()
    collector = dispatch.Collector(recorder, window=30, batch_size=3)
    collector.add([1, 2, 3, 4])
    assert wait_for(lambda: sum(map(len, recorder.batches)) == 4, seconds=3)
    assert recorder.batches == [[1, 2, 3], [4]]


def test_a_refused_publish_is_logged_and_later_ids_still_go_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder(fail_first=1)
    collector = dispatch.Collector(recorder, window=0.01)
    collector.add([1])
    assert wait_for(lambda: "could not hand 1 deliveries to Celery" in caplog.text)
    collector.add([2])
    assert wait_for(lambda: recorder.batches == [[2]])


def test_flush_hands_over_everything_at_once() -> None:
    recorder = Recorder()
    collector = dispatch.Collector(recorder, window=30)
    collector.add([7])
    collector.add([8, 9])
    assert collector.flush() == 3
    assert recorder.batches == [[7, 8, 9]]
    assert collector.flush() == 0


def test_nothing_to_add_starts_nothing() -> None:
    recorder = Recorder()
    collector = dispatch.Collector(recorder, window=0.01)
    collector.add([])
    time.sleep(0.05)
    assert recorder.batches == []
    assert collector.pending() == 0


def queue_alert(addresses: list[str]) -> list[int]:
    message = outbox.queue_message(
        kind="alert", subject="S", body_text="B", recipients=map(Recipient, addresses)
    )
    return list(message.deliveries.order_by("pk").values_list("pk", flat=True))


@pytest.mark.django_db
@override_settings(CELERY_TASK_ALWAYS_EAGER=False, OUTBOX_DISPATCH_WINDOW=0.05)
def test_with_workers_committed_deliveries_reach_the_collector_after_commit(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    recorder = Recorder()
    monkeypatch.setattr(dispatch, "_collector", dispatch.Collector(recorder, window=0.05))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ids = queue_alert(["a@example.nl", "b@example.nl"])
        assert recorder.batches == []  # nothing before the commit
    assert wait_for(lambda: recorder.batches != [])
    assert recorder.batches == [ids]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}


@pytest.mark.django_db
@override_settings(CELERY_TASK_ALWAYS_EAGER=False, OUTBOX_DISPATCH_WINDOW=0.05)
def test_a_rolled_back_message_is_never_handed_over(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    recorder = Recorder()
    monkeypatch.setattr(dispatch, "_collector", dispatch.Collector(recorder, window=0.01))

    def fail_after_queueing() -> None:
        with transaction.atomic():
            queue_alert(["a@example.nl"])
            raise RuntimeError("the caller's transaction fails")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        fail_after_queueing()
    assert callbacks == []
    time.sleep(0.05)
    assert recorder.batches == []
    assert not Delivery.objects.exists()


@pytest.mark.django_db
@override_settings(CELERY_TASK_ALWAYS_EAGER=False, OUTBOX_DISPATCH_WINDOW=0)
def test_a_window_of_zero_publishes_at_each_commit(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    recorder = Recorder()
    monkeypatch.setattr(dispatch, "_publish", recorder)
    monkeypatch.setattr(dispatch, "BATCH_SIZE", 2)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ids = queue_alert(["a@example.nl", "b@example.nl", "c@example.nl"])
    assert recorder.batches == [ids[:2], ids[2:]]
