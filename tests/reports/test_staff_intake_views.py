"""Staff enter a report on behalf of a caller: channel recorded, anonymous possible."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import BusinessPersonFactory, MembershipFactory, MunicipalityFactory
from tests.helpers import login_verified
from tests.reports.factories import category
from weerbaar.accounts.models import Role
from weerbaar.reports import receipts
from weerbaar.reports.models import Report, ReportChannel
from weerbaar.reports.services import open_with_receipt_code

pytestmark = pytest.mark.django_db

URL = reverse("reports_staff:new")


@pytest.fixture(name="client")
def english_client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def staff(municipality: Any) -> Any:
    return MembershipFactory(municipalities=[municipality], role=Role.MUNICIPAL_STAFF).user


def staff_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": ReportChannel.PHONE,
        "category": str(category("vandalism").pk),
        "description": "Beller zag twee jongens een ruit ingooien.",
        "occurred_date": timezone.localdate().isoformat(),
        "occurred_time": "",
        "location_text": "Ginnekenweg 10",
        "anonymous": "identified",
        "reporter_name": "Piet Beller",
        "reporter_phone": "076 123 45 67",
        "reporter_email": "",
    }
    data.update(overrides)
    return data


def test_visitors_log_in_and_staff_pass_the_second_factor(
    client: Client, staff: Any, municipality: Any
) -> None:
    assert client.get(URL)["Location"].startswith(reverse("accounts:login"))
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor"))


def test_entrepreneurs_may_not_enter_reports_on_behalf(client: Client, municipality: Any) -> None:
    entrepreneur = BusinessPersonFactory().person
    login_verified(client, entrepreneur)
    assert client.get(URL).status_code == 403


def test_staff_of_one_municipality_get_the_form_directly(
    client: Client, staff: Any, municipality: Any
) -> None:
    login_verified(client, staff)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="channel"' in page
    assert "Ondernemers Alert evening" in page
    assert "Breda" in page


def test_staff_of_several_municipalities_choose_first(client: Client, municipality: Any) -> None:
    tilburg = MunicipalityFactory(name="Tilburg", slug="tilburg")
    MunicipalityFactory(name="Roosendaal", slug="roosendaal")
    user = MembershipFactory(municipalities=[municipality, tilburg]).user
    login_verified(client, user)

    choice = client.get(URL).content.decode()
    assert 'value="tilburg"' in choice
    assert 'value="breda"' in choice
    assert 'value="roosendaal"' not in choice
    assert client.get(URL, {"gemeente": "roosendaal"}).status_code == 404
    assert 'name="channel"' in client.get(URL, {"gemeente": "tilburg"}).content.decode()


def test_identified_report_by_phone_records_channel_and_staff(
    client: Client,
    staff: Any,
    municipality: Any,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    login_verified(client, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, staff_data(reporter_email="piet@example.nl"))

    assert response.status_code == 200
    report = Report.objects.get()
    page = response.content.decode()
    assert report.reference in page
    assert "wb-receipt-code" not in page
    assert report.channel == ReportChannel.PHONE
    assert report.entered_by == staff
    assert report.reporter is None
    assert report.reporter_name == "Piet Beller"
    assert [m.to for m in mailoutbox] == [["piet@example.nl"]]


def test_reporter_without_email_is_fine_for_staff(
    client: Client, staff: Any, municipality: Any
) -> None:
    login_verified(client, staff)
    response = client.post(URL, staff_data(channel=ReportChannel.EVENT))
    assert response.status_code == 200
    assert "left no email address" in response.content.decode()
    assert Report.objects.get().channel == ReportChannel.EVENT


def test_anonymous_report_shows_the_receipt_code_once_to_hand_over(
    client: Client, staff: Any, municipality: Any
) -> None:
    login_verified(client, staff)
    response = client.post(
        URL, staff_data(anonymous="anonymous", reporter_name="", reporter_phone="")
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    groups = re.findall(r'wb-receipt-code__group">([0-9A-Z]{4})<', response.content.decode())
    code = "-".join(groups)
    assert receipts.normalise_code(code)
    report = Report.objects.get()
    assert report.is_anonymous
    assert report.entered_by == staff
    assert open_with_receipt_code(code, client_key="test") == report
    assert "Give this receipt code to the reporter now." in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"channel": "web"}, "Choose one of the options in the list."),
        ({"channel": ""}, "This field is required."),
        ({"anonymous": "anonymous"}, "cannot carry a name"),
        ({"description": ""}, "Describe what you saw."),
        ({"reporter_email": "geen-email"}, "Enter a valid email address."),
    ],
)
def test_bad_input_is_400_and_stores_nothing(
    client: Client, staff: Any, municipality: Any, overrides: Any, message: str
) -> None:
    login_verified(client, staff)
    response = client.post(URL, staff_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Report.objects.count() == 0
