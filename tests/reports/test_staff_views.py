"""The handlers' back office: work queue, report page, actions and attachment downloads."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.factories import (
    AmbassadorFactory,
    AreaFactory,
    BusinessPersonFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.helpers import login_verified
from tests.reports.conftest import make_handler
from tests.reports.factories import ReportEventFactory, ReportFactory, category
from weerbaar.accounts.models import OrganisationKind, Role
from weerbaar.core.models import AuditEntry
from weerbaar.reports.models import EventKind, Report, ReportAttachment, ReportStatus

pytestmark = pytest.mark.django_db

QUEUE = reverse("reports_staff:queue")


def new_report(**fields: Any) -> Any:
    return ReportFactory(**fields)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_verified(client, user)
    return client


def detail_url(report: Report) -> str:
    return reverse("reports_staff:detail", args=[report.reference])


def action_url(name: str, report: Report) -> str:
    return reverse(f"reports_staff:{name}", args=[report.reference])


def references(response: Any) -> list[str]:
    return [report.reference for report in response.context["page_obj"]]


def add_attachment(report: Report, content: bytes = b"%PDF-1.4 test", **fields: Any) -> Any:
    attachment = ReportAttachment(
        report=report,
        file_name=fields.pop("file_name", "bon.pdf"),
        content_type=fields.pop("content_type", "application/pdf"),
        size=len(content),
        sha256="0" * 64,
        **fields,
    )
    attachment.file.save("bon.pdf", ContentFile(content), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def report(municipality: Any, area: Any, gemeente: Any) -> Report:
    return new_report(
        municipality=municipality, area=area, organisation=gemeente, reference="M26-AAAAAA"
    )


@pytest.fixture
def confidential(municipality: Any, police: Any) -> Report:
    return new_report(
        municipality=municipality,
        category=category("cannabis_farm"),
        organisation=police,
        team="Ondermijning",
        reference="M26-CCCCCC",
    )


@pytest.fixture
def tilburg() -> Any:
    return MunicipalityFactory(name="Tilburg", slug="tilburg")


@pytest.fixture
def tilburg_staff(tilburg: Any) -> Any:
    organisation = OrganisationFactory(name="Gemeente Tilburg", municipality=tilburg)
    return make_handler(organisation, tilburg, email="oov@tilburg.example.nl")


@pytest.fixture
def oov_client(oov: Any) -> Client:
    return client_for(oov)


# --- the work queue -------------------------------------------------------------------------


class TestQueue:
    def test_default_shows_open_reports_newest_first(
        self, oov_client: Client, municipality: Any
    ) -> None:
        now = timezone.now()
        older = new_report(municipality=municipality)
        newer = new_report(municipality=municipality)
        closed = new_report(municipality=municipality, status=ReportStatus.CLOSED)
        Report.objects.filter(pk=older.pk).update(created_at=now - datetime.timedelta(days=2))
        Report.objects.filter(pk=newer.pk).update(created_at=now - datetime.timedelta(days=1))

        response = oov_client.get(QUEUE)

        assert response.status_code == 200
        assert references(response) == [newer.reference, older.reference]
        assert closed.reference not in response.content.decode()
        everything = oov_client.get(QUEUE, {"status": "all"})
        assert set(references(everything)) == {older.reference, newer.reference, closed.reference}

    def test_columns_show_status_as_text_deadline_and_handler(
        self, oov_client: Client, report: Report, oov: Any
    ) -> None:
        Report.objects.filter(pk=report.pk).update(
            assignee=oov,
            status=ReportStatus.IN_PROGRESS,
            feedback_due=timezone.localdate() - datetime.timedelta(days=1),
        )
        html = oov_client.get(QUEUE).content.decode()
        assert f'href="{detail_url(report)}"' in html
        assert "In progress" in html
        assert "Overdue" in html
        assert escape(str(oov)) in html  # names like "D'Hondt" are escaped
        assert "Gemeente Breda" in html
        assert "Binnenstad" in html
        assert "<caption" in html
        assert 'scope="col"' in html

    def test_filters_by_status(self, oov_client: Client, municipality: Any) -> None:
        triage = new_report(municipality=municipality, status=ReportStatus.TRIAGE)
        new_report(municipality=municipality)
        resolved = new_report(municipality=municipality, status=ReportStatus.RESOLVED)
        assert references(oov_client.get(QUEUE, {"status": "triage"})) == [triage.reference]
        assert references(oov_client.get(QUEUE, {"status": "resolved"})) == [resolved.reference]

    def test_filters_by_category_or_group(self, oov_client: Client, municipality: Any) -> None:
        shoplifting = new_report(municipality=municipality, category=category("shoplifting"))
        theft = new_report(municipality=municipality, category=category("theft"))
        phishing = new_report(municipality=municipality, category=category("phishing"))
        group = references(oov_client.get(QUEUE, {"category": "property_crime"}))
        assert set(group) == {shoplifting.reference, theft.reference}
        assert references(oov_client.get(QUEUE, {"category": "phishing"})) == [phishing.reference]

    def test_filters_by_municipality_and_area(self, tilburg: Any, municipality: Any) -> None:
        admin = MembershipFactory(role=Role.PLATFORM_ADMIN).user
        client = client_for(admin)
        binnenstad: Any = AreaFactory(municipality=municipality)
        in_area = new_report(municipality=municipality, area=binnenstad)
        elsewhere = new_report(municipality=municipality)
        in_tilburg = new_report(municipality=tilburg)
        by_municipality = references(client.get(QUEUE, {"municipality": municipality.pk}))
        assert set(by_municipality) == {in_area.reference, elsewhere.reference}
        assert references(client.get(QUEUE, {"municipality": tilburg.pk})) == [in_tilburg.reference]
        assert references(client.get(QUEUE, {"area": binnenstad.pk})) == [in_area.reference]

    def test_filters_overdue(self, oov_client: Client, municipality: Any) -> None:
        late = new_report(
            municipality=municipality,
            feedback_due=timezone.localdate() - datetime.timedelta(days=1),
        )
        new_report(municipality=municipality)
        assert references(oov_client.get(QUEUE, {"overdue": "on"})) == [late.reference]

    def test_filters_assigned_to_me_and_unassigned(
        self, oov_client: Client, oov: Any, municipality: Any, gemeente: Any
    ) -> None:
        colleague = make_handler(gemeente, municipality)
        mine = new_report(municipality=municipality, assignee=oov)
        theirs = new_report(municipality=municipality, assignee=colleague)
        nobody = new_report(municipality=municipality)
        assert references(oov_client.get(QUEUE, {"handler": "me"})) == [mine.reference]
        assert references(oov_client.get(QUEUE, {"handler": "none"})) == [nobody.reference]
        assert len(references(oov_client.get(QUEUE, {"handler": ""}))) == 3
        assert theirs.reference in references(oov_client.get(QUEUE))

    def test_searches_by_reference(self, oov_client: Client, report: Report) -> None:
        new_report(municipality=report.municipality)
        found = oov_client.get(QUEUE, {"q": " m26-aaaaaa "})
        assert references(found) == [report.reference]

    def test_sorts(self, oov_client: Client, municipality: Any) -> None:
        today = timezone.localdate()
        first = new_report(
            municipality=municipality,
            status=ReportStatus.TRIAGE,
            feedback_due=today + datetime.timedelta(days=9),
        )
        second = new_report(
            municipality=municipality,
            status=ReportStatus.IN_PROGRESS,
            feedback_due=today + datetime.timedelta(days=3),
        )
        Report.objects.filter(pk=first.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=3)
        )
        assert references(oov_client.get(QUEUE, {"sort": "newest"})) == [
            second.reference,
            first.reference,
        ]
        assert references(oov_client.get(QUEUE, {"sort": "oldest"})) == [
            first.reference,
            second.reference,
        ]
        assert references(oov_client.get(QUEUE, {"sort": "due"})) == [
            second.reference,
            first.reference,
        ]
        assert references(oov_client.get(QUEUE, {"sort": "status"})) == [
            second.reference,  # "in_progress" sorts before "triage"
            first.reference,
        ]

    @pytest.mark.parametrize(
        "params",
        [{"status": "bogus"}, {"area": "abc"}, {"sort": "DROP TABLE"}, {"category": "nope"}],
    )
    def test_invalid_filter_answers_400_with_a_message(
        self, oov_client: Client, report: Report, params: dict[str, str]
    ) -> None:
        response = oov_client.get(QUEUE, params)
        assert response.status_code == 400
        assert "The filters could not be applied" in response.content.decode()
        assert references(response) == []

    def test_municipality_outside_scope_is_not_a_filter_option(
        self, oov_client: Client, tilburg: Any
    ) -> None:
        new_report(municipality=tilburg)
        response = oov_client.get(QUEUE, {"municipality": tilburg.pk})
        assert response.status_code == 400
        assert references(response) == []

    def test_pages_hold_25_reports(self, oov_client: Client, municipality: Any) -> None:
        ReportFactory.create_batch(27, municipality=municipality)
        first = oov_client.get(QUEUE)
        assert len(references(first)) == 25
        second = oov_client.get(QUEUE, {"page": 2})
        assert len(references(second)) == 2

    def test_staff_of_another_municipality_see_nothing_of_breda(
        self, tilburg_staff: Any, report: Report
    ) -> None:
        client = client_for(tilburg_staff)
        assert report.reference not in client.get(QUEUE).content.decode()
        assert client.get(detail_url(report)).status_code == 404

    def test_confidential_reports_are_marked(
        self, designated_officer: Any, confidential: Report
    ) -> None:
        html = client_for(designated_officer).get(QUEUE).content.decode()
        assert confidential.reference in html
        assert "Confidential" in html

    def test_back_office_home_links_to_the_queue_only_for_report_roles(
        self, oov_client: Client, municipality: Any
    ) -> None:
        home = reverse("core:back_office")
        assert f'href="{QUEUE}"' in oov_client.get(home).content.decode()
        expert = UserFactory()
        MembershipFactory(user=expert, role=Role.PARTNER_EXPERT, municipalities=[municipality])
        assert f'href="{QUEUE}"' not in client_for(expert).get(home).content.decode()


# --- who may look ---------------------------------------------------------------------------


class TestAccess:
    def test_anonymous_visitors_are_sent_to_log_in(self, report: Report) -> None:
        for url in (QUEUE, detail_url(report)):
            response = Client().get(url)
            assert response.status_code == 302
            assert reverse("accounts:login") in response["Location"]

    @pytest.mark.parametrize("kind", ["ambassador", "entrepreneur", "partner_expert"])
    def test_roles_without_reports_get_403(
        self, kind: str, report: Report, area: Any, municipality: Any
    ) -> None:
        user: Any = UserFactory()
        client = Client()
        if kind == "ambassador":
            AmbassadorFactory(person=user, area=area)
            client.force_login(user)
        elif kind == "entrepreneur":
            BusinessPersonFactory(person=user)
            client.force_login(user)
        else:
            MembershipFactory(user=user, role=Role.PARTNER_EXPERT, municipalities=[municipality])
            login_verified(client, user)
        attachment = add_attachment(report)
        assert client.get(QUEUE).status_code == 403
        assert client.get(detail_url(report)).status_code == 403
        url = reverse("reports_staff:attachment", args=[report.reference, attachment.pk])
        assert client.get(url).status_code == 403
        response = client.post(action_url("note", report), {"text": "x"})
        assert response.status_code == 403
        assert not report.events.exists()


class TestConfidentiality:
    @pytest.mark.parametrize("who", ["oov", "police", "platform_admin"])
    def test_undermining_is_invisible_without_designation(
        self, who: str, confidential: Report, municipality: Any, police: Any, oov: Any
    ) -> None:
        if who == "oov":
            user = oov
        elif who == "police":
            user = make_handler(police, municipality, role=Role.POLICE)
        else:
            user = MembershipFactory(role=Role.PLATFORM_ADMIN).user
        client = client_for(user)
        assert confidential.reference not in client.get(QUEUE, {"status": "all"}).content.decode()
        assert client.get(detail_url(confidential)).status_code == 404
        attachment = add_attachment(confidential)
        url = reverse("reports_staff:attachment", args=[confidential.reference, attachment.pk])
        assert client.get(url).status_code == 404
        response = client.post(
            action_url("transition", confidential),
            {"target": "triage", "version": confidential.version},
        )
        assert response.status_code == 404
        confidential.refresh_from_db()
        assert confidential.status == ReportStatus.RECEIVED
        assert not AuditEntry.objects.filter(action="reports.report.viewed").exists()

    def test_designated_officer_sees_it_and_every_view_is_audited(
        self, designated_officer: Any, confidential: Report
    ) -> None:
        client = client_for(designated_officer)
        assert client.get(detail_url(confidential)).status_code == 200
        assert client.get(detail_url(confidential)).status_code == 200
        views = AuditEntry.objects.filter(
            action="reports.report.viewed", object_id=str(confidential.pk)
        )
        assert views.count() == 2
        assert {entry.actor for entry in views} == {designated_officer}
        assert all(entry.created_at is not None for entry in views)

    def test_ordinary_reports_are_not_audited_on_view(
        self, oov_client: Client, report: Report
    ) -> None:
        assert oov_client.get(detail_url(report)).status_code == 200
        assert not AuditEntry.objects.filter(action="reports.report.viewed").exists()

    def test_designated_platform_admin_sees_it(self, confidential: Report) -> None:
        admin = UserFactory()
        MembershipFactory(
            user=admin,
            role=Role.PLATFORM_ADMIN,
            organisation=OrganisationFactory(kind=OrganisationKind.PLATFORM_OPERATOR),
            handles_confidential_reports=True,
        )
        assert client_for(admin).get(detail_url(confidential)).status_code == 200


# --- the report page ------------------------------------------------------------------------


class TestDetail:
    def test_shows_report_data_timeline_and_actions(
        self, oov_client: Client, report: Report, oov: Any
    ) -> None:
        ReportEventFactory(report=report, kind=EventKind.SUBMITTED, author_kind="reporter")
        ReportEventFactory(
            report=report,
            kind=EventKind.ROUTED,
            author_kind="system",
            data={"organisation": "Gemeente Breda", "team": "OOV"},
        )
        ReportEventFactory(
            report=report, kind=EventKind.INTERNAL_NOTE, author=oov, text="Camera bekijken"
        )
        ReportEventFactory(
            report=report,
            kind=EventKind.MESSAGE_FROM_REPORTER,
            author_kind="reporter",
            text="Het gebeurde weer",
        )
        ReportEventFactory(
            report=report,
            kind=EventKind.FORWARDED,
            text="Hoort bij politie",
            data={"from": "Gemeente Breda", "to": "Politie", "team": ""},
        )
        ReportEventFactory(report=report, kind=EventKind.ASSIGNED, data={"assignee": "Olga"})
        attachment = add_attachment(report)
        response = oov_client.get(detail_url(report))
        assert response.status_code == 200
        html = response.content.decode()
        assert report.description in html
        assert report.location_text in html
        assert report.reporter_email in html
        assert "Camera bekijken" in html
        assert "Internal note — the reporter does not see this." in html
        assert "Het gebeurde weer" in html
        assert "Routed to Gemeente Breda" in html
        assert "Hoort bij politie" in html
        assert "Reason (internal):" in html
        assert "Now handled by Olga" in html
        assert reverse("reports_staff:attachment", args=[report.reference, attachment.pk]) in html
        # Every action form names the version it was based on.
        assert html.count(f'name="version" value="{report.version}"') >= 5
        # The transitions a handler may take from "received".
        for label in ("Start assessment", "Take into handling", "Resolve with feedback"):
            assert label in html
        assert "Close" not in [t.label for t, _ in response.context["transition_forms"]]

    def test_anonymous_reporter_is_shown_as_anonymous(
        self, oov_client: Client, municipality: Any
    ) -> None:
        anonymous = new_report(municipality=municipality, is_anonymous=True, reporter_email="")
        html = oov_client.get(detail_url(anonymous)).content.decode()
        assert "Anonymous." in html

    def test_staff_entry_shows_who_entered_it(
        self, oov_client: Client, municipality: Any, oov: Any
    ) -> None:
        entered = new_report(municipality=municipality, channel="phone", entered_by=oov)
        html = oov_client.get(detail_url(entered)).content.decode()
        assert "Entered by" in html
        assert escape(str(oov)) in html  # names like "D'Hondt" are escaped

    def test_html_in_texts_is_escaped(self, oov_client: Client, municipality: Any) -> None:
        script = "<script>alert('x')</script>"
        report = new_report(municipality=municipality, description=script)
        ReportEventFactory(
            report=report, kind=EventKind.MESSAGE_FROM_REPORTER, author_kind="reporter", text=script
        )
        oov_client.post(
            action_url("message", report), {"text": f"<b>vet</b>{script}", "version": 1}
        )
        html = oov_client.get(detail_url(report)).content.decode()
        assert script not in html
        assert "<b>vet</b>" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
        assert "&lt;b&gt;vet&lt;/b&gt;" in html

    def test_assign_offers_only_people_who_may_handle_it(
        self,
        confidential: Report,
        designated_officer: Any,
        oov: Any,
        police: Any,
        municipality: Any,
        tilburg_staff: Any,
    ) -> None:
        undesignated_police = make_handler(police, municipality, role=Role.POLICE)
        colleague = make_handler(police, municipality, role=Role.POLICE, confidential=True)
        response = client_for(designated_officer).get(detail_url(confidential))
        offered = set(response.context["assign_form"].fields["assignee"].queryset)
        assert offered == {designated_officer, colleague}
        assert oov not in offered
        assert undesignated_police not in offered
        assert tilburg_staff not in offered


# --- actions --------------------------------------------------------------------------------


def post(client: Client, name: str, report: Report, **data: Any) -> Any:
    data.setdefault("version", report.version)
    return client.post(action_url(name, report), data)


def assert_unchanged(report: Report) -> None:
    before = (report.status, report.version, report.assignee_id, report.organisation_id)
    events = report.events.count()
    report.refresh_from_db()
    assert (report.status, report.version, report.assignee_id, report.organisation_id) == before
    assert report.events.count() == events


class TestTransitions:
    def test_start_assessment(self, oov_client: Client, report: Report) -> None:
        response = post(oov_client, "transition", report, target="triage")
        assert response.status_code == 302
        assert response["Location"] == detail_url(report)
        report.refresh_from_db()
        assert report.status == ReportStatus.TRIAGE
        assert report.version == 2
        page = oov_client.get(detail_url(report)).content.decode()
        assert "The report is now “Being assessed”." in page

    def test_resolve_with_feedback(
        self,
        oov_client: Client,
        report: Report,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = post(
                oov_client, "transition", report, target="resolved", text="Opgepakt, dank!"
            )
        assert response.status_code == 302
        report.refresh_from_db()
        assert report.status == ReportStatus.RESOLVED
        assert report.events.get(kind=EventKind.STATUS_CHANGED).text == "Opgepakt, dank!"

    def test_resolve_without_feedback_is_refused(self, oov_client: Client, report: Report) -> None:
        response = post(oov_client, "transition", report, target="resolved", text="  ")
        assert response.status_code == 400
        html = response.content.decode()
        assert "Write the feedback the reporter will receive." in html
        assert 'id="id_transition-resolved_text"' in html
        assert_unchanged(report)

    def test_transition_not_in_the_workflow_is_refused(
        self, oov_client: Client, report: Report
    ) -> None:
        response = post(oov_client, "transition", report, target="closed")
        assert response.status_code == 400
        assert "cannot be moved to" in response.content.decode()
        assert_unchanged(report)

    def test_unknown_target_is_refused(self, oov_client: Client, report: Report) -> None:
        response = post(oov_client, "transition", report, target="<script>")
        assert response.status_code == 400
        assert "<script>" not in response.content.decode()
        assert_unchanged(report)

    def test_stale_version_answers_409_and_writes_nothing(
        self, oov_client: Client, report: Report
    ) -> None:
        Report.objects.filter(pk=report.pk).update(version=2)
        report.refresh_from_db()
        response = oov_client.post(
            action_url("transition", report),
            {"target": "resolved", "text": "Klaar", "version": 1},
        )
        assert response.status_code == 409
        html = response.content.decode()
        assert "Someone else changed this report a moment ago" in html
        # What was typed is kept, and the form now carries the current version.
        assert "Klaar" in html
        assert 'name="version" value="2"' in html
        assert_unchanged(report)

    def test_missing_version_is_refused(self, oov_client: Client, report: Report) -> None:
        response = oov_client.post(action_url("transition", report), {"target": "triage"})
        assert response.status_code == 400
        assert_unchanged(report)

    def test_mark_as_duplicate(self, oov_client: Client, report: Report) -> None:
        original = new_report(municipality=report.municipality, reference="M26-OOOOOO")
        response = post(
            oov_client, "transition", report, target="duplicate", duplicate_of="m26-oooooo"
        )
        assert response.status_code == 302
        report.refresh_from_db()
        assert report.status == ReportStatus.DUPLICATE
        assert report.duplicate_of == original
        page = oov_client.get(detail_url(original)).content.decode()
        assert report.reference in page

    @pytest.mark.parametrize("reference", ["M26-NOPE00", "tilburg"])
    def test_duplicate_of_unknown_or_invisible_report_is_refused(
        self, reference: str, oov_client: Client, report: Report, tilburg: Any
    ) -> None:
        if reference == "tilburg":
            reference = new_report(municipality=tilburg).reference
        response = post(
            oov_client, "transition", report, target="duplicate", duplicate_of=reference
        )
        assert response.status_code == 400
        assert "No report with this reference was found." in response.content.decode()
        assert_unchanged(report)

    def test_duplicate_without_reference_is_refused(
        self, oov_client: Client, report: Report
    ) -> None:
        response = post(oov_client, "transition", report, target="duplicate")
        assert response.status_code == 400
        assert "Choose the report this one duplicates." in response.content.decode()
        assert_unchanged(report)

    def test_get_is_not_allowed(self, oov_client: Client, report: Report) -> None:
        assert oov_client.get(action_url("transition", report)).status_code == 405


class TestMessagesAndNotes:
    def test_message_to_the_reporter(
        self,
        oov_client: Client,
        report: Report,
        django_capture_on_commit_callbacks: Any,
        mailoutbox: list[Any],
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = post(oov_client, "message", report, text="Kunt u de dader beschrijven?")
        assert response.status_code == 302
        event = report.events.get(kind=EventKind.MESSAGE_TO_REPORTER)
        assert event.text == "Kunt u de dader beschrijven?"
        report.refresh_from_db()
        assert report.version == 2
        assert report.first_response_at is not None
        assert [mail.to for mail in mailoutbox] == [[report.reporter_email]]

    def test_empty_message_is_refused(self, oov_client: Client, report: Report) -> None:
        response = post(oov_client, "message", report, text="")
        assert response.status_code == 400
        assert "Write a message." in response.content.decode()
        assert_unchanged(report)

    def test_stale_message_is_refused(self, oov_client: Client, report: Report) -> None:
        Report.objects.filter(pk=report.pk).update(version=5)
        report.refresh_from_db()
        response = oov_client.post(action_url("message", report), {"text": "Hoi", "version": 4})
        assert response.status_code == 409
        assert_unchanged(report)

    def test_internal_note(self, oov_client: Client, report: Report, oov: Any) -> None:
        response = oov_client.post(action_url("note", report), {"text": "Bekend adres"})
        assert response.status_code == 302
        note = report.events.get(kind=EventKind.INTERNAL_NOTE)
        assert (note.text, note.author) == ("Bekend adres", oov)
        report.refresh_from_db()
        assert report.version == 1  # notes never conflict with other changes

    def test_empty_note_is_refused(self, oov_client: Client, report: Report) -> None:
        response = oov_client.post(action_url("note", report), {"text": " "})
        assert response.status_code == 400
        assert "Write a note." in response.content.decode()
        assert_unchanged(report)


class TestAssign:
    def test_assign_a_colleague_and_unassign(
        self, oov_client: Client, report: Report, gemeente: Any, municipality: Any
    ) -> None:
        colleague = make_handler(gemeente, municipality)
        response = post(oov_client, "assign", report, assignee=colleague.pk)
        assert response.status_code == 302
        report.refresh_from_db()
        assert report.assignee == colleague
        response = post(oov_client, "assign", report, assignee="")
        assert response.status_code == 302
        report.refresh_from_db()
        assert report.assignee is None
        assert report.events.filter(kind=EventKind.ASSIGNED).count() == 2

    def test_someone_outside_the_scope_is_refused(
        self, oov_client: Client, report: Report, tilburg_staff: Any
    ) -> None:
        response = post(oov_client, "assign", report, assignee=tilburg_staff.pk)
        assert response.status_code == 400
        assert "may not handle this report" in response.content.decode()
        assert_unchanged(report)

    def test_someone_not_designated_is_refused_for_a_confidential_report(
        self, designated_officer: Any, confidential: Report, police: Any, municipality: Any
    ) -> None:
        undesignated = make_handler(police, municipality, role=Role.POLICE)
        response = post(
            client_for(designated_officer), "assign", confidential, assignee=undesignated.pk
        )
        assert response.status_code == 400
        assert "may not handle this report" in response.content.decode()
        assert_unchanged(confidential)


class TestForward:
    def test_forward_to_the_police(
        self, oov_client: Client, report: Report, police: Any, oov: Any
    ) -> None:
        Report.objects.filter(pk=report.pk).update(assignee=oov)
        report.refresh_from_db()
        response = post(
            oov_client,
            "forward",
            report,
            organisation=police.pk,
            team="Wijkteam Centrum",
            reason="Strafbaar feit",
        )
        assert response.status_code == 302
        report.refresh_from_db()
        assert (report.organisation, report.team, report.assignee) == (
            police,
            "Wijkteam Centrum",
            None,
        )
        assert report.status == ReportStatus.FORWARDED
        assert report.events.get(kind=EventKind.FORWARDED).text == "Strafbaar feit"

    def test_forward_without_reason_is_refused(
        self, oov_client: Client, report: Report, police: Any
    ) -> None:
        response = post(oov_client, "forward", report, organisation=police.pk, reason="")
        assert response.status_code == 400
        assert "Say why the report is forwarded." in response.content.decode()
        assert_unchanged(report)

    def test_organisation_of_another_municipality_is_refused(
        self, oov_client: Client, report: Report, tilburg: Any
    ) -> None:
        elsewhere: Any = OrganisationFactory(name="Gemeente Tilburg", municipality=tilburg)
        response = post(oov_client, "forward", report, organisation=elsewhere.pk, reason="x")
        assert response.status_code == 400
        assert_unchanged(report)

    def test_closed_report_offers_no_forwarding(self, oov_client: Client, report: Report) -> None:
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.CLOSED)
        response = oov_client.get(detail_url(report))
        assert response.context["forward_form"] is None
        assert response.context["message_form"] is None


# --- attachments ----------------------------------------------------------------------------


class TestAttachmentDownload:
    def test_streams_the_file_as_a_download(self, oov_client: Client, report: Report) -> None:
        attachment = add_attachment(report, b"%PDF-1.4 inhoud", file_name="kassabon.pdf")
        url = reverse("reports_staff:attachment", args=[report.reference, attachment.pk])
        response = oov_client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 inhoud"  # type: ignore[attr-defined]
        assert response["Content-Disposition"].startswith("attachment;")
        assert "kassabon.pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"

    def test_out_of_scope_or_wrong_report_answers_404(
        self, report: Report, tilburg_staff: Any, oov_client: Client, municipality: Any
    ) -> None:
        attachment = add_attachment(report)
        url = reverse("reports_staff:attachment", args=[report.reference, attachment.pk])
        assert client_for(tilburg_staff).get(url).status_code == 404
        other = new_report(municipality=municipality)
        wrong = reverse("reports_staff:attachment", args=[other.reference, attachment.pk])
        assert oov_client.get(wrong).status_code == 404

    def test_confidential_download_is_audited(
        self, designated_officer: Any, confidential: Report
    ) -> None:
        attachment = add_attachment(confidential)
        url = reverse("reports_staff:attachment", args=[confidential.reference, attachment.pk])
        assert client_for(designated_officer).get(url).status_code == 200
        assert AuditEntry.objects.filter(
            action="reports.report.viewed", actor=designated_officer
        ).exists()


# --- query counts ---------------------------------------------------------------------------


class TestQueryCounts:
    def test_queue_does_not_grow_with_reports(
        self, oov: Any, municipality: Any, area: Any, gemeente: Any, django_assert_num_queries: Any
    ) -> None:
        client = client_for(oov)

        def make(count: int) -> None:
            for _ in range(count):
                new_report(
                    municipality=municipality,
                    area=area,
                    organisation=gemeente,
                    assignee=oov,
                    category=category("theft"),
                )

        make(5)
        with CaptureQueriesContext(connection) as few:
            assert client.get(QUEUE).status_code == 200
        make(25)
        with django_assert_num_queries(len(few.captured_queries)):
            response = client.get(QUEUE)
        assert len(references(response)) == 25

    def test_report_page_does_not_grow_with_the_timeline(
        self, oov: Any, report: Report, django_assert_num_queries: Any
    ) -> None:
        client = client_for(oov)

        def make(count: int) -> None:
            for index in range(count):
                event = ReportEventFactory(
                    report=report,
                    kind=EventKind.INTERNAL_NOTE if index % 2 else EventKind.MESSAGE_FROM_REPORTER,
                    author=oov if index % 2 else None,
                    author_kind="staff" if index % 2 else "reporter",
                )
                add_attachment(report, event=event)

        make(5)
        with CaptureQueriesContext(connection) as few:
            assert client.get(detail_url(report)).status_code == 200
        make(25)
        with django_assert_num_queries(len(few.captured_queries)):
            response = client.get(detail_url(report))
        assert len(response.context["events"]) == 30
