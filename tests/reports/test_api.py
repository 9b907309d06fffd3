"""The reports API: public intake, following with a receipt code, and handling by staff.

Every refusal is application/problem+json and writes nothing; the services decide, so the
messages are those of the web forms (their own tests cover the rules in depth).
"""

from __future__ import annotations

import datetime
import io
import json
import logging
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from tests.factories import BusinessPersonFactory, MembershipFactory, MunicipalityFactory
from tests.helpers import login_verified
from tests.reports.anonymity import assert_nowhere_in_database
from tests.reports.conftest import intake, make_handler
from tests.reports.factories import ReportFactory, category
from weerbaar.accounts.policy import actor_for
from weerbaar.core.models import AuditEntry
from weerbaar.reports import receipts, services
from weerbaar.reports.api.serializers import SubmittedReportSerializer
from weerbaar.reports.models import (
    EventKind,
    Report,
    ReportAttachment,
    ReportChannel,
    ReportEvent,
    ReportStatus,
)
from weerbaar.reports.services.reporter import RECEIPT_ATTEMPTS

pytestmark = pytest.mark.django_db

URL = "/api/v1/meldingen/"
FOLLOW = "/api/v1/meldingen/volgen/"
PROBLEM = "application/problem+json"
JSON = "application/json"


@pytest.fixture
def api(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "municipality": "breda",
        "category": "shoplifting",
        "description": "Twee mannen namen flessen mee zonder te betalen.",
        "occurred_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "location_text": "Grote Markt 1, Breda",
        "reporter_email": "melder@example.nl",
    }
    values.update(overrides)
    return values


def post(client: Client, url: str, data: Any, **extra: Any) -> Any:
    return client.post(url, json.dumps(data), content_type=JSON, **extra)


def invalid_names(response: Any) -> set[str]:
    return {param["name"] for param in response.json().get("invalid_params", [])}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["title"]
    return problem


# --- public intake -------------------------------------------------------------------------


