"""Handing committed deliveries to Celery: at each commit, or collected per process.

The outbox (core.outbox) stores its Delivery rows inside the caller's transaction and, once
that commits, asks Celery to send them. Publishing one Celery message costs about half a
millisecond of CPU in the web process (kombu, a Redis round trip); at intake rates of
hundreds of reports per second, each with its own acknowledgement, that is a tenth of the
whole request. So a web process collects the ids committed during a short window
(`OUTBOX_DISPATCH_WINDOW`, 0.1 s by default) on a thread of its own and publishes them as one
task per `BATCH_SIZE` ids. The request does not wait for the broker at all.

Nothing is lost by collecting: the rows are committed before their ids reach the collector.
If the process dies with ids still waiting (at most one window), or the broker refuses the
publish, the rows stay QUEUED and `redrive_stale_deliveries()` enqueues them again after
`OUTBOX_REQUEUE_AFTER_SECONDS`. A process that exits normally publishes what it holds first.

With `CELERY_TASK_ALWAYS_EAGER` (the embedded column, the tests) or a window of 0, each
commit publishes at once, in the committing thread: an eager task must run on the
connection that can see the rows.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable, Sequence
from functools import partial

from django.conf import settings
from django.db import transaction

__all__ = ["BATCH_SIZE", "Collector", "enqueue_on_commit"]

logger = logging.getLogger(__name__)

BATCH_SIZE = 200  # deliveries per Celery task

Publish = Callable[[list[int]], object]


class Collector:
    """Collects ids from any thread; a daemon thread publishes them, `window` seconds after
    the first one arrives or as soon as a batch is full. Safe across fork (gunicorn, Celery
    prefork): a child starts empty and starts its own thread when first used."""

    def __init__(self, publish: Publish, *, window: float, batch_size: int = BATCH_SIZE) -> None:
        self._publish = publish
        self._window = window
        self._batch_size = batch_size
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[int] = []
        self._has_work = threading.Event()
        self._batch_full = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        with self._lock:
            self._pending.extend(ids)
            full = len(self._pending) >= self._batch_size
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="outbox-dispatch", daemon=True
                )
                self._thread.start()
        self._has_work.set()
        if full:
            self._batch_full.set()

    def flush(self) -> int:
        """Publish everything collected now; returns the number of ids handed over."""
        with self._lock:
            pending, self._pending = self._pending, []
            self._batch_full.clear()
        for start in range(0, len(pending), self._batch_size):
            chunk = pending[start : start + self._batch_size]
            try:
                self._publish(chunk)
            except Exception:
                # The rows stay QUEUED; the redrive enqueues them again.
                logger.exception("could not hand %d deliveries to Celery", len(chunk))
        return len(pending)

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def _run(self) -> None:
        while True:
            self._has_work.wait()
            self._batch_full.wait(self._window)
            self._has_work.clear()
            self.flush()


def _publish(ids: list[int]) -> None:
    # Imported here: the tasks module imports the outbox, which imports this module.
    from weerbaar.core.tasks import send_deliveries

    send_deliveries.delay(ids)


_collector: Collector | None = None
_collector_lock = threading.Lock()


def _shared_collector() -> Collector:
    global _collector
    with _collector_lock:
        if _collector is None:
            _collector = Collector(_publish, window=settings.OUTBOX_DISPATCH_WINDOW)
            atexit.register(_collector.flush)
        return _collector


def enqueue_on_commit(ids: Sequence[int]) -> None:
    """Once the current transaction commits, hand these QUEUED deliveries to Celery."""
    if settings.CELERY_TASK_ALWAYS_EAGER or settings.OUTBOX_DISPATCH_WINDOW <= 0:
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = list(ids[start : start + BATCH_SIZE])
            # robust: a broker that is down must not fail the committed request; the rows
            # stay QUEUED and the redrive enqueues them again.
            transaction.on_commit(partial(_publish, chunk), robust=True)
    elif ids:
        transaction.on_commit(partial(_shared_collector().add, list(ids)), robust=True)
