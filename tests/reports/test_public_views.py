"""The public reporter pages: report form, receipt, following with a receipt code, the email
link, replies, verdict and reopen — and the anonymity proof through the real web form."""

from __future__ import annotations

import datetime
import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from tests.factories import AreaFactory, MunicipalityFactory
from tests.reports.anonymity import assert_nowhere_in_database
from tests.reports.factories import ReportFactory, category
from weerbaar.accounts.policy import actor_for
from weerbaar.reports import notifications, receipts
from weerbaar.reports.models import (
    EventKind,
    Report,
    ReportAttachment,
    ReportEvent,
    ReportStatus,
)
from weerbaar.reports.services import transition_report
from weerbaar.reports.views_public import FOLLOWED_REPORT_KEY

pytestmark = pytest.mark.django_db


def new_report(**fields: Any) -> Any:
    return ReportFactory(**fields)


CLIENT_IP = "203.0.113.77"
USER_AGENT = "Anon-Test-Agent/9.9"
CODE_RE = re.compile(r'class="wb-receipt-code"[^>]*>(.*?)</p>', re.S)


@pytest.fixture(name="client")
def english_client() -> Client:
    """A browser that asks for English, so tests read the msgids, not the Dutch catalogue."""
    return Client(headers={"accept-language": "en"})


def form_url(slug: str = "breda") -> str:
    return reverse("reports_public:new", args=[slug])


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": str(category("shoplifting").pk),
        "description": "Twee mannen namen flessen mee zonder te betalen.",
        "occurred_date": timezone.localdate().isoformat(),
        "occurred_time": "",
        "location_text": "Grote Markt 1, Breda",
        "anonymous": "identified",
        "reporter_email": "melder@example.nl",
    }
    data.update(overrides)
    return data


def anonymous_data(**overrides: Any) -> dict[str, Any]:
    return form_data(anonymous="anonymous", reporter_email="", **overrides)


def receipt_code_in(response: Any) -> str:
    match = CODE_RE.search(response.content.decode())
    assert match, "no receipt code on the page"
    code = "-".join(re.findall(r'wb-receipt-code__group">([0-9A-Z]{4})<', match.group(1)))
    assert receipts.normalise_code(code) is not None
    return code


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Fietscam"
    exif[ExifTags.Base.Model] = "Model 9"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 35.0, 20.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 46.0, 40.0)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png(colour: str = "blue") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(out, format="PNG")
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def follow_with(client: Client, code: str, **extra: Any) -> Any:
    return client.post(reverse("reports_public:follow"), {"code": code}, **extra)


# --- start page and form ------------------------------------------------------------------


def test_start_page_links_to_the_form_of_each_municipality(
    client: Client, municipality: Any
) -> None:
    MunicipalityFactory(name="Etten-Leur", slug="etten-leur")
    MunicipalityFactory(name="Gesloten", slug="gesloten", is_active=False)

    page = client.get(reverse("reports_public:start")).content.decode()

    assert form_url("breda") in page
    assert form_url("etten-leur") in page
    assert form_url("gesloten") not in page
    assert reverse("reports_public:follow") in page


def test_municipality_landing_page_links_to_the_report_form(
    client: Client, municipality: Any
) -> None:
    page = client.get(reverse("public:municipality", args=["breda"])).content.decode()
    assert form_url("breda") in page


