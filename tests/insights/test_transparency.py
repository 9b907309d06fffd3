"""The public transparency page: aggregated counts, small counts protected, no report content."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import MunicipalityFactory
from tests.reports.factories import ReportFactory, category
from weerbaar.insights.disclosure import Protection, feasible_range
from weerbaar.insights.queries import Transparency, transparency
from weerbaar.reports.models import Report

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# "Today" in these tests: the page covers March 2025 up to and including February 2026.
TODAY = datetime.datetime(2026, 3, 16, 10, 0, tzinfo=AMSTERDAM)


@pytest.fixture(autouse=True)
def _frozen_today() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def receive(
    municipality: Any, on: datetime.date, code: str, count: int = 1, **fields: Any
) -> list[Report]:
    """`count` reports in category `code`, received at noon on `on`."""
    reports: list[Report] = [
        ReportFactory.create(municipality=municipality, category=category(code))
        for _ in range(count)
    ]
    created_at = datetime.datetime.combine(on, datetime.time(12), tzinfo=AMSTERDAM)
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(created_at=created_at, **fields)
    return reports


def page(client: Client, slug: str = "breda") -> Any:
    return client.get(reverse("insights:transparency", kwargs={"slug": slug}))


def figures_of(response: Any) -> Transparency:
    figures = response.context["figures"]
    assert isinstance(figures, Transparency)
    return figures


def month_values(figures: Transparency) -> dict[str, int | str | None]:
    assert figures.months is not None
    return {
        row.month.strftime("%Y-%m"): "< 5" if row.count.is_small else row.count.value
        for row in figures.months
        if row.count.value != 0
    }


def group_values(figures: Transparency) -> dict[str, int | str | None]:
    assert figures.groups is not None
    return {
        row.group.code: "< 5" if row.count.is_small else row.count.value
        for row in figures.groups
        if row.count.value != 0
    }


def test_counts_per_month_and_group_cover_the_twelve_complete_months(
    client: Client, municipality: Any
) -> None:
    receive(municipality, datetime.date(2025, 12, 3), "phishing", 8)
    receive(municipality, datetime.date(2026, 1, 20), "drug_lab", 6)  # confidential
    receive(municipality, datetime.date(2026, 2, 27), "shoplifting", 12)
    receive(municipality, datetime.date(2026, 3, 2), "theft", 3)  # this month: not yet
    receive(municipality, datetime.date(2025, 2, 28), "theft", 3)  # thirteen months ago
    receive(MunicipalityFactory(), datetime.date(2026, 2, 3), "theft", 9)  # elsewhere

    response = page(client)

    assert response.status_code == 200
    figures = figures_of(response)
    assert figures.first_month == datetime.date(2025, 3, 1)
    assert figures.last_month == datetime.date(2026, 2, 1)
    assert figures.months is not None
    assert len(figures.months) == 12
    assert month_values(figures) == {"2025-12": 10, "2026-01": 5, "2026-02": 10}
    # Undermining is counted like everything else, as a group only.
    assert group_values(figures) == {"undermining": 5, "property_crime": 10, "cyber_fraud": 10}
    assert figures.tables.protection == Protection.FULL
    assert figures.tables.total.value == 25  # 26, rounded
    html = response.content.decode()
    assert "<caption" in html
    assert 'scope="col"' in html
    assert 'scope="row"' in html
    assert "Drugslab" not in html  # categories never, only groups


def test_small_counts_are_shown_as_less_than_five_and_survive_the_complement_attack(
    client: Client, municipality: Any
) -> None:
    # Exactly: 12 reports, 10 property crime and 2 about fire safety. A naive page with
    # an exact total would give the 2 away: 12 - 10.
    receive(municipality, datetime.date(2026, 1, 10), "shoplifting", 6)
    receive(municipality, datetime.date(2026, 2, 10), "shoplifting", 4)
    receive(municipality, datetime.date(2026, 2, 11), "fire_safety", 2)

    figures = figures_of(page(client))

    assert month_values(figures) == {"2026-01": 5, "2026-02": 5}
    assert group_values(figures) == {"property_crime": 10, "fire_safety": "< 5"}
    tables = figures.tables
    assert tables.total.value != 12
    assert tables.first is not None
    assert tables.second is not None
    # The attacker's best effort with everything on the page: still anything from 1 to 4.
    fire = [row.group.code for row in figures.groups or []].index("fire_safety")
    assert feasible_range(tables.second, fire, tables.total, tables.first) == (1, 4)


def test_the_total_is_withheld_when_it_could_give_a_small_count_away(
    client: Client, municipality: Any
) -> None:
    receive(municipality, datetime.date(2025, 11, 5), "fire_safety", 4)
    receive(municipality, datetime.date(2025, 11, 6), "aggression_against_staff", 1)
    receive(municipality, datetime.date(2025, 12, 5), "shoplifting", 5)
    receive(municipality, datetime.date(2026, 1, 5), "shoplifting", 3)
    receive(municipality, datetime.date(2026, 1, 6), "aggression_against_staff", 2)

    response = page(client)
    figures = figures_of(response)

    assert figures.tables.protection == Protection.TOTAL_WITHHELD
    assert group_values(figures) == {
        "property_crime": 10,
        "fire_safety": "< 5",
        "aggression_against_staff": "< 5",
    }
    assert figures.tables.total_between == (15, 20)
    html = response.content.decode()
    assert "between 15 and 20" in html or "tussen 15 en 20" in html
    assert "<tfoot" not in html


def test_no_numbers_at_all_when_a_few_reports_would_give_each_other_away(
    client: Client, municipality: Any
) -> None:
    receive(municipality, datetime.date(2026, 2, 5), "fire_safety")
    receive(municipality, datetime.date(2026, 2, 6), "phishing")

    response = page(client)
    figures = figures_of(response)

    assert figures.tables.protection == Protection.TABLES_WITHHELD
    assert figures.months is None
    assert figures.groups is None
    assert "&lt; 5" not in response.content.decode()


def test_feedback_share_and_median_time_to_feedback(client: Client, municipality: Any) -> None:
    received_on = datetime.date(2025, 10, 1)
    noon = datetime.datetime.combine(received_on, datetime.time(12), tzinfo=AMSTERDAM)
    for days in range(1, 13):  # feedback after 1 … 12 days: median 6.5
        receive(
            municipality,
            received_on,
            "theft",
            feedback_at=noon + datetime.timedelta(days=days),
            feedback_due=received_on + datetime.timedelta(days=14),
        )
    # Due and never answered: count against the share.
    receive(municipality, received_on, "theft", 4, feedback_due=datetime.date(2025, 10, 15))
    # Not yet due and not answered: not counted either way.
    receive(municipality, datetime.date(2026, 2, 20), "theft", 2, feedback_due=TODAY.date())

    figures = figures_of(page(client))

    assert figures.feedback_share == 75  # 12 of 16
    assert figures.median_days_to_feedback == 6.5


def test_feedback_figures_need_at_least_ten_reports(client: Client, municipality: Any) -> None:
    noon = datetime.datetime(2026, 1, 5, 12, tzinfo=AMSTERDAM)
    receive(municipality, noon.date(), "theft", 9, feedback_at=noon + datetime.timedelta(days=2))

    figures = figures_of(page(client))

    assert figures.feedback_share is None
    assert figures.median_days_to_feedback is None


def test_anonymised_and_anonymous_reports_still_count(municipality: Any) -> None:
    receive(
        municipality,
        datetime.date(2026, 1, 5),
        "theft",
        5,
        is_anonymous=True,
        reporter_email="",
        anonymised_at=TODAY,
        description="—",
    )

    figures = transparency(municipality)

    assert month_values(figures) == {"2026-01": 5}


def test_unknown_or_inactive_municipality_is_404(client: Client, municipality: Any) -> None:
    assert page(client, "atlantis").status_code == 404
    MunicipalityFactory(slug="opgeheven", is_active=False)
    assert page(client, "opgeheven").status_code == 404


def test_no_report_content_reaches_the_page(
    client: Client, municipality: Any, django_assert_max_num_queries: Any
) -> None:
    reports = receive(
        municipality,
        datetime.date(2026, 2, 1),
        "drug_lab",
        7,
        description="Geheime kwekerij achter de bakkerij van Jansen",
        location_text="Kerkstraat 12",
    )
    receive(municipality, datetime.date(2025, 6, 1), "theft", 40)

    with django_assert_max_num_queries(8):
        response = page(client)

    html = response.content.decode()
    for needle in ("Geheime kwekerij", "Jansen", "Kerkstraat", reports[0].reference):
        assert needle not in html


def test_the_municipality_page_links_to_the_figures(client: Client, municipality: Any) -> None:
    response = client.get(reverse("public:municipality", kwargs={"slug": "breda"}))
    assert reverse("insights:transparency", kwargs={"slug": "breda"}) in response.content.decode()