class TestSubmit:
    def test_identified_report_is_stored_and_acknowledged(
        self,
        api: Client,
        municipality: Any,
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = post(api, URL, body())
        assert response.status_code == 201
        data = response.json()
        # Exactly the fields the OpenAPI schema documents for this answer.
        assert set(data) == set(SubmittedReportSerializer().fields)
        assert data["status"] == ReportStatus.RECEIVED
        assert data["status_label"] == "Received"  # the client asked for English
        assert data["receipt_code"] is None
        report = Report.objects.get(reference=data["reference"])
        assert data["first_response_due"] == report.first_response_due.isoformat()
        assert data["feedback_due"] == report.feedback_due.isoformat()
        assert "no-store" in response["Cache-Control"]
        assert report.channel == ReportChannel.API
        assert report.reporter_email == "melder@example.nl"
        assert not report.is_anonymous
        assert mailoutbox[0].to == ["melder@example.nl"]

    def test_anonymous_report_gets_its_receipt_code_once(
        self, api: Client, municipality: Any
    ) -> None:
        response = post(api, URL, body(anonymous=True, reporter_email=""))
        assert response.status_code == 201
        assert response["Cache-Control"] == "no-store"
        code = response.json()["receipt_code"]
        assert receipts.normalise_code(code)
        report = Report.objects.get()
        assert report.is_anonymous
        assert report.receipt_code_hash == receipts.hash_code(code)
        assert report.reporter_email == ""

    def test_area_and_precise_coordinates(self, api: Client, municipality: Any, area: Any) -> None:
        response = post(
            api, URL, body(area="binnenstad", latitude=51.5889123456, longitude=4.7759876543)
        )
        assert response.status_code == 201, response.content
        report = Report.objects.get()
        assert report.area == area
        assert str(report.latitude) == "51.588912"
        assert str(report.longitude) == "4.775988"

    def test_logged_in_session_is_ignored_and_needs_no_csrf_token(self, municipality: Any) -> None:
        client = Client(enforce_csrf_checks=True)
        link = BusinessPersonFactory()
        client.force_login(link.person)
        response = post(client, URL, body())
        assert response.status_code == 201
        report = Report.objects.get()
        assert report.reporter is None
        assert report.channel == ReportChannel.API

    def test_html_is_stored_as_text_and_returned_as_a_json_string(
        self, api: Client, municipality: Any, oov: Any
    ) -> None:
        script = '<script>alert("x")</script> Twee mannen namen flessen mee.'
        response = post(api, URL, body(description=script, location_text="<b>Markt</b> 1"))
        assert response.status_code == 201
        report = Report.objects.get()
        assert report.description == script
        login_verified(api, oov)
        detail = api.get(f"{URL}{report.reference}/")
        assert detail["Content-Type"] == JSON
        assert detail.json()["description"] == script
        assert detail.json()["location_text"] == "<b>Markt</b> 1"
        assert b'\\"x\\"' in detail.content  # quotes escaped: it is a JSON string

    def test_multipart_with_a_photo_stores_it_without_metadata(
        self, api: Client, municipality: Any
    ) -> None:
        image = Image.new("RGB", (8, 8), "red")
        exif = Image.Exif()
        exif[0x0110] = "Camera-Serial-12345"  # Model
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", exif=exif)
        buffer.seek(0)
        buffer.name = "foto.jpg"
        response = api.post(URL, {**body(), "attachments": [buffer]})
        assert response.status_code == 201, response.content
        attachment = ReportAttachment.objects.get()
        assert attachment.content_type == "image/jpeg"
        assert b"Camera-Serial-12345" not in attachment.file.read()

    def test_multipart_file_that_lies_about_its_type_is_refused(
        self, api: Client, municipality: Any
    ) -> None:
        fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
        fake.name = "foto.jpg"
        response = api.post(URL, {**body(), "attachments": [fake]})
        assert_problem(response, 400)
        assert invalid_names(response) == {"attachments"}
        assert not Report.objects.exists()


def _future() -> str:
    return (timezone.now() + datetime.timedelta(days=2)).isoformat()


class TestSubmitBadInput:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"description": ""}, "description"),
            ({"description": "   "}, "description"),
            ({"description": "x" * 50_000}, "description"),
            ({"description": "nul\x00byte in de beschrijving"}, "description"),
            ({"description": 1234567890123}, "description"),
            ({"description": ["Twee mannen namen flessen mee."]}, "description"),
            ({"description": None}, "description"),
            ({"category": "no_such_category"}, "category"),
            ({"category": "property_crime"}, "category"),  # a group, not a category
            ({"category": 7}, "category"),
            ({"municipality": "atlantis"}, "municipality"),
            ({"municipality": None}, "municipality"),
            ({"occurred_at": "FUTURE"}, "occurred_at"),
            ({"occurred_at": "gisteren"}, "occurred_at"),
            ({"occurred_at": 1_700_000_000}, "occurred_at"),
            ({"latitude": 200, "longitude": 4.77}, "latitude"),
            ({"latitude": 51.58}, "location"),
            ({"latitude": 48.8566, "longitude": 2.3522}, "location"),  # Paris
            ({"latitude": "noord", "longitude": 4.77}, "latitude"),
            ({"area": "nergens"}, "area"),
            ({"anonymous": "misschien"}, "anonymous"),
            ({"anonymous": True}, "anonymous"),  # with an email address
            ({"reporter_email": ""}, "reporter_email"),
            ({"reporter_email": "geen-adres"}, "reporter_email"),
            ({"reporter_phone": "+31 (0)76 - 123 - 45 - 67 - 89"}, "reporter_phone"),
            ({"location_text": "x" * 201}, "location_text"),
        ],
    )
    def test_refused_with_a_field_error_and_nothing_written(
        self, api: Client, municipality: Any, overrides: dict[str, Any], field: str
    ) -> None:
        if overrides.get("occurred_at") == "FUTURE":
            overrides = {"occurred_at": _future()}
        response = post(api, URL, body(**overrides))
        assert_problem(response, 400)
        assert field in invalid_names(response)
        assert not Report.objects.exists()
        assert not ReportEvent.objects.exists()

    def test_html_in_a_refused_field_comes_back_only_as_json(
        self, api: Client, municipality: Any
    ) -> None:
        response = post(api, URL, body(category="<script>alert(1)</script>"))
        assert_problem(response, 400)
        assert b"<script>" not in response.content  # the message does not echo the input

    def test_malformed_json(self, api: Client, municipality: Any) -> None:
        response = api.post(URL, '{"municipality": "breda", ', content_type=JSON)
        problem = assert_problem(response, 400)
        assert problem["detail"]
        assert not Report.objects.exists()

    @pytest.mark.parametrize("payload", ["[]", '"melding"', "null", "NaN"])
    def test_json_that_is_not_an_object(self, api: Client, municipality: Any, payload: str) -> None:
        assert_problem(api.post(URL, payload, content_type=JSON), 400)
        assert not Report.objects.exists()

    def test_missing_fields_are_each_named(self, api: Client, municipality: Any) -> None:
        response = post(api, URL, {})
        assert_problem(response, 400)
        assert {"municipality", "category", "description", "occurred_at"} <= invalid_names(response)

    def test_form_encoding_is_not_accepted(self, api: Client, municipality: Any) -> None:
        response = api.post(
            URL, "municipality=breda", content_type="application/x-www-form-urlencoded"
        )
        assert_problem(response, 415)


