"""Celery tasks of the delivery outbox: one-line calls into weerbaar.core.outbox."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from weerbaar.core import outbox


@shared_task(name="weerbaar.core.tasks.send_deliveries")
def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """Enqueued on commit by the outbox: send these deliveries if they are still queued."""
    return asdict(outbox.send_delivery_batch(delivery_ids))


@shared_task(name="weerbaar.core.tasks.redrive_stale_deliveries")
def redrive_stale_deliveries() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): enqueue deliveries that stalled or are due."""
    return outbox.redrive_stale_deliveries()