def test_form_explains_emergencies_anonymous_tips_and_formal_complaints(
    client: Client, municipality: Any, area: Any
) -> None:
    response = client.get(form_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Call 112" in page
    assert "Meld Misdaad Anoniem" in page
    assert "0800-7000" in page
    assert "not a formal complaint (aangifte)" in page
    assert "https://www.politie.nl/" in page
    # The tree: group headings, help texts and signals to recognise.
    assert "Undermining crime" in page
    assert "Cannabis farm" in page
    assert "Heat, humming fans or a sweet smell from a building." in page
    assert "Signals to recognise" in page
    assert "Binnenstad" in page  # the area select
    # No external map tiles or scripts: everything comes from this site.
    assert "tile" not in page.lower()
    assert not re.search(r'<script[^>]+src="https?://', page)


def test_unknown_or_inactive_municipality_is_404(client: Client, municipality: Any) -> None:
    MunicipalityFactory(name="Gesloten", slug="gesloten", is_active=False)
    assert client.get(form_url("bestaat-niet")).status_code == 404
    assert client.get(form_url("gesloten")).status_code == 404


def test_chosen_category_keeps_its_signals_open_after_an_error(
    client: Client, municipality: Any
) -> None:
    cannabis = category("cannabis_farm")
    response = client.post(form_url(), form_data(category=str(cannabis.pk), description=""))

    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_category_{cannabis.pk}" value="{cannabis.pk}" checked' in page
    assert f'data-signals-for="id_category_{cannabis.pk}" open' in page


# --- identified reports -------------------------------------------------------------------


def test_identified_report_gets_receipt_with_reference_and_an_email(
    client: Client,
    municipality: Any,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url(), form_data())

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    report = Report.objects.get()
    page = response.content.decode()
    assert report.reference in page
    assert "We have sent a confirmation to melder@example.nl" in page
    assert "wb-receipt-code" not in page
    assert report.feedback_due.strftime("%Y") in page
    assert not report.is_anonymous
    assert report.reporter_email == "melder@example.nl"
    assert report.channel == "web"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["melder@example.nl"]


def test_time_left_empty_means_now_for_today(client: Client, municipality: Any) -> None:
    before = timezone.now()
    client.post(form_url(), form_data(occurred_time=""))
    report = Report.objects.get()
    assert before - datetime.timedelta(seconds=1) <= report.occurred_at <= timezone.now()


def test_dutch_date_and_time_are_combined_in_local_time(client: Client, municipality: Any) -> None:
    day = timezone.localdate() - datetime.timedelta(days=3)
    client.post(
        form_url(), form_data(occurred_date=day.strftime("%d-%m-%Y"), occurred_time="14:30")
    )
    occurred = timezone.localtime(Report.objects.get().occurred_at)
    assert (occurred.date(), occurred.hour, occurred.minute) == (day, 14, 30)


def test_a_second_press_of_send_makes_no_second_report(client: Client, municipality: Any) -> None:
    token = re.search(r'name="submission" value="([^"]+)"', client.get(form_url()).content.decode())
    assert token
    data = form_data(submission=token.group(1))

    first = client.post(form_url(), data)
    second = client.post(form_url(), data)

    assert first.status_code == 200
    assert second.status_code == 200
    report = Report.objects.get()
    assert "already sent" in second.content.decode()
    assert report.reference in second.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"description": ""}, "description", "Describe what you saw."),
        ({"description": "   \n  "}, "description", "at least 10 characters"),
        ({"description": "x" * 50_000}, "description", "under 5000 characters"),
        ({"description": "Nul\x00byte in de tekst hier"}, "description", "not allowed"),
        ({"category": "999999"}, "category", "Choose one of the categories in the list."),
        ({"category": ""}, "category", "Choose what your report is about."),
        ({"category": "undermining"}, "category", "Choose one of the categories in the list."),
        ({"occurred_date": ""}, "occurred_date", "Say on which day it happened"),
        ({"occurred_date": "31-02-2026"}, "occurred_date", "Enter a date such as"),
        ({"occurred_date": "0001-01-01"}, "occurred_date", "Enter a date such as"),
        ({"occurred_time": "25:61"}, "occurred_time", "Enter a time such as 14:30."),
        ({"latitude": "abc", "longitude": "4.77"}, "latitude", "Enter a number"),
        ({"latitude": "NaN", "longitude": "4.77"}, "latitude", "Enter a number"),
        ({"latitude": "1e999999", "longitude": "4.77"}, "latitude", "Enter a number"),
        ({"latitude": "51.58"}, "latitude", "both a latitude and a longitude"),
        ({"latitude": "40.0", "longitude": "2.0"}, "latitude", "outside the Netherlands"),
        ({"location_text": ""}, "location_text", "Say where it happened"),
        ({"location_text": "x" * 201}, "location_text", "at most 200 characters"),
        ({"reporter_email": ""}, "reporter_email", "Give an email address for feedback"),
        ({"reporter_email": "geen-adres"}, "reporter_email", "Enter a valid email address."),
        ({"reporter_phone": "bel me"}, "reporter_phone", "Enter a phone number"),
        (
            {"anonymous": "", "reporter_email": ""},
            "anonymous",
            "Choose whether you report anonymously.",
        ),
        ({"anonymous": "maybe"}, "anonymous", "Choose whether you report anonymously."),
        ({"anonymous": "anonymous"}, "anonymous", "cannot carry a name"),
        ({"area": "987654"}, "area", "Choose one of the areas in the list."),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_stored(
    client: Client, municipality: Any, area: Any, overrides: Any, field: str, message: str
) -> None:
    response = client.post(form_url(), form_data(**overrides))

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field}"' in page  # the error summary links to the field
    assert Report.objects.count() == 0
    assert ReportEvent.objects.count() == 0