@override_settings(REPORT_INTAKE_RATE="2/hour")
def test_intake_is_throttled_per_client(api: Client, municipality: Any) -> None:
    for _attempt in range(2):
        assert post(api, URL, body(), REMOTE_ADDR="192.0.2.10").status_code == 201
    response = post(api, URL, body(), REMOTE_ADDR="192.0.2.10")
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0
    assert Report.objects.count() == 2
    assert post(api, URL, body(), REMOTE_ADDR="192.0.2.11").status_code == 201


# --- following with the receipt code -------------------------------------------------------


@pytest.fixture
def anonymous(public_actor: Any, municipality: Any, routing: None) -> tuple[Report, str]:
    submitted = services.submit_report(
        public_actor, intake(municipality, is_anonymous=True, reporter_email="")
    )
    assert submitted.receipt_code is not None
    return submitted.report, submitted.receipt_code


def _handle(report: Report, handler: Any, target: str, text: str = "") -> None:
    report.refresh_from_db()
    services.transition_report(
        actor_for(handler), report, target, version=report.version, text=text
    )


class TestFollow:
    def test_right_code_shows_status_and_the_reporter_timeline(
        self, api: Client, anonymous: tuple[Report, str], oov: Any
    ) -> None:
        report, code = anonymous
        services.add_internal_note(actor_for(oov), report, "Interne notitie: bekende dader.")
        response = post(api, FOLLOW, {"receipt_code": code})
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        data = response.json()
        assert data["reference"] == report.reference
        assert data["status"] == ReportStatus.RECEIVED
        assert data["category"]["code"] == "shoplifting"
        assert [event["kind"] for event in data["timeline"]] == [EventKind.SUBMITTED]
        assert "Interne notitie" not in response.content.decode()
        assert data["can_add_information"] is True
        assert data["can_give_verdict"] is False
        assert data["can_request_reopen"] is False

    def test_code_as_people_type_it(self, api: Client, anonymous: tuple[Report, str]) -> None:
        _, code = anonymous
        typed = code.replace("-", "").lower()
        assert post(api, FOLLOW, {"receipt_code": typed}).status_code == 200

    @pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN-PQRS", "abc", "💥" * 16, ""])
    def test_wrong_or_malformed_code_gets_one_generic_answer(
        self, api: Client, anonymous: tuple[Report, str], code: str
    ) -> None:
        response = post(api, FOLLOW, {"receipt_code": code})
        if code == "":
            assert_problem(response, 400)
            return
        problem = assert_problem(response, 404)
        assert problem["detail"] == (
            "No report was found with this receipt code. Check the code you wrote down."
        )

    @pytest.mark.parametrize("payload", [{}, {"receipt_code": 1234}, {"receipt_code": None}])
    def test_code_missing_or_not_a_string(
        self, api: Client, anonymous: tuple[Report, str], payload: dict[str, Any]
    ) -> None:
        response = post(api, FOLLOW, payload)
        assert_problem(response, 400)
        assert invalid_names(response) == {"receipt_code"}

    def test_code_is_never_accepted_in_the_url(
        self, api: Client, anonymous: tuple[Report, str]
    ) -> None:
        _, code = anonymous
        assert api.get(f"{FOLLOW}?receipt_code={code}").status_code in {403, 405}

    def test_guessing_is_limited(self, api: Client, anonymous: tuple[Report, str]) -> None:
        _, code = anonymous
        for _attempt in range(RECEIPT_ATTEMPTS):
            assert post(api, FOLLOW, {"receipt_code": "ABCD-EFGH-JKMN-PQRS"}).status_code == 404
        response = post(api, FOLLOW, {"receipt_code": code})
        assert_problem(response, 429)
        assert int(response["Retry-After"]) > 0
        other_client = post(api, FOLLOW, {"receipt_code": code}, REMOTE_ADDR="192.0.2.99")
        assert other_client.status_code == 200

    def test_reply_answers_the_question(
        self, api: Client, anonymous: tuple[Report, str], oov: Any
    ) -> None:
        report, code = anonymous
        _handle(report, oov, ReportStatus.WAITING_FOR_REPORTER, "Welke kleur had de auto?")
        response = post(
            api, f"{FOLLOW}bericht/", {"receipt_code": code, "text": "Een rode bestelbus."}
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == ReportStatus.IN_PROGRESS
        texts = [event["text"] for event in response.json()["timeline"]]
        assert "Welke kleur had de auto?" in texts
        assert "Een rode bestelbus." in texts
        assert report.events.filter(kind=EventKind.MESSAGE_FROM_REPORTER).count() == 1

    def test_empty_reply_is_refused(self, api: Client, anonymous: tuple[Report, str]) -> None:
        _, code = anonymous
        response = post(api, f"{FOLLOW}bericht/", {"receipt_code": code, "text": "  "})
        assert_problem(response, 400)
        assert invalid_names(response) == {"text"}

    def test_reply_with_a_wrong_code_writes_nothing(
        self, api: Client, anonymous: tuple[Report, str]
    ) -> None:
        response = post(
            api, f"{FOLLOW}bericht/", {"receipt_code": "ABCD-EFGH-JKMN-PQRS", "text": "Hallo"}
        )
        assert_problem(response, 404)
        assert not ReportEvent.objects.filter(kind=EventKind.MESSAGE_FROM_REPORTER).exists()

    def test_verdict_closes_a_resolved_report(
        self, api: Client, anonymous: tuple[Report, str], oov: Any
    ) -> None:
        report, code = anonymous
        _handle(report, oov, ReportStatus.RESOLVED, "De daders zijn aangehouden.")
        response = post(
            api,
            f"{FOLLOW}oordeel/",
            {"receipt_code": code, "satisfied": True, "comment": "Snel opgepakt."},
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == ReportStatus.CLOSED
        assert response.json()["is_satisfied"] is True
        assert response.json()["can_give_verdict"] is False

    def test_verdict_on_an_open_report_is_refused(
        self, api: Client, anonymous: tuple[Report, str]
    ) -> None:
        _, code = anonymous
        response = post(api, f"{FOLLOW}oordeel/", {"receipt_code": code, "satisfied": False})
        assert_problem(response, 400)
        assert Report.objects.get().is_satisfied is None

    def test_verdict_needs_yes_or_no(self, api: Client, anonymous: tuple[Report, str]) -> None:
        _, code = anonymous
        response = post(api, f"{FOLLOW}oordeel/", {"receipt_code": code, "satisfied": "wel"})
        assert_problem(response, 400)
        assert invalid_names(response) == {"satisfied"}

    def test_reopen_a_resolved_report(
        self, api: Client, anonymous: tuple[Report, str], oov: Any
    ) -> None:
        report, code = anonymous
        _handle(report, oov, ReportStatus.RESOLVED, "Opgelost.")
        response = post(
            api, f"{FOLLOW}heropenen/", {"receipt_code": code, "reason": "Ze zijn er weer."}
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == ReportStatus.REOPENED

    def test_reopen_needs_a_reason(
        self, api: Client, anonymous: tuple[Report, str], oov: Any
    ) -> None:
        report, code = anonymous
        _handle(report, oov, ReportStatus.RESOLVED, "Opgelost.")
        response = post(api, f"{FOLLOW}heropenen/", {"receipt_code": code, "reason": ""})
        assert_problem(response, 400)
        assert invalid_names(response) == {"reason"}
        assert Report.objects.get().status == ReportStatus.RESOLVED

    def test_open_report_cannot_be_reopened(
        self, api: Client, anonymous: tuple[Report, str]
    ) -> None:
        _, code = anonymous
        response = post(api, f"{FOLLOW}heropenen/", {"receipt_code": code, "reason": "Waarom"})
        assert_problem(response, 400)


# --- staff ---------------------------------------------------------------------------------


@pytest.fixture
def world(municipality: Any, area: Any, gemeente: Any, police: Any) -> dict[str, Any]:
    delft = MunicipalityFactory(name="Delft", slug="delft")
    return {
        "mine": ReportFactory(municipality=municipality, area=area, organisation=gemeente),
        "other": ReportFactory(municipality=municipality, category=category("robbery")),
        "secret": ReportFactory(municipality=municipality, category=category("cannabis_farm")),
        "delft": ReportFactory(municipality=delft),
    }


def _as(client: Client, user: Any) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_verified(client, user)
    return client


def references(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["reference"] for row in response.json()["results"]}


class TestStaffRead:
    def test_list_is_scoped_and_hides_confidential_reports(
        self, client: Client, world: dict[str, Any], oov: Any
    ) -> None:
        found = references(_as(client, oov).get(URL))
        assert found == {world["mine"].reference, world["other"].reference}

    def test_designated_officer_sees_confidential_reports(
        self, client: Client, world: dict[str, Any], designated_officer: Any
    ) -> None:
        found = references(_as(client, designated_officer).get(URL))
        assert world["secret"].reference in found
        assert world["delft"].reference not in found

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("category=robbery", {"other"}),
            ("category=property_crime", {"mine"}),  # a group matches its categories
            ("municipality=breda", {"mine", "other"}),
            ("municipality=delft", set()),
            ("status=received", {"mine", "other"}),
            ("status=closed", set()),
            ("open=true", {"mine", "other"}),
            ("unassigned=1", {"mine", "other"}),
            ("assigned_to_me=true", set()),
            ("overdue=true", set()),
            ("ordering=due", {"mine", "other"}),
        ],
    )
    def test_filters(
        self, client: Client, world: dict[str, Any], oov: Any, query: str, expected: set[str]
    ) -> None:
        found = references(_as(client, oov).get(f"{URL}?{query}"))
        assert found == {world[key].reference for key in expected}

    def test_filter_by_area_and_municipality_id(
        self, client: Client, world: dict[str, Any], oov: Any, area: Any, municipality: Any
    ) -> None:
        _as(client, oov)
        assert references(client.get(f"{URL}?area={area.pk}")) == {world["mine"].reference}
        found = references(client.get(f"{URL}?municipality={municipality.pk}"))
        assert found == {world["mine"].reference, world["other"].reference}

    def test_overdue_and_mine(self, client: Client, world: dict[str, Any], oov: Any) -> None:
        overdue = world["other"]
        Report.objects.filter(pk=overdue.pk).update(
            first_response_due=timezone.localdate() - datetime.timedelta(days=1)
        )
        Report.objects.filter(pk=world["mine"].pk).update(assignee=oov)
        _as(client, oov)
        assert references(client.get(f"{URL}?overdue=1")) == {overdue.reference}
        assert references(client.get(f"{URL}?assigned_to_me=1")) == {world["mine"].reference}
        rows = client.get(URL).json()["results"]
        by_reference = {row["reference"]: row for row in rows}
        assert by_reference[overdue.reference]["is_overdue"] is True
        assert by_reference[world["mine"].reference]["assignee"]["id"] == oov.pk

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("status=lost", "status"),
            ("category=nothing", "category"),
            ("municipality=atlantis", "municipality"),
            ("area=abc", "area"),
            ("overdue=maybe", "overdue"),
            ("ordering=random", "ordering"),
        ],
    )
    def test_bad_filters_are_400(
        self, client: Client, world: dict[str, Any], oov: Any, query: str, field: str
    ) -> None:
        response = _as(client, oov).get(f"{URL}?{query}")
        assert_problem(response, 400)
        assert invalid_names(response) == {field}

    def test_list_query_count_does_not_grow_with_rows(
        self, client: Client, municipality: Any, area: Any, gemeente: Any, oov: Any
    ) -> None:
        def batch(size: int) -> None:
            for _ in range(size):
                ReportFactory(
                    municipality=municipality, area=area, organisation=gemeente, assignee=oov
                )

        _as(client, oov)
        batch(5)
        client.get(URL)  # warm the session
        with CaptureQueriesContext(connection) as few:
            assert len(client.get(URL).json()["results"]) == 5
        batch(25)
        with CaptureQueriesContext(connection) as many:
            assert len(client.get(URL).json()["results"]) == 30
        assert len(many) == len(few)

    def test_detail_has_the_full_timeline(
        self, client: Client, world: dict[str, Any], oov: Any
    ) -> None:
        report = world["mine"]
        services.add_internal_note(actor_for(oov), report, "Interne notitie: bekende dader.")
        response = _as(client, oov).get(f"{URL}{report.reference}/")
        assert response.status_code == 200
        data = response.json()
        assert data["reference"] == report.reference
        assert data["reporter"]["email"] == report.reporter_email
        assert [event["kind"] for event in data["timeline"]] == [EventKind.INTERNAL_NOTE]
        assert data["timeline"][0]["author"] == str(oov)
        targets = {option["status"] for option in data["allowed_transitions"]}
        assert ReportStatus.TRIAGE in targets
        assert ReportStatus.CLOSED not in targets
        assert not AuditEntry.objects.filter(action="reports.report.viewed").exists()

    @pytest.mark.parametrize("key", ["secret", "delft"])
    def test_out_of_scope_or_confidential_is_404(
        self, client: Client, world: dict[str, Any], oov: Any, key: str
    ) -> None:
        response = _as(client, oov).get(f"{URL}{world[key].reference}/")
        assert_problem(response, 404)
        response = post(client, f"{URL}{world[key].reference}/notitie/", {"text": "Hallo"})
        assert_problem(response, 404)
        assert not ReportEvent.objects.filter(kind=EventKind.INTERNAL_NOTE).exists()

    def test_reading_a_confidential_report_is_audited(
        self, client: Client, world: dict[str, Any], designated_officer: Any
    ) -> None:
        secret = world["secret"]
        response = _as(client, designated_officer).get(f"{URL}{secret.reference}/")
        assert response.status_code == 200
        entry = AuditEntry.objects.get(action="reports.report.viewed")
        assert entry.actor == designated_officer

    def test_anonymous_report_shows_no_reporter(
        self, client: Client, anonymous: tuple[Report, str], oov: Any
    ) -> None:
        report, _ = anonymous
        data = _as(client, oov).get(f"{URL}{report.reference}/").json()
        assert data["reporter"] is None
        assert data["is_anonymous"] is True


