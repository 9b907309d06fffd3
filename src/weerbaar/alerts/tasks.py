"""Celery tasks of alerts: one-line calls into the services, arguments are ids."""

from __future__ import annotations

from celery import shared_task

from weerbaar.alerts.services import alerts


@shared_task(name="weerbaar.alerts.tasks.fan_out_alert")
def fan_out_alert(alert_id: int) -> int | None:
    """Queue a published alert for everyone it reaches (once)."""
    message = alerts.fan_out(alert_id)
    return message.pk if message else None


@shared_task(name="weerbaar.alerts.tasks.fan_out_update")
def fan_out_update(update_id: int) -> int | None:
    """Queue an update for the people the alert reached (once)."""
    message = alerts.fan_out_update(update_id)
    return message.pk if message else None