def test_one_submit_shows_every_mistake(client: Client, municipality: Any) -> None:
    response = client.post(
        form_url(), form_data(category="", description="kort", location_text="", anonymous="")
    )
    page = response.content.decode()
    assert response.status_code == 400
    for field in ("category", "description", "location_text"):
        assert f'href="#id_{field}"' in page
    assert "Describe what you saw in at least 10 characters." in page
    assert "Say where it happened" in page


def test_future_date_is_refused(client: Client, municipality: Any) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(form_url(), form_data(occurred_date=tomorrow.isoformat()))

    assert response.status_code == 400
    assert "The date and time lie in the future." in response.content.decode()
    assert Report.objects.count() == 0


def test_area_of_another_municipality_is_refused(
    client: Client, municipality: Any, area: Any
) -> None:
    elsewhere: Any = AreaFactory(municipality=MunicipalityFactory(name="Tilburg", slug="tilburg"))
    response = client.post(form_url(), form_data(area=str(elsewhere.pk)))
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_html_and_script_in_fields_are_shown_as_text(client: Client, municipality: Any) -> None:
    script = "<script>alert('x')</script>"
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        form_url(),
        form_data(
            description=f"{script} stond bij de deur",
            location_text=f'"><img src=x onerror=alert(1)>{script}',
            reporter_name=script,
            occurred_date=tomorrow,
        ),
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert script not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_contact_details_without_the_choice_mean_identified(
    client: Client, municipality: Any
) -> None:
    response = client.post(form_url(), form_data(anonymous=""))
    assert response.status_code == 200
    assert not Report.objects.get().is_anonymous


def test_coordinates_are_stored_rounded(client: Client, municipality: Any) -> None:
    response = client.post(form_url(), form_data(latitude="51,58901234", longitude=" 4.7761111 "))
    assert response.status_code == 200
    report = Report.objects.get()
    assert (str(report.latitude), str(report.longitude)) == ("51.589012", "4.776111")


# --- attachments --------------------------------------------------------------------------


def test_attachments_are_stored_without_metadata(client: Client, municipality: Any) -> None:
    response = client.post(
        form_url(),
        {
            **form_data(),
            "attachments": [upload("IMG_0001.JPG", jpeg_with_gps()), upload("b.png", png())],
        },
    )

    assert response.status_code == 200
    attachments = list(ReportAttachment.objects.order_by("id"))
    assert [a.content_type for a in attachments] == ["image/jpeg", "image/png"]
    with storages["private"].open(str(attachments[0].file.name)) as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert len(image.getexif()) == 0


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([upload("foto.jpg", b"%PDF-1.4 not really a photo")], "foto.jpg"),
        ([upload("factuur.pdf", png(), "application/pdf")], "factuur.pdf"),
        ([upload("script.jpg", b"<html><script>alert(1)</script></html>")], "script.jpg"),
        ([upload("leeg.jpg", b"")], "empty"),
        (
            [upload("groot.jpg", b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024))],
            "larger than 10",
        ),
        ([upload(f"f{n}.png", png()) for n in range(6)], "at most 5 files"),
    ],
)
def test_bad_files_are_refused_on_the_file_field(
    client: Client, municipality: Any, files: list[Any], message: str
) -> None:
    response = client.post(form_url(), {**form_data(), "attachments": files})

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'href="#id_attachments"' in page
    assert "Please choose your photos or documents again." in page
    assert Report.objects.count() == 0
    assert ReportAttachment.objects.count() == 0


