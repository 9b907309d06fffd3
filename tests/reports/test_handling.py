"""Handling services: transitions, feedback, concurrency, confidentiality, forwarding."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from tests.factories import (
    AmbassadorFactory,
    AreaFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.reports.conftest import intake, make_handler
from tests.reports.factories import ReportFactory, category
from weerbaar.accounts.models import OrganisationKind, Role
from weerbaar.accounts.policy import Action, actor_for, can, scope_queryset
from weerbaar.core.models import AuditEntry
from weerbaar.reports import services
from weerbaar.reports.models import EventKind, Report, ReportStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(municipality: Any) -> Report:
    return ReportFactory(municipality=municipality)


def move(actor_user: Any, report: Report, target: str, **kwargs: Any) -> Report:
    report.refresh_from_db()
    return services.transition_report(
        actor_for(actor_user), report, target, version=report.version, **kwargs
    )


class TestTransitions:
    def test_full_path_to_feedback_emails_the_reporter(
        self,
        oov: Any,
        report: Report,
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        move(oov, report, ReportStatus.TRIAGE)
        move(oov, report, ReportStatus.IN_PROGRESS)
        assert report.first_response_at is not None
        with django_capture_on_commit_callbacks(execute=True):
            move(oov, report, ReportStatus.RESOLVED, text="De politie heeft de daders aangehouden.")
        report.refresh_from_db()
        assert report.status == ReportStatus.RESOLVED
        assert report.feedback_at is not None
        assert mailoutbox[-1].to == [report.reporter_email]
        assert "aangehouden" in mailoutbox[-1].body
        statuses = list(
            report.events.filter(kind=EventKind.STATUS_CHANGED).values_list("to_status", flat=True)
        )
        assert statuses == ["triage", "in_progress", "resolved"]
        assert AuditEntry.objects.filter(action="reports.report.transitioned").count() == 3

    def test_resolving_without_feedback_is_refused(self, oov: Any, report: Report) -> None:
        with pytest.raises(ValidationError) as excinfo:
            move(oov, report, ReportStatus.RESOLVED, text="  ")
        assert "text" in excinfo.value.message_dict
        report.refresh_from_db()
        assert report.status == ReportStatus.RECEIVED
        assert report.version == 1

    def test_a_transition_not_in_the_table_is_refused(self, oov: Any, report: Report) -> None:
        with pytest.raises(ValidationError) as excinfo:
            move(oov, report, ReportStatus.CLOSED)
        assert excinfo.value.code == "transition_not_allowed"

    def test_stale_version_is_refused_and_writes_nothing(self, oov: Any, report: Report) -> None:
        actor = actor_for(oov)
        services.transition_report(actor, report, ReportStatus.TRIAGE, version=1)
        stale = Report.objects.get(pk=report.pk)
        stale.version = 1
        with pytest.raises(ValidationError) as excinfo:
            services.transition_report(actor, stale, ReportStatus.IN_PROGRESS, version=1)
        assert excinfo.value.code == "stale"
        assert Report.objects.get(pk=report.pk).status == ReportStatus.TRIAGE
        assert report.events.filter(kind=EventKind.STATUS_CHANGED).count() == 1

    def test_question_puts_the_report_on_the_reporter(self, oov: Any, report: Report) -> None:
        move(oov, report, ReportStatus.IN_PROGRESS)
        move(oov, report, ReportStatus.WAITING_FOR_REPORTER, text="Welke kleur had de auto?")
        services.reporter_reply(report, "Een grijze bestelbus.")
        report.refresh_from_db()
        assert report.status == ReportStatus.IN_PROGRESS

    def test_duplicate_gets_the_original_feedback(
        self,
        oov: Any,
        municipality: Any,
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        original = ReportFactory(municipality=municipality)
        duplicate = ReportFactory(municipality=municipality)
        move(oov, duplicate, ReportStatus.DUPLICATE, text="Al gemeld.", duplicate_of=original)
        with django_capture_on_commit_callbacks(execute=True):
            move(oov, original, ReportStatus.RESOLVED, text="Opgelost door de gemeente.")
        recipients = {m.to[0] for m in mailoutbox if "Opgelost" in m.body}
        assert recipients == {original.reporter_email, duplicate.reporter_email}

    def test_duplicate_checks(self, oov: Any, municipality: Any, report: Report) -> None:
        with pytest.raises(ValidationError):
            move(oov, report, ReportStatus.DUPLICATE, text="x", duplicate_of=report)
        other_town = ReportFactory(municipality=MunicipalityFactory(name="Delft", slug="delft"))
        with pytest.raises(ValidationError) as excinfo:
            move(oov, report, ReportStatus.DUPLICATE, text="x", duplicate_of=other_town)
        assert "duplicate_of" in excinfo.value.message_dict

    def test_two_handlers_at_the_same_moment_one_wins(
        self, oov: Any, report: Report, transactional_db: Any
    ) -> None:
        if connection.vendor == "sqlite":
            pytest.skip("SQLite serialises writers; the conditional update is tested above")
        results: list[str] = []

        def act(target: str) -> None:
            try:
                services.transition_report(
                    actor_for(oov),
                    Report.objects.get(pk=report.pk),
                    target,
                    version=1,
                    text="Afgehandeld.",
                )
                results.append("ok")
            except ValidationError as error:
                results.append(error.code or "")
            finally:
                connection.close()

        threads = [
            threading.Thread(target=act, args=(ReportStatus.IN_PROGRESS,)),
            threading.Thread(target=act, args=(ReportStatus.RESOLVED,)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == ["ok", "stale"]
        assert Report.objects.get(pk=report.pk).version == 2


class TestOtherActions:
    def test_internal_note_is_not_visible_to_the_reporter(self, oov: Any, report: Report) -> None:
        note = services.add_internal_note(actor_for(oov), report, "Bekende dader, zie BVH.")
        assert not note.is_visible_to_reporter

    def test_message_counts_as_first_response(self, oov: Any, report: Report) -> None:
        services.message_reporter(actor_for(oov), report, "We kijken ernaar.", version=1)
        report.refresh_from_db()
        assert report.first_response_at is not None
        assert report.version == 2

    def test_assign_only_to_someone_who_may_handle_it(
        self, oov: Any, report: Report, gemeente: Any, municipality: Any
    ) -> None:
        colleague = make_handler(gemeente, municipality)
        services.assign_report(actor_for(oov), report, colleague, version=1)
        assert Report.objects.get(pk=report.pk).assignee == colleague
        outsider = make_handler(gemeente, MunicipalityFactory(name="Delft", slug="delft"))
        with pytest.raises(ValidationError):
            services.assign_report(actor_for(oov), report, outsider, version=2)

    def test_forward_needs_a_reason_and_changes_the_organisation(
        self, oov: Any, report: Report, police: Any
    ) -> None:
        with pytest.raises(ValidationError):
            services.forward_report(actor_for(oov), report, police, reason="", version=1)
        services.forward_report(
            actor_for(oov), report, police, team="Wijkteam", reason="Strafbaar feit", version=1
        )
        report.refresh_from_db()
        assert report.organisation == police
        assert report.status == ReportStatus.FORWARDED
        assert report.events.get(kind=EventKind.FORWARDED).text == "Strafbaar feit"


class TestAccess:
    def test_staff_of_another_municipality_gets_404(self, report: Report, gemeente: Any) -> None:
        delft = make_handler(gemeente, MunicipalityFactory(name="Delft", slug="delft"))
        with pytest.raises(Http404):
            move(delft, report, ReportStatus.TRIAGE)

    def test_ambassador_and_entrepreneur_get_403(self, report: Report, area: Any) -> None:
        ambassador = AmbassadorFactory(area=area).person
        with pytest.raises(PermissionDenied):
            move(ambassador, report, ReportStatus.TRIAGE)

    def test_area_scoped_officer_sees_only_their_area(self, municipality: Any, police: Any) -> None:
        centre = AreaFactory(municipality=municipality)
        park = AreaFactory(municipality=municipality)
        officer = make_handler(police, municipality, role=Role.POLICE, areas=[centre])
        in_centre = ReportFactory(municipality=municipality, area=centre)
        ReportFactory(municipality=municipality, area=park)
        visible = scope_queryset(actor_for(officer), Action.VIEW_REPORT, Report.objects.all())
        assert list(visible) == [in_centre]


class TestConfidentiality:
    @pytest.fixture
    def undermining(self, municipality: Any, public_actor: Any) -> Report:
        return services.submit_report(
            public_actor, intake(municipality, category=category("cannabis_farm"))
        ).report

    def visible_to(self, user: Any, report: Report) -> bool:
        actor = actor_for(user)
        in_queryset = (
            scope_queryset(actor, Action.VIEW_REPORT, Report.objects.all())
            .filter(pk=report.pk)
            .exists()
        )
        assert in_queryset == can(actor, Action.VIEW_REPORT, report)
        return in_queryset

    def test_only_designated_staff_see_undermining(
        self,
        undermining: Report,
        oov: Any,
        designated_officer: Any,
        police: Any,
        municipality: Any,
        area: Any,
    ) -> None:
        plain_officer = make_handler(police, municipality, role=Role.POLICE)
        admin = UserFactory()
        MembershipFactory(
            user=admin,
            organisation=OrganisationFactory(kind=OrganisationKind.PLATFORM_OPERATOR),
            role=Role.PLATFORM_ADMIN,
        )
        ambassador = AmbassadorFactory(area=area).person
        assert self.visible_to(designated_officer, undermining)
        assert not self.visible_to(oov, undermining)
        assert not self.visible_to(plain_officer, undermining)
        assert not self.visible_to(admin, undermining)
        assert not self.visible_to(ambassador, undermining)

    def test_designation_in_another_municipality_does_not_count(
        self, undermining: Report, police: Any, municipality: Any
    ) -> None:
        delft = MunicipalityFactory(name="Delft", slug="delft")
        user = UserFactory()
        MembershipFactory(
            user=user, organisation=police, role=Role.POLICE, municipalities=[municipality]
        )
        MembershipFactory(
            user=user,
            organisation=OrganisationFactory(),
            role=Role.MUNICIPAL_STAFF,
            municipalities=[delft],
            handles_confidential_reports=True,
        )
        assert not self.visible_to(user, undermining)

    def test_every_view_of_a_confidential_report_is_audited(
        self, undermining: Report, designated_officer: Any
    ) -> None:
        actor = actor_for(designated_officer)
        services.record_confidential_view(actor, undermining)
        services.record_confidential_view(actor, undermining)
        entries = AuditEntry.objects.filter(action="reports.report.viewed")
        assert entries.count() == 2
        assert entries.first().actor == designated_officer  # type: ignore[union-attr]

    def test_non_confidential_views_are_not_audited(self, report: Report, oov: Any) -> None:
        services.record_confidential_view(actor_for(oov), report)
        assert not AuditEntry.objects.filter(action="reports.report.viewed").exists()
