"""Reports in the entrepreneur portal: make a report as yourself, see only your own."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import MembershipFactory, MunicipalityFactory
from tests.helpers import login_verified
from tests.network.portal_helpers import (  # noqa: F401 - fixtures
    PortalWorld,
    english_client_fixture,
    portal_world_fixture,
)
from tests.reports.factories import ReportFactory, category
from weerbaar.reports.models import EventKind, Report, ReportChannel, ReportStatus

pytestmark = pytest.mark.django_db


def new_report(**fields: Any) -> Any:
    return ReportFactory(**fields)


def logged_in(client: Client, user: Any) -> Client:
    login_verified(client, user)
    return client


def portal_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": str(category("shoplifting").pk),
        "description": "Iemand stopte chocolade in zijn jas en liep weg.",
        "occurred_date": timezone.localdate().isoformat(),
        "occurred_time": "",
        "location_text": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("name", ["reports_portal:list", "reports_portal:new"])
def test_visitors_are_sent_to_log_in(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_without_a_business_cannot_use_the_portal_reports(
    client: Client, municipality: Any
) -> None:
    staff = MembershipFactory(municipalities=[municipality]).user
    assert logged_in(client, staff).get(reverse("reports_portal:list")).status_code == 403


def test_dashboard_links_to_my_reports(client: Client, portal_world: PortalWorld) -> None:
    page = logged_in(client, portal_world.entrepreneur).get(reverse("portal:dashboard"))
    assert reverse("reports_portal:list") in page.content.decode()
    assert reverse("reports_portal:new") in page.content.decode()


def test_report_at_my_business_takes_its_municipality_and_area(
    client: Client,
    portal_world: PortalWorld,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    logged_in(client, portal_world.entrepreneur)
    form = client.get(reverse("reports_portal:new"))
    assert form.status_code == 200
    assert "Bakkerij De Korenbloem" in form.content.decode()
    assert 'name="anonymous"' not in form.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports_portal:new"), portal_data(business=str(portal_world.business.pk))
        )

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports_portal:detail", args=[report.reference])
    assert report.channel == ReportChannel.PORTAL
    assert report.reporter == portal_world.entrepreneur
    assert report.business == portal_world.business
    assert report.municipality == portal_world.municipality
    assert report.area == portal_world.area
    assert not report.is_anonymous
    assert [m.to for m in mailoutbox] == [["eva@bakkerij.example.nl"]]
    detail = client.get(response["Location"])
    assert report.reference in detail.content.decode()
    assert "We received your report" in detail.content.decode()


def test_report_elsewhere_needs_a_place(client: Client, portal_world: PortalWorld) -> None:
    logged_in(client, portal_world.entrepreneur)

    missing = client.post(reverse("reports_portal:new"), portal_data(business=""))
    elsewhere = client.post(
        reverse("reports_portal:new"),
        portal_data(business="", location_text="Parkeerplaats Chassé", area=""),
    )

    assert missing.status_code == 400
    assert "Say where it happened" in missing.content.decode()
    assert elsewhere.status_code == 302
    report = Report.objects.get()
    assert report.business is None
    assert report.municipality == portal_world.municipality


def test_with_several_municipalities_the_place_decides(
    client: Client, portal_world: PortalWorld
) -> None:
    tilburg: Any = MunicipalityFactory(name="Tilburg", slug="tilburg")
    logged_in(client, portal_world.entrepreneur)
    page = client.get(reverse("reports_portal:new")).content.decode()
    assert 'name="municipality"' in page

    response = client.post(
        reverse("reports_portal:new"),
        portal_data(business="", municipality=str(tilburg.pk), location_text="Spoorlaan 1"),
    )

    assert response.status_code == 302
    assert Report.objects.get().municipality == tilburg


def test_someone_elses_business_is_refused(client: Client, portal_world: PortalWorld) -> None:
    logged_in(client, portal_world.entrepreneur)
    response = client.post(
        reverse("reports_portal:new"), portal_data(business=str(portal_world.other_business.pk))
    )
    assert response.status_code == 400
    assert "You can only choose one of your own businesses." in response.content.decode()
    assert Report.objects.count() == 0


def test_bad_input_in_the_portal_is_400_and_stores_nothing(
    client: Client, portal_world: PortalWorld
) -> None:
    logged_in(client, portal_world.entrepreneur)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("reports_portal:new"),
        portal_data(
            business=str(portal_world.business.pk),
            description="<b>x</b>",
            occurred_date=tomorrow,
        ),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "at least 10 characters" in page
    assert "The date and time lie in the future." in page
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert Report.objects.count() == 0


def test_my_reports_lists_only_mine(client: Client, portal_world: PortalWorld) -> None:
    mine = new_report(
        municipality=portal_world.municipality,
        reporter=portal_world.entrepreneur,
        reporter_email="",
        category=category("burglary"),
    )
    theirs = new_report(
        municipality=portal_world.municipality, reporter=portal_world.neighbour, reporter_email=""
    )

    page = logged_in(client, portal_world.entrepreneur).get(reverse("reports_portal:list"))

    assert page.status_code == 200
    assert mine.reference in page.content.decode()
    assert "Burglary" in page.content.decode()
    assert theirs.reference not in page.content.decode()


def test_my_reports_list_has_no_n_plus_one(client: Client, portal_world: PortalWorld) -> None:
    logged_in(client, portal_world.entrepreneur)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reports_portal:list")).status_code == 200
        return len(queries)

    new_report(municipality=portal_world.municipality, reporter=portal_world.entrepreneur)
    one = count()
    for code in ("burglary", "phishing", "graffiti", "drug_lab"):
        new_report(
            municipality=portal_world.municipality,
            reporter=portal_world.entrepreneur,
            category=category(code),
        )
    assert count() == one


def test_someone_elses_or_an_anonymous_report_is_404(
    client: Client, portal_world: PortalWorld
) -> None:
    theirs = new_report(municipality=portal_world.municipality, reporter=portal_world.neighbour)
    anonymous = new_report(
        municipality=portal_world.municipality, is_anonymous=True, reporter_email=""
    )
    logged_in(client, portal_world.entrepreneur)

    for report in (theirs, anonymous):
        url = reverse("reports_portal:detail", args=[report.reference])
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "reply", "text": "Hallo daar"}).status_code == 404
    assert not Report.objects.filter(events__kind=EventKind.MESSAGE_FROM_REPORTER).exists()


def test_reply_verdict_and_reopen_from_the_portal(
    client: Client, portal_world: PortalWorld
) -> None:
    report = new_report(
        municipality=portal_world.municipality,
        reporter=portal_world.entrepreneur,
        reporter_email="",
        status=ReportStatus.IN_PROGRESS,
    )
    url = reverse("reports_portal:detail", args=[report.reference])
    logged_in(client, portal_world.entrepreneur)

    reply = client.post(url, {"action": "reply", "text": "Hij kwam vandaag terug."})
    assert reply.status_code == 302
    event = report.events.get(kind=EventKind.MESSAGE_FROM_REPORTER)
    assert event.author == portal_world.entrepreneur
    assert "Hij kwam vandaag terug." in client.get(url).content.decode()

    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RESOLVED)
    verdict = client.post(url, {"action": "verdict", "satisfied": "yes", "comment": "Prima"})
    assert verdict.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED
    assert report.is_satisfied is True

    reopen = client.post(url, {"action": "reopen", "reason": "Hij is er weer."})
    assert reopen.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.REOPENED


def test_reply_to_a_closed_report_in_the_portal_is_400(
    client: Client, portal_world: PortalWorld
) -> None:
    report = new_report(
        municipality=portal_world.municipality,
        reporter=portal_world.entrepreneur,
        reporter_email="",
        status=ReportStatus.CANCELLED,
        closed_at=timezone.now(),
    )
    url = reverse("reports_portal:detail", args=[report.reference])

    response = logged_in(client, portal_world.entrepreneur).post(
        url, {"action": "reply", "text": "Waarom?"}
    )

    assert response.status_code == 400
    assert "This report is closed." in response.content.decode()
    assert report.events.count() == 0