class TestStaffAccess:
    @pytest.mark.parametrize(
        ("method", "suffix"),
        [("get", ""), ("get", "REF/"), ("post", "REF/status/"), ("post", "REF/notitie/")],
    )
    def test_anonymous_caller_is_refused(
        self, client: Client, world: dict[str, Any], method: str, suffix: str
    ) -> None:
        url = URL + suffix.replace("REF", world["mine"].reference)
        response = client.get(url) if method == "get" else post(client, url, {})
        # As the network API: session authentication only, so 403 (no WWW-Authenticate).
        assert_problem(response, 403)

    def test_entrepreneur_is_refused(self, client: Client, world: dict[str, Any]) -> None:
        link = BusinessPersonFactory()
        client.force_login(link.person)
        assert_problem(client.get(URL), 403)

    def test_staff_without_second_factor_is_refused(
        self, client: Client, world: dict[str, Any], municipality: Any
    ) -> None:
        membership = MembershipFactory(municipalities=[municipality])
        client.force_login(membership.user)
        assert_problem(client.get(URL), 403)

    def test_staff_actions_need_the_csrf_token(self, world: dict[str, Any], oov: Any) -> None:
        client = Client(enforce_csrf_checks=True)
        _as(client, oov)
        response = post(client, f"{URL}{world['mine'].reference}/notitie/", {"text": "Hallo"})
        assert_problem(response, 403)


