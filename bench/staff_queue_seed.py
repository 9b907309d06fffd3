"""Fill the bench database with N reports (run by bench/staff_queue.py in a Django process).

Rows are written with bulk_create, not through submit_report(): the point is the size of the
table the queue reads, and 100,000 service calls would take minutes longer. Each report
gets the fields intake would give it (routing, deadlines, status history summary) and one
SUBMITTED event.
"""

from __future__ import annotations

import datetime
import random
import secrets
import sys

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.utils import timezone  # noqa: E402

from weerbaar.network.models import Area, Municipality  # noqa: E402
from weerbaar.reports import config  # noqa: E402
from weerbaar.reports.models import (  # noqa: E402
    EventKind,
    Report,
    ReportChannel,
    ReportEvent,
    ReportStatus,
)
from weerbaar.reports.routing import compute_deadlines, find_route  # noqa: E402

STATUSES = [
    (ReportStatus.CLOSED, 55),
    (ReportStatus.RESOLVED, 8),
    (ReportStatus.IN_PROGRESS, 12),
    (ReportStatus.RECEIVED, 8),
    (ReportStatus.TRIAGE, 5),
    (ReportStatus.WAITING_FOR_REPORTER, 4),
    (ReportStatus.FORWARDED, 3),
    (ReportStatus.CANCELLED, 3),
    (ReportStatus.DUPLICATE, 2),
]
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def main(count: int) -> None:
    rng = random.Random(2026)
    configuration = config.current()
    categories = configuration.selectable()
    municipalities = list(Municipality.objects.all())
    areas: dict[int, list[Area]] = {}
    for area in Area.objects.all():
        areas.setdefault(area.municipality_id, []).append(area)
    now = timezone.now()
    statuses, weights = zip(*STATUSES, strict=True)
    batch: list[Report] = []
    for number in range(count):
        municipality = rng.choice(municipalities)
        area = rng.choice(areas[municipality.pk]) if rng.random() < 0.8 else None
        category = rng.choice(categories)
        created = now - datetime.timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        deadlines = compute_deadlines(
            created.date(), category, configuration.calendar_for(municipality.pk)
        )
        rule = find_route(
            configuration.rules_for(municipality.pk),
            category,
            municipality.pk,
            area.pk if area else None,
        )
        status = rng.choices(statuses, weights)[0]
        closed = status in (ReportStatus.CLOSED, ReportStatus.CANCELLED, ReportStatus.DUPLICATE)
        answered = closed or status == ReportStatus.RESOLVED
        anonymous = rng.random() < 0.25
        tail = "".join(secrets.choice(ALPHABET) for _ in range(8))
        batch.append(
            Report(
                reference=f"M{created:%y}-{tail[:4]}-{tail[4:]}",
                municipality=municipality,
                area=area,
                category=category,
                is_confidential=category.is_confidential,
                description=f"Benchmarkmelding {number}: verdachte situatie bij een pand.",
                occurred_at=created - datetime.timedelta(hours=2),
                location_text="Grote Markt 1",
                channel=ReportChannel.WEB,
                is_anonymous=anonymous,
                reporter_email="" if anonymous else f"melder{number}@example.nl",
                status=status,
                organisation=rule.organisation if rule else None,
                team=rule.team if rule else "",
                first_response_due=deadlines.first_response_due,
                feedback_due=deadlines.feedback_due,
                first_response_at=created + datetime.timedelta(days=1) if answered else None,
                feedback_at=created + datetime.timedelta(days=6) if answered else None,
                closed_at=created + datetime.timedelta(days=9) if closed else None,
            )
        )
        if len(batch) == 5000:
            _flush(batch)
            batch = []
    if batch:
        _flush(batch)
    # created_at is auto_now_add (now, for every row): spread it over the two years, as real
    # data would be, so that sorting and paging read realistic index ranges.
    Report.objects.update(created_at=F("occurred_at") + datetime.timedelta(hours=2))
    print(Report.objects.count())


def _flush(batch: list[Report]) -> None:
    with transaction.atomic():
        created = Report.objects.bulk_create(batch)
        ReportEvent.objects.bulk_create(
            ReportEvent(report=r, kind=EventKind.SUBMITTED, to_status=r.status) for r in created
        )


if __name__ == "__main__":
    main(int(sys.argv[1]))
