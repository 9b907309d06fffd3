"""Celery tasks of newsletters: one-line calls into the services, arguments are ids."""

from __future__ import annotations

from celery import shared_task

from weerbaar.newsletters.services import newsletters


@shared_task(name="weerbaar.newsletters.tasks.fan_out_newsletter")
def fan_out_newsletter(newsletter_id: int) -> int | None:
    """Queue a newsletter that is being sent for everyone its segment reaches (once)."""
    message = newsletters.fan_out(newsletter_id)
    return message.pk if message else None


@shared_task(name="weerbaar.newsletters.tasks.send_due_newsletters")
def send_due_newsletters() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): start the scheduled newsletters that are due."""
    return newsletters.send_due_newsletters()
