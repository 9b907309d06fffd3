"""Reads shared by the staff pages, the API and (later) insights."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from weerbaar.accounts.models import User
from weerbaar.accounts.policy import Action, Actor, scope_queryset
from weerbaar.reports.models import (
    REPORTER_VISIBLE_EVENTS,
    Report,
    ReportAttachment,
    ReportCategory,
    ReportEvent,
)
from weerbaar.reports.services.scheduled import overdue_reports
from weerbaar.reports.workflow import OPEN_STATES

SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "due": ("feedback_due", "id"),
    "status": ("status", "-created_at", "-id"),
}
DEFAULT_SORT = "newest"


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    open_only: bool = False
    category: ReportCategory | None = None
    municipality_id: int | None = None
    area_id: int | None = None
    overdue: bool = False
    mine: bool = False
    unassigned: bool = False
    query: str = ""
    sort: str = DEFAULT_SORT


def visible_reports(actor: Actor) -> QuerySet[Report]:
    """Reports the actor may see: scope and confidentiality applied by the policy."""
    return scope_queryset(actor, Action.VIEW_REPORT, Report.objects.all())


def work_queue(
    actor: Actor, filters: QueueFilters, today: datetime.date | None = None
) -> QuerySet[Report]:
    reports = visible_reports(actor).select_related(
        "category", "category__parent", "municipality", "area", "organisation", "assignee"
    )
    if filters.status:
        reports = reports.filter(status=filters.status)
    elif filters.open_only:
        reports = reports.filter(status__in=OPEN_STATES)
    if filters.category is not None:
        reports = reports.filter(
            Q(category=filters.category) | Q(category__parent=filters.category)
        )
    if filters.municipality_id:
        reports = reports.filter(municipality_id=filters.municipality_id)
    if filters.area_id:
        reports = reports.filter(area_id=filters.area_id)
    if filters.overdue:
        reports = reports.filter(overdue_reports(today or timezone.localdate()))
    if filters.mine and isinstance(actor.user, User):
        reports = reports.filter(assignee=actor.user)
    if filters.unassigned:
        reports = reports.filter(assignee__isnull=True)
    if filters.query:
        # References are upper case: an exact match uses the unique index (iexact would not).
        reports = reports.filter(reference=filters.query.strip().upper())
    return reports.order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


def report_for_staff(actor: Actor, reference: str) -> QuerySet[Report]:
    return (
        visible_reports(actor)
        .filter(reference=reference)
        .select_related(
            "category",
            "category__parent",
            "municipality",
            "area",
            "business",
            "organisation",
            "assignee",
            "reporter",
            "duplicate_of",
            "entered_by",
        )
    )


def timeline(report: Report, *, for_reporter: bool = False) -> list[ReportEvent]:
    events = report.events.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=ReportAttachment.objects.order_by("id"))
    )
    if for_reporter:
        events = events.filter(kind__in=REPORTER_VISIBLE_EVENTS)
    return list(events)


def reports_of_person(user: User) -> QuerySet[Report]:
    return (
        Report.objects.filter(reporter=user)
        .select_related("category", "municipality")
        .order_by("-created_at", "-id")
    )