class TestStaffActions:
    def test_transition(self, client: Client, world: dict[str, Any], oov: Any) -> None:
        report = world["mine"]
        response = post(
            _as(client, oov),
            f"{URL}{report.reference}/status/",
            {"status": "triage", "version": report.version},
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == ReportStatus.TRIAGE
        assert response.json()["version"] == report.version + 1

    def test_transition_not_allowed_is_409(
        self, client: Client, world: dict[str, Any], oov: Any
    ) -> None:
        report = world["mine"]
        response = post(
            _as(client, oov),
            f"{URL}{report.reference}/status/",
            {"status": "closed", "version": report.version},
        )
        problem = assert_problem(response, 409)
        assert problem["title"] == "This status change is not allowed now."
        assert "cannot be moved" in problem["detail"]
        assert Report.objects.get(pk=report.pk).status == ReportStatus.RECEIVED

    def test_stale_version_is_409_and_changes_nothing(
        self, client: Client, world: dict[str, Any], oov: Any
    ) -> None:
        report = world["mine"]
        _as(client, oov)
        url = f"{URL}{report.reference}/status/"
        assert post(client, url, {"status": "triage", "version": report.version}).status_code == 200
        response = post(client, url, {"status": "in_progress", "version": report.version})
        problem = assert_problem(response, 409)
        assert problem["title"] == "The report was changed meanwhile."
        assert Report.objects.get(pk=report.pk).status == ReportStatus.TRIAGE

    def test_resolving_needs_feedback(
        self, client: Client, world: dict[str, Any], oov: Any
    ) -> None:
        report = world["mine"]
        response = post(
            _as(client, oov),
            f"{URL}{report.reference}/status/",
            {"status": "resolved", "version": report.version, "text": "  "},
        )
        assert_problem(response, 400)
        assert invalid_names(response) == {"text"}
        assert Report.objects.get(pk=report.pk).status == ReportStatus.RECEIVED

    def test_resolve_with_feedback(
        self,
        client: Client,
        world: dict[str, Any],
        oov: Any,
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        report = world["mine"]
        with django_capture_on_commit_callbacks(execute=True):
            response = post(
                _as(client, oov),
                f"{URL}{report.reference}/status/",
                {"status": "resolved", "version": report.version, "text": "Opgepakt."},
            )
        assert response.status_code == 200
        assert mailoutbox[-1].to == [report.reporter_email]

    @pytest.mark.parametrize("status", ["lost", "", None])
    def test_unknown_status_is_400(
        self, client: Client, world: dict[str, Any], oov: Any, status: Any
    ) -> None:
        report = world["mine"]
        response = post(
            _as(client, oov),
            f"{URL}{report.reference}/status/",
            {"status": status, "version": report.version},
        )
        assert_problem(response, 400)
        assert invalid_names(response) == {"status"}

    def test_mark_as_duplicate(self, client: Client, world: dict[str, Any], oov: Any) -> None:
        report, original = world["mine"], world["other"]
        _as(client, oov)
        url = f"{URL}{report.reference}/status/"
        missing = post(client, url, {"status": "duplicate", "version": report.version})
        assert invalid_names(missing) == {"duplicate_of"}
        hidden = post(
            client,
            url,
            {"status": "duplicate", "version": report.version, "duplicate_of": "M99-NOPE00"},
        )
        assert invalid_names(hidden) == {"duplicate_of"}
        response = post(
            client,
            url,
            {"status": "duplicate", "version": report.version, "duplicate_of": original.reference},
        )
        assert response.status_code == 200, response.content
        assert response.json()["duplicate_of"] == original.reference

    def test_message_and_note(self, client: Client, world: dict[str, Any], oov: Any) -> None:
        report = world["mine"]
        _as(client, oov)
        response = post(
            client,
            f"{URL}{report.reference}/bericht/",
            {"text": "Wij kijken ernaar.", "version": report.version},
        )
        assert response.status_code == 200, response.content
        response = post(client, f"{URL}{report.reference}/notitie/", {"text": "Intern."})
        kinds = [event["kind"] for event in response.json()["timeline"]]
        assert kinds == [EventKind.MESSAGE_TO_REPORTER, EventKind.INTERNAL_NOTE]
        stale = post(
            client, f"{URL}{report.reference}/bericht/", {"text": "Nog iets.", "version": 1}
        )
        assert_problem(stale, 409)
        empty = post(client, f"{URL}{report.reference}/notitie/", {"text": ""})
        assert invalid_names(empty) == {"text"}

    def test_assign(
        self, client: Client, world: dict[str, Any], oov: Any, gemeente: Any, municipality: Any
    ) -> None:
        report = world["mine"]
        colleague = make_handler(gemeente, municipality)
        outsider = make_handler(gemeente, MunicipalityFactory())
        _as(client, oov)
        url = f"{URL}{report.reference}/toewijzen/"
        for assignee in (outsider.pk, 999_999):
            refused = post(client, url, {"assignee": assignee, "version": report.version})
            assert_problem(refused, 400)
            assert invalid_names(refused) == {"assignee"}
        response = post(client, url, {"assignee": colleague.pk, "version": report.version})
        assert response.status_code == 200, response.content
        assert response.json()["assignee"]["id"] == colleague.pk
        response = post(client, url, {"assignee": None, "version": report.version + 1})
        assert response.json()["assignee"] is None

    def test_forward(self, client: Client, world: dict[str, Any], oov: Any, police: Any) -> None:
        report = world["mine"]
        _as(client, oov)
        url = f"{URL}{report.reference}/doorsturen/"
        no_reason = post(client, url, {"organisation": police.pk, "version": report.version})
        assert invalid_names(no_reason) == {"reason"}
        unknown = post(
            client, url, {"organisation": 999_999, "reason": "Politiezaak", "version": 1}
        )
        assert invalid_names(unknown) == {"organisation"}
        response = post(
            client,
            url,
            {
                "organisation": police.pk,
                "team": "Recherche",
                "reason": "Politiezaak",
                "version": report.version,
            },
        )
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["status"] == ReportStatus.FORWARDED
        assert data["organisation"]["id"] == police.pk
        assert data["team"] == "Recherche"

    def test_malformed_json_on_a_staff_action(
        self, client: Client, world: dict[str, Any], oov: Any
    ) -> None:
        response = _as(client, oov).post(
            f"{URL}{world['mine'].reference}/notitie/", "{oops", content_type=JSON
        )
        assert_problem(response, 400)


# --- the anonymity promise, through the whole HTTP stack ----------------------------------


def test_anonymous_api_report_leaves_no_trace_of_the_client(
    api: Client, municipality: Any, routing: None, caplog: pytest.LogCaptureFixture
) -> None:
    ip, agent = "198.51.100.23", "Api-Anon-Agent/1.0"
    caplog.set_level(logging.DEBUG)
    client_meta = {"REMOTE_ADDR": ip, "HTTP_USER_AGENT": agent}
    response = post(api, URL, body(anonymous=True, reporter_email=""), **client_meta)
    assert response.status_code == 201
    code = response.json()["receipt_code"]
    followed = post(api, FOLLOW, {"receipt_code": code}, **client_meta)
    assert followed.status_code == 200
    replied = post(
        api, f"{FOLLOW}bericht/", {"receipt_code": code, "text": "Nog een detail."}, **client_meta
    )
    assert replied.status_code == 200
    wrong = post(api, FOLLOW, {"receipt_code": "0000-0000-0000-0000"}, **client_meta)
    assert wrong.status_code == 404
    compact = code.replace("-", "")
    assert_nowhere_in_database(ip, agent, code, compact)
    logged = caplog.text + " ".join(str(record.args) for record in caplog.records)
    assert "Not Found" in logged  # the log was captured: the wrong code's 404 is in it
    for needle in (ip, agent, code, compact):
        assert needle not in logged
