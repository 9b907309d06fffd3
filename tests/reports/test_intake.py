"""submit_report(): validation, routing, deadlines, anonymity and acknowledgement."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import AreaFactory, BusinessFactory, BusinessPersonFactory, MunicipalityFactory
from tests.reports.conftest import intake, make_handler
from tests.reports.factories import category
from weerbaar.core.models import AuditEntry, Delivery
from weerbaar.reports import receipts
from weerbaar.reports.models import EventKind, Report, ReportChannel, ReportStatus
from weerbaar.reports.services import selectable_categories, submit_report

pytestmark = pytest.mark.django_db


def submit(actor: Any, municipality: Any, **overrides: Any) -> Any:
    return submit_report(actor, intake(municipality, **overrides))


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


class TestValidIntake:
    def test_identified_report_is_stored_routed_and_acknowledged(
        self,
        public_actor: Any,
        municipality: Any,
        routing: None,
        gemeente: Any,
        django_capture_on_commit_callbacks: Any,
        mailoutbox: list[Any],
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            result = submit(public_actor, municipality)
        report = result.report
        assert result.receipt_code is None
        assert report.status == ReportStatus.RECEIVED
        assert report.organisation == gemeente
        assert report.team == "OOV"
        assert report.reference.startswith("M")
        kinds = list(report.events.values_list("kind", flat=True))
        assert kinds == [EventKind.SUBMITTED, EventKind.ROUTED]
        # A reporter's own submission is on the timeline, not in the staff audit trail.
        assert not AuditEntry.objects.filter(action="reports.report.submitted").exists()
        assert len(mailoutbox) == 1
        assert report.reference in mailoutbox[0].subject
        assert mailoutbox[0].to == ["melder@example.nl"]

    def test_undermining_goes_to_the_police_team_and_is_confidential(
        self, public_actor: Any, municipality: Any, routing: None, police: Any
    ) -> None:
        report = submit(public_actor, municipality, category=category("cannabis_farm")).report
        assert report.organisation == police
        assert report.team == "Ondermijning"
        assert report.is_confidential

    def test_without_matching_rule_the_report_waits_unrouted(
        self, public_actor: Any, municipality: Any
    ) -> None:
        report = submit(public_actor, municipality).report
        assert report.organisation is None
        assert list(report.events.values_list("kind", flat=True)) == [EventKind.SUBMITTED]

    def test_deadlines_follow_the_category_in_working_days(
        self, public_actor: Any, municipality: Any, time_machine: Any
    ) -> None:
        # Friday 24 April 2026; Monday 27 April is King's Day.
        time_machine.move_to(datetime.datetime(2026, 4, 24, 10, tzinfo=datetime.UTC))
        report = submit(
            public_actor,
            municipality,
            category=category("robbery"),
            occurred_at=timezone.now() - datetime.timedelta(hours=1),
        ).report
        assert report.first_response_due == datetime.date(2026, 4, 28)  # 1 working day
        assert report.feedback_due == datetime.date(2026, 5, 12)  # 10, skipping 5 May

    def test_business_fills_in_the_area(self, public_actor: Any, municipality: Any) -> None:
        business = BusinessFactory(area=AreaFactory(municipality=municipality))
        report = submit(public_actor, municipality, business=business, location_text="").report
        assert report.area == business.area


class TestAnonymity:
    def test_anonymous_report_keeps_nothing_identifying(
        self,
        public_actor: Any,
        municipality: Any,
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            result = submit(public_actor, municipality, is_anonymous=True, reporter_email="")
        report = result.report
        code = result.receipt_code
        assert code is not None
        assert receipts.normalise_code(code)
        assert report.reporter is None
        assert report.reporter_email == ""
        assert report.receipt_code_hash == receipts.hash_code(code)
        assert code not in report.receipt_code_hash
        assert mailoutbox == []
        assert not Delivery.objects.exists()
        assert not AuditEntry.objects.filter(object_id=str(report.pk)).exists()

    def test_anonymous_report_with_contact_details_is_refused(
        self, public_actor: Any, municipality: Any
    ) -> None:
        with pytest.raises(ValidationError) as excinfo:
            submit(public_actor, municipality, is_anonymous=True, reporter_email="a@b.nl")
        assert "is_anonymous" in errors_of(excinfo)
        assert not Report.objects.exists()

    def test_receipt_codes_are_unique_and_well_formed(self) -> None:
        codes = {receipts.new_receipt_code() for _ in range(200)}
        assert len(codes) == 200
        for code in codes:
            groups = code.split("-")
            assert [len(g) for g in groups] == [4, 4, 4, 4]
            assert not set(code.replace("-", "")) & set("ILOU")


class TestBadInput:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"description": ""}, "description"),
            ({"description": "   kort   "}, "description"),
            ({"description": "x" * 50_000}, "description"),
            ({"description": "nul\x00byte in de tekst"}, "description"),
            ({"category": None}, "category"),
            ({"occurred_at": None}, "occurred_at"),
            ({"occurred_at": timezone.now() + datetime.timedelta(days=2)}, "occurred_at"),
            ({"occurred_at": timezone.now() - datetime.timedelta(days=6 * 365)}, "occurred_at"),
            ({"latitude": Decimal("51.58")}, "location"),
            ({"latitude": Decimal("48.85"), "longitude": Decimal("2.35")}, "location"),
            ({"location_text": ""}, "location_text"),
            ({"reporter_email": ""}, "reporter_email"),
            ({"reporter_email": "geen-adres"}, "reporter_email"),
            ({"reporter_phone": "bel me"}, "reporter_phone"),
            ({"reporter_phone": "+31 (0)76 - 123 - 45 - 67"}, "reporter_phone"),
            ({"reporter_email": "a" * 250 + "@example.nl"}, "reporter_email"),
            ({"reporter_name": "n" * 151}, "reporter_name"),
        ],
    )
    def test_bad_input_writes_nothing(
        self, public_actor: Any, municipality: Any, overrides: dict[str, Any], field: str
    ) -> None:
        with pytest.raises(ValidationError) as excinfo:
            submit(public_actor, municipality, **overrides)
        assert field in errors_of(excinfo)
        assert all(errors_of(excinfo)[field])
        assert not Report.objects.exists()
        assert not AuditEntry.objects.exists()

    def test_a_category_group_cannot_be_chosen(self, public_actor: Any, municipality: Any) -> None:
        with pytest.raises(ValidationError) as excinfo:
            submit(public_actor, municipality, category=category("undermining"))
        assert "category" in errors_of(excinfo)

    def test_area_of_another_municipality_is_refused(
        self, public_actor: Any, municipality: Any
    ) -> None:
        elsewhere = AreaFactory(municipality=MunicipalityFactory(name="Delft", slug="delft"))
        with pytest.raises(ValidationError) as excinfo:
            submit(public_actor, municipality, area=elsewhere)
        assert "area" in errors_of(excinfo)

    def test_html_is_stored_as_typed_text(self, public_actor: Any, municipality: Any) -> None:
        text = "<script>alert('x')</script> bij de kassa gezien"
        report = submit(public_actor, municipality, description=text).report
        assert report.description == text  # escaped on output, never interpreted


class TestChannels:
    def test_portal_report_links_the_reporter_and_only_own_businesses(
        self, municipality: Any
    ) -> None:
        from weerbaar.accounts.policy import actor_for

        link = BusinessPersonFactory(business__area__municipality=municipality)
        actor = actor_for(link.person)
        report = submit(
            actor,
            municipality,
            channel=ReportChannel.PORTAL,
            reporter_email="",
            business=link.business,
        ).report
        assert report.reporter == link.person
        assert report.contact_email == link.person.email
        other = BusinessFactory(area__municipality=municipality)
        with pytest.raises(ValidationError) as excinfo:
            submit(actor, municipality, channel=ReportChannel.PORTAL, business=other)
        assert "business" in errors_of(excinfo)

    def test_staff_on_behalf_needs_the_permission(
        self, public_actor: Any, municipality: Any, gemeente: Any
    ) -> None:
        from weerbaar.accounts.policy import actor_for

        with pytest.raises(PermissionDenied):
            submit(public_actor, municipality, channel=ReportChannel.PHONE)
        staff = make_handler(gemeente, municipality)
        report = submit(
            actor_for(staff),
            municipality,
            channel=ReportChannel.EVENT,
            reporter_email="",
            reporter_name="Mevrouw Jansen",
        ).report
        assert report.entered_by == staff
        assert report.channel == ReportChannel.EVENT
        assert AuditEntry.objects.get(action="reports.report.submitted").actor == staff


def test_selectable_categories_are_the_leaves() -> None:
    codes = {c.code for c in selectable_categories()}
    assert "cannabis_farm" in codes
    assert "fire_safety" in codes
    assert "undermining" not in codes
    assert "cyber_fraud" not in codes


class TestConfigurationChanges:
    """The in-memory intake configuration follows every edit at once."""

    def test_a_new_rule_applies_to_the_next_report(
        self, public_actor: Any, municipality: Any, police: Any
    ) -> None:
        assert submit(public_actor, municipality).report.organisation is None
        from tests.reports.factories import RoutingRuleFactory

        rule = RoutingRuleFactory(municipality=municipality, organisation=police, team="Wijk")
        assert submit(public_actor, municipality).report.organisation == police
        rule.is_active = False
        rule.save()
        assert submit(public_actor, municipality).report.organisation is None

    def test_a_deactivated_category_cannot_be_chosen(
        self, public_actor: Any, municipality: Any
    ) -> None:
        graffiti = category("graffiti")
        graffiti.is_active = False
        graffiti.save()
        assert graffiti.pk not in {c.pk for c in selectable_categories()}
        with pytest.raises(ValidationError) as excinfo:
            submit(public_actor, municipality, category=graffiti)
        assert "category" in errors_of(excinfo)

    def test_a_group_without_active_children_becomes_choosable(self) -> None:
        from weerbaar.reports.models import ReportCategory

        ReportCategory.objects.filter(parent__code="property_crime").update(is_active=False)
        from weerbaar.reports.config import configuration_changed

        configuration_changed()
        assert "property_crime" in {c.code for c in selectable_categories()}
