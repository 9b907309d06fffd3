"""Reads for insights. Aggregates only: no query here returns a single report.

`transparency()` builds the public figures of one municipality (the transparency page):
reports received per month and per category group over the last twelve complete months,
the share that got feedback and the median time to feedback. Small counts are protected
by `disclosure.protect()`; see docs/decisions/0009-transparency-suppression.md.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Count, DateField, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from weerbaar.insights.disclosure import ProtectedTables, Shown, protect
from weerbaar.network.models import Municipality
from weerbaar.reports.models import Report, ReportCategory

MONTHS = 12
# Fewer reports than this and a share or a median says more about single reports than
# about the municipality: it is not shown.
MIN_FOR_RATES = 10


@dataclass(frozen=True)
class MonthRow:
    month: datetime.date  # the first day of the month
    count: Shown


@dataclass(frozen=True)
class GroupRow:
    group: ReportCategory
    count: Shown


@dataclass(frozen=True)
class Transparency:
    municipality: Municipality
    first_month: datetime.date
    last_month: datetime.date
    months: list[MonthRow] | None  # None: withheld to protect small counts
    groups: list[GroupRow] | None
    tables: ProtectedTables
    feedback_share: int | None  # whole percent; None when too few reports
    median_days_to_feedback: float | None  # calendar days; None when too few reports


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def top_level_groups() -> tuple[list[ReportCategory], dict[int, int]]:
    """The category groups in display order, and for every category the id of its group
    (its top-level ancestor, however deep the tree grows)."""
    categories = {c.pk: c for c in ReportCategory.objects.order_by("sort_order", "code")}
    group_of: dict[int, int] = {}
    for category in categories.values():
        node = category
        seen = {node.pk}
        while node.parent_id is not None and node.parent_id not in seen:
            seen.add(node.parent_id)
            node = categories[node.parent_id]
        group_of[category.pk] = node.pk
    groups = [c for c in categories.values() if c.parent_id is None]
    return groups, group_of


def transparency(municipality: Municipality, today: datetime.date | None = None) -> Transparency:
    """The public figures of `municipality` for the twelve complete months before `today`."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    first_month = add_months(this_month, -MONTHS)
    month_starts = [add_months(first_month, offset) for offset in range(MONTHS)]
    received = Report.objects.filter(
        municipality=municipality,
        created_at__gte=_start_of(first_month),
        created_at__lt=_start_of(this_month),
    ).order_by()  # no default ordering: it would split the GROUP BY

    per_month = {
        row["month"]: row["count"]
        for row in received.annotate(month=TruncMonth("created_at", output_field=DateField()))
        .values("month")
        .annotate(count=Count("id"))
    }
    groups, group_of = top_level_groups()
    per_group: dict[int, int] = dict.fromkeys((group.pk for group in groups), 0)
    for row in received.values("category_id").annotate(count=Count("id")):
        per_group[group_of[row["category_id"]]] += row["count"]

    month_counts = [per_month.get(month, 0) for month in month_starts]
    group_counts = [per_group[group.pk] for group in groups]
    tables = protect(month_counts, group_counts)
    share, median = _feedback_figures(received, today)
    return Transparency(
        municipality=municipality,
        first_month=first_month,
        last_month=month_starts[-1],
        months=None
        if tables.first is None
        else [
            MonthRow(month, cell) for month, cell in zip(month_starts, tables.first, strict=True)
        ],
        groups=None
        if tables.second is None
        else [GroupRow(group, cell) for group, cell in zip(groups, tables.second, strict=True)],
        tables=tables,
        feedback_share=share,
        median_days_to_feedback=median,
    )


def _feedback_figures(
    received: QuerySet[Report], today: datetime.date
) -> tuple[int | None, float | None]:
    """Share of reports that got feedback among those whose feedback was due or given, and
    the median number of calendar days from receipt to feedback."""
    counts = received.aggregate(
        due=Count("id", filter=Q(feedback_at__isnull=False) | Q(feedback_due__lt=today)),
        given=Count("id", filter=Q(feedback_at__isnull=False)),
    )
    share = None
    if counts["due"] >= MIN_FOR_RATES:
        share = round(100 * counts["given"] / counts["due"])
    median = None
    if counts["given"] >= MIN_FOR_RATES:
        # Only the durations leave the database, one number per report.
        durations = (
            received.filter(feedback_at__isnull=False)
            .annotate(
                duration=ExpressionWrapper(
                    F("feedback_at") - F("created_at"), output_field=DurationField()
                )
            )
            .values_list("duration", flat=True)
        )
        days = [duration.total_seconds() / 86400 for duration in durations]
        median = round(statistics.median(days), 1)
    return share, median
