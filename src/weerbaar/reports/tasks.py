"""Celery tasks of reports: one-line calls into the services."""

from __future__ import annotations

from celery import shared_task

from weerbaar.reports.services import scheduled


@shared_task(name="weerbaar.reports.tasks.apply_report_retention")
def apply_report_retention() -> dict[str, int]:
    """Nightly (CELERY_BEAT_SCHEDULE): anonymise or delete reports past their retention."""
    result = scheduled.apply_retention()
    return {"anonymised": result.anonymised, "deleted": result.deleted}


@shared_task(name="weerbaar.reports.tasks.send_overdue_digests")
def send_overdue_digests() -> int:
    """Weekday mornings (CELERY_BEAT_SCHEDULE): remind handlers of overdue reports. The
    service itself skips public holidays."""
    return scheduled.send_overdue_digests()


@shared_task(name="weerbaar.reports.tasks.close_resolved_reports")
def close_resolved_reports() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): close resolved reports that got no verdict in time."""
    return scheduled.close_resolved_reports()