# --- anonymous reports and following them -------------------------------------------------


def test_anonymous_receipt_is_shown_once_and_opens_the_report(
    client: Client, municipality: Any
) -> None:
    response = client.post(form_url(), anonymous_data())

    assert response.status_code == 200  # the receipt is the POST's answer, not a redirect
    assert "no-store" in response["Cache-Control"]
    code = receipt_code_in(response)
    report = Report.objects.get()
    assert report.is_anonymous
    assert report.receipt_code_hash == receipts.hash_code(code)
    assert report.reference in response.content.decode()
    assert code not in client.get(form_url()).content.decode()

    opened = follow_with(client, code.lower().replace("-", " "))

    assert opened.status_code == 302
    assert opened["Location"] == reverse("reports_public:follow_report")
    assert code not in opened["Location"]
    page = client.get(opened["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert report.reference in page.content.decode()
    assert "We have received your report." in page.content.decode()
    assert dict(client.session.items())[FOLLOWED_REPORT_KEY] == report.pk


def test_wrong_receipt_code_gets_one_generic_message(client: Client, municipality: Any) -> None:
    client.post(form_url(), anonymous_data())
    generic = "We cannot find a report with this receipt code."

    for typed in ("K7QF-3MXR-9TWD-HP2C", "te kort", "IIII-LLLL-OOOO-UUUU"):
        response = follow_with(client, typed)
        assert response.status_code == 400
        assert generic in response.content.decode()
    assert FOLLOWED_REPORT_KEY not in client.session


def test_eleven_wrong_codes_are_rate_limited(client: Client, municipality: Any) -> None:
    report = new_report(
        municipality=municipality,
        is_anonymous=True,
        reporter_email="",
        receipt_code_hash=receipts.hash_code("AAAA-BBBB-CCCC-DDDD"),
    )
    statuses = [follow_with(client, "K7QF-3MXR-9TWD-HP2C").status_code for _ in range(10)]
    blocked = follow_with(client, "AAAA-BBBB-CCCC-DDDD")  # even the right code now

    assert statuses == [400] * 10
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert FOLLOWED_REPORT_KEY not in client.session
    # Another client is not affected.
    other = Client(headers={"accept-language": "en"}, REMOTE_ADDR="198.51.100.9")
    assert follow_with(other, "AAAA-BBBB-CCCC-DDDD").status_code == 302
    assert other.session[FOLLOWED_REPORT_KEY] == report.pk


def test_followed_page_without_a_code_sends_you_to_enter_it(client: Client) -> None:
    response = client.get(reverse("reports_public:follow_report"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports_public:follow")


def test_stop_following_forgets_the_report(client: Client, municipality: Any) -> None:
    code = receipt_code_in(client.post(form_url(), anonymous_data()))
    follow_with(client, code)

    response = client.post(reverse("reports_public:stop_following"))

    assert response.status_code == 302
    assert FOLLOWED_REPORT_KEY not in client.session
    assert client.get(reverse("reports_public:follow_report")).status_code == 302


def test_anonymous_reporter_answers_a_question_with_a_photo(
    client: Client, municipality: Any, oov: Any
) -> None:
    code = receipt_code_in(client.post(form_url(), anonymous_data()))
    report = Report.objects.get()
    transition_report(
        actor_for(oov),
        report,
        ReportStatus.WAITING_FOR_REPORTER,
        version=report.version,
        text="Welke kleur had de auto?",
    )
    follow_with(client, code)
    page = client.get(reverse("reports_public:follow_report")).content.decode()
    assert "Welke kleur had de auto?" in page
    assert "Answer the question" in page

    response = client.post(
        reverse("reports_public:follow_report"),
        {"action": "reply", "text": "Een rode bestelbus.", "attachments": [upload("a.png", png())]},
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS
    reply = report.events.get(kind=EventKind.MESSAGE_FROM_REPORTER)
    assert reply.text == "Een rode bestelbus."
    assert reply.author is None
    assert reply.attachments.count() == 1
    assert "Een rode bestelbus." in client.get(response["Location"]).content.decode()


def test_empty_reply_and_unknown_action_are_400(client: Client, municipality: Any) -> None:
    code = receipt_code_in(client.post(form_url(), anonymous_data()))
    follow_with(client, code)
    url = reverse("reports_public:follow_report")

    empty = client.post(url, {"action": "reply", "text": ""})
    unknown = client.post(url, {"action": "delete"})

    assert empty.status_code == 400
    assert "Write your message." in empty.content.decode()
    assert unknown.status_code == 400
    assert ReportEvent.objects.filter(kind=EventKind.MESSAGE_FROM_REPORTER).count() == 0


# --- identified reporters without account: the signed email link -------------------------


def closed_report(municipality: Any, **values: Any) -> Any:
    return new_report(
        municipality=municipality,
        status=ReportStatus.CLOSED,
        closed_at=timezone.now() - datetime.timedelta(days=90),
        **values,
    )


def test_email_link_opens_the_report(client: Client, municipality: Any) -> None:
    report = new_report(municipality=municipality)
    url = reverse("reports_public:follow_link", args=[notifications.reporter_link_token(report)])

    response = client.get(url)

    assert response.status_code == 200
    assert report.reference in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_forged_or_stale_link_is_404_with_an_explanation(client: Client, municipality: Any) -> None:
    report = new_report(municipality=municipality)
    token = notifications.reporter_link_token(report)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    report.reporter_email = "nieuw@example.nl"  # the link was for the old address
    report.save()

    for bad in (forged, token, "niets"):
        response = client.get(reverse("reports_public:follow_link", args=[bad]))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()


def test_reply_to_a_closed_report_is_refused_with_a_message(
    client: Client, municipality: Any
) -> None:
    report = closed_report(municipality)
    url = reverse("reports_public:follow_link", args=[notifications.reporter_link_token(report)])
    events = ReportEvent.objects.count()

    response = client.post(url, {"action": "reply", "text": "Nog iets"})

    assert response.status_code == 400
    assert "This report is closed." in response.content.decode()
    assert ReportEvent.objects.count() == events


def test_resolved_report_takes_a_verdict_and_closes(client: Client, municipality: Any) -> None:
    report = new_report(municipality=municipality, status=ReportStatus.RESOLVED)
    url = reverse("reports_public:follow_link", args=[notifications.reporter_link_token(report)])
    assert "Are you satisfied?" in client.get(url).content.decode()

    missing = client.post(url, {"action": "verdict", "comment": "?"})
    response = client.post(url, {"action": "verdict", "satisfied": "no", "comment": "Te traag"})

    assert missing.status_code == 400
    assert "Choose yes or no." in missing.content.decode()
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED
    assert report.is_satisfied is False
    assert report.satisfaction_comment == "Te traag"
    again = client.post(url, {"action": "verdict", "satisfied": "yes"})
    assert again.status_code == 400


def test_recently_closed_report_can_be_reopened(client: Client, municipality: Any) -> None:
    report = new_report(
        municipality=municipality,
        status=ReportStatus.CLOSED,
        closed_at=timezone.now() - datetime.timedelta(days=2),
    )
    url = reverse("reports_public:follow_link", args=[notifications.reporter_link_token(report)])

    empty = client.post(url, {"action": "reopen", "reason": ""})
    response = client.post(url, {"action": "reopen", "reason": "Het gebeurt weer."})

    assert empty.status_code == 400
    assert "Say why the report should be reopened." in empty.content.decode()
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.REOPENED


def test_long_closed_report_cannot_be_reopened(client: Client, municipality: Any) -> None:
    report = closed_report(municipality)
    url = reverse("reports_public:follow_link", args=[notifications.reporter_link_token(report)])

    response = client.post(url, {"action": "reopen", "reason": "Het gebeurt weer."})

    assert response.status_code == 400
    assert "can no longer be reopened" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED


@pytest.mark.parametrize("rate", ["2/hour"])
def test_web_intake_is_rate_limited_per_client(
    client: Client, municipality: Any, settings: Any, rate: str
) -> None:
    settings.REPORT_INTAKE_RATE = rate
    statuses = [client.post(form_url(), form_data()).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert Report.objects.count() == 2


# --- the anonymity proof ------------------------------------------------------------------


@pytest.fixture
def every_log_record(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every logger at DEBUG, also those that do not propagate, and log every SQL
    statement with its parameters."""
    caplog.set_level(logging.DEBUG)
    extra_handlers = []
    for name in list(logging.root.manager.loggerDict):
        logger = logging.getLogger(name)
        caplog.set_level(logging.DEBUG, logger=name)
        if not logger.propagate:
            logger.addHandler(caplog.handler)
            extra_handlers.append(logger)
    connection.force_debug_cursor = True
    try:
        yield caplog
    finally:
        connection.force_debug_cursor = False
        for logger in extra_handlers:
            logger.removeHandler(caplog.handler)


def test_anonymity_proof(
    municipality: Any,
    area: Any,
    django_capture_on_commit_callbacks: Any,
    every_log_record: pytest.LogCaptureFixture,
) -> None:
    """After an anonymous report through the web form and following it with the code, neither
    the database nor the logs hold the client's IP address, user agent or receipt code, the
    session holds no code, and the stored photo has no EXIF."""
    browser = Client(
        headers={"accept-language": "en"}, REMOTE_ADDR=CLIENT_IP, HTTP_USER_AGENT=USER_AGENT
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            form_url(),
            {
                **anonymous_data(area=str(area.pk)),
                "attachments": [upload("gps.jpg", jpeg_with_gps())],
            },
        )
    assert response.status_code == 200
    code = receipt_code_in(response)
    report = Report.objects.get()
    assert report.is_anonymous

    with django_capture_on_commit_callbacks(execute=True):
        assert follow_with(browser, code).status_code == 302
        assert browser.get(reverse("reports_public:follow_report")).status_code == 200
        reply = browser.post(
            reverse("reports_public:follow_report"),
            {
                "action": "reply",
                "text": "Nog een detail.",
                "attachments": [upload("2.jpg", jpeg_with_gps())],
            },
        )
        assert reply.status_code == 302

    # The session remembers the report's key only.
    session = dict(browser.session.items())
    assert session[FOLLOWED_REPORT_KEY] == report.pk
    for value in session.values():
        assert code not in str(value)
        assert code.replace("-", "") not in str(value)

    needles = (CLIENT_IP, "Anon-Test-Agent", code, code.replace("-", ""))
    assert_nowhere_in_database(*needles)

    records = every_log_record.records
    assert any(r.name == "django.db.backends" for r in records), "SQL was not captured"
    for record in records:
        text = f"{record.getMessage()} {record.args!r} {record.__dict__!r}"
        for needle in needles:
            assert needle.lower() not in text.lower(), f"{needle!r} logged by {record.name}"

    attachments = list(ReportAttachment.objects.filter(report=report))
    assert len(attachments) == 2
    for attachment in attachments:
        with storages["private"].open(str(attachment.file.name)) as stored:
            content = stored.read()
        assert b"Exif" not in content
        assert b"Fietscam" not in content
        assert len(Image.open(io.BytesIO(content)).getexif()) == 0
