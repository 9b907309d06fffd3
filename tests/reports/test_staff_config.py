"""Back office for the report configuration: routing rules (and the "which rule wins?" tool),
the category tree and the settings per municipality."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AreaFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
)
from tests.helpers import login_verified
from tests.reports.conftest import intake
from tests.reports.factories import RoutingRuleFactory, category
from weerbaar.accounts.models import OrganisationKind, Role
from weerbaar.accounts.policy import Actor, actor_for
from weerbaar.core.models import AuditEntry
from weerbaar.reports.models import MunicipalityReportSettings, ReportCategory, RoutingRule
from weerbaar.reports.services import configuration as service
from weerbaar.reports.services import selectable_categories, submit_report

pytestmark = pytest.mark.django_db

RULES = reverse("reports_staff:rule_list")
RULE_CREATE = reverse("reports_staff:rule_create")
REORDER = reverse("reports_staff:rule_reorder")
ROUTE_TEST = reverse("reports_staff:rule_test")
CATEGORIES = reverse("reports_staff:category_list")
CATEGORY_CREATE = reverse("reports_staff:category_create")
SETTINGS = reverse("reports_staff:settings_list")


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_verified(client, user)
    return client


def rule_url(name: str, rule: RoutingRule) -> str:
    return reverse(f"reports_staff:{name}", args=[rule.pk])


def category_url(code: str) -> str:
    return reverse("reports_staff:category_edit", args=[category(code).pk])


def settings_url(municipality: Any) -> str:
    return reverse("reports_staff:settings_edit", args=[municipality.pk])


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


@pytest.fixture
def delft(db: None) -> Any:
    return MunicipalityFactory(name="Delft", slug="delft")


@pytest.fixture
def admin(db: None) -> Any:
    return MembershipFactory(role=Role.PLATFORM_ADMIN).user


@pytest.fixture
def admin_client(admin: Any) -> Client:
    return client_for(admin)


@pytest.fixture
def oov(gemeente: Any, municipality: Any) -> Any:
    """Municipal staff of Breda."""
    return MembershipFactory(
        role=Role.MUNICIPAL_STAFF, organisation=gemeente, municipalities=[municipality]
    ).user


@pytest.fixture
def oov_client(oov: Any) -> Client:
    return client_for(oov)


@pytest.fixture
def gemeente_delft(delft: Any) -> Any:
    return OrganisationFactory(
        name="Gemeente Delft", kind=OrganisationKind.MUNICIPALITY, municipality=delft
    )


@pytest.fixture
def rules(municipality: Any, delft: Any, police: Any, gemeente: Any, gemeente_delft: Any) -> Any:
    """A rule for every municipality, one for Breda and one for Delft."""
    return {
        "everywhere": RoutingRuleFactory(
            priority=10, category=category("undermining"), organisation=police, team="Ondermijning"
        ),
        "breda": RoutingRuleFactory(
            priority=100, municipality=municipality, organisation=gemeente, team="OOV"
        ),
        "delft": RoutingRuleFactory(priority=100, municipality=delft, organisation=gemeente_delft),
    }


def rule_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "priority": "50",
        "category": "shoplifting",
        "municipality": "",
        "area": "",
        "organisation": "",
        "team": "Winkelteam",
        "is_active": "on",
    }
    data.update(overrides)
    return data


# --- permissions ----------------------------------------------------------------------------


class TestPermissions:
    @pytest.mark.parametrize("role", [Role.POLICE, Role.PARTNER_EXPERT])
    def test_other_staff_roles_may_not_open_the_configuration(
        self, role: Role, municipality: Any, rules: Any
    ) -> None:
        client = client_for(MembershipFactory(role=role, municipalities=[municipality]).user)
        for url in (
            RULES,
            RULE_CREATE,
            ROUTE_TEST,
            rule_url("rule_edit", rules["breda"]),
            CATEGORIES,
            SETTINGS,
            settings_url(municipality),
        ):
            assert client.get(url).status_code == 403, url
        assert client.post(REORDER, {}).status_code == 403

    def test_municipal_staff_may_not_edit_categories(
        self, oov_client: Client, municipality: Any
    ) -> None:
        assert oov_client.get(CATEGORIES).status_code == 403
        assert oov_client.get(CATEGORY_CREATE).status_code == 403
        assert oov_client.get(category_url("shoplifting")).status_code == 403
        response = oov_client.post(category_url("shoplifting"), {"name": "X"})
        assert response.status_code == 403
        assert category("shoplifting").name == "Winkeldiefstal"

    def test_anonymous_visitors_are_sent_to_log_in(self, client: Client) -> None:
        response = client.get(RULES)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_municipal_staff_see_their_rules_and_the_shared_ones_read_only(
        self, oov_client: Client, rules: Any
    ) -> None:
        response = oov_client.get(RULES)
        assert response.status_code == 200
        shown = [row.rule for row in response.context["rows"]]
        assert shown == [rules["everywhere"], rules["breda"]]
        editable = {row.rule.pk: row.editable for row in response.context["rows"]}
        assert editable == {rules["everywhere"].pk: False, rules["breda"].pk: True}
        assert rule_url("rule_edit", rules["everywhere"]).encode() not in response.content
        assert rule_url("rule_edit", rules["breda"]).encode() in response.content

    def test_rules_outside_the_scope_answer_404(self, oov_client: Client, rules: Any) -> None:
        for rule in (rules["delft"], rules["everywhere"]):
            assert oov_client.get(rule_url("rule_edit", rule)).status_code == 404
            assert oov_client.get(rule_url("rule_delete", rule)).status_code == 404
            assert oov_client.post(rule_url("rule_delete", rule)).status_code == 404
            response = oov_client.post(REORDER, {f"priority_{rule.pk}": "1"})
            assert response.status_code == 404
        assert RoutingRule.objects.count() == 3
        assert not AuditEntry.objects.exists()

    def test_municipal_staff_cannot_make_a_rule_for_every_municipality(
        self, oov_client: Client, oov: Any, police: Any, rules: Any
    ) -> None:
        response = oov_client.post(RULE_CREATE, rule_form(organisation=police.pk))
        assert response.status_code == 400
        assert "municipality" in response.context["form"].errors
        assert RoutingRule.objects.count() == 3
        with pytest.raises(PermissionDenied):
            service.create_routing_rule(actor_for(oov), organisation=police, priority=1)

    def test_municipal_staff_cannot_make_a_rule_for_another_municipality(
        self, oov_client: Client, oov: Any, delft: Any, gemeente_delft: Any
    ) -> None:
        response = oov_client.post(
            RULE_CREATE, rule_form(municipality=delft.pk, organisation=gemeente_delft.pk)
        )
        assert response.status_code == 400
        assert "municipality" in response.context["form"].errors
        with pytest.raises(Http404):
            service.create_routing_rule(
                actor_for(oov), municipality=delft, organisation=gemeente_delft, priority=1
            )
        assert not RoutingRule.objects.exists()

    def test_the_services_refuse_rules_outside_the_scope(self, oov: Any, rules: Any) -> None:
        actor = actor_for(oov)
        for rule in (rules["delft"], rules["everywhere"]):
            with pytest.raises(Http404):
                service.update_routing_rule(actor, rule, team="Overgenomen")
            with pytest.raises(Http404):
                service.delete_routing_rule(actor, rule)
            with pytest.raises(Http404):
                service.reorder_routing_rules(actor, {rule.pk: 1})
        assert RoutingRule.objects.count() == 3
        assert not RoutingRule.objects.filter(team="Overgenomen").exists()

    def test_municipal_staff_cannot_move_their_rule_elsewhere(
        self, oov: Any, rules: Any, delft: Any, police: Any
    ) -> None:
        rule = rules["breda"]
        with pytest.raises(PermissionDenied):
            service.update_routing_rule(
                actor_for(oov), rule, municipality=None, organisation=police
            )
        rule.refresh_from_db()
        assert rule.municipality is not None

    def test_area_scoped_staff_make_rules_for_their_areas_only(
        self, municipality: Any, area: Any, gemeente: Any
    ) -> None:
        other_area = AreaFactory(municipality=municipality, name="Haven")
        user = MembershipFactory(role=Role.MUNICIPAL_STAFF, areas=[area]).user
        actor = actor_for(user)
        with pytest.raises(ValidationError) as excinfo:
            service.create_routing_rule(
                actor, municipality=municipality, organisation=gemeente, priority=5
            )
        assert "area" in excinfo.value.message_dict
        with pytest.raises(ValidationError):
            service.create_routing_rule(
                actor, municipality=municipality, area=other_area, organisation=gemeente
            )
        elsewhere = AreaFactory(municipality=MunicipalityFactory(name="Delft"), name="Centrum")
        with pytest.raises(Http404):
            service.create_routing_rule(actor, area=elsewhere, organisation=gemeente)
        assert not RoutingRule.objects.exists()
        rule = service.create_routing_rule(
            actor, municipality=municipality, area=area, organisation=gemeente, priority=5
        )
        assert rule.area == area
        response = client_for(user).get(SETTINGS)
        assert response.status_code == 200
        assert response.context["rows"] == []
        assert client_for(user).get(settings_url(municipality)).status_code == 404

    def test_settings_of_another_municipality_answer_404(
        self, oov_client: Client, municipality: Any, delft: Any
    ) -> None:
        assert oov_client.get(settings_url(municipality)).status_code == 200
        assert oov_client.get(settings_url(delft)).status_code == 404
        response = oov_client.post(settings_url(delft), settings_form())
        assert response.status_code == 404
        assert not MunicipalityReportSettings.objects.exists()
        listed = [row.municipality for row in oov_client.get(SETTINGS).context["rows"]]
        assert listed == [municipality]

    def test_back_office_links_follow_the_policy(
        self, admin_client: Client, oov_client: Client, municipality: Any
    ) -> None:
        home = reverse("core:back_office")
        admin_page = admin_client.get(home).content.decode()
        staff_page = oov_client.get(home).content.decode()
        police = client_for(MembershipFactory(role=Role.POLICE, municipalities=[municipality]).user)
        police_page = police.get(home).content.decode()
        for url in (RULES, SETTINGS, CATEGORIES):
            assert url in admin_page
            assert url not in police_page
        assert RULES in staff_page
        assert SETTINGS in staff_page
        assert CATEGORIES not in staff_page


# --- routing rules --------------------------------------------------------------------------


class TestRuleForms:
    def test_admin_adds_a_rule_and_the_next_report_follows_it(
        self,
        admin_client: Client,
        public_actor: Actor,
        municipality: Any,
        rules: Any,
        police: Any,
    ) -> None:
        before = submit_report(public_actor, intake(municipality)).report
        assert before.team == "OOV"
        response = admin_client.post(
            RULE_CREATE,
            rule_form(municipality=municipality.pk, organisation=police.pk, priority="20"),
        )
        assert response.status_code == 302
        rule = RoutingRule.objects.get(team="Winkelteam")
        assert (rule.priority, rule.category, rule.municipality) == (
            20,
            category("shoplifting"),
            municipality,
        )
        entry = AuditEntry.objects.get(action="reports.routing_rule.create")
        assert entry.object_id == str(rule.pk)
        assert entry.changes["priority"] == [None, 20]
        assert entry.changes["team"] == [None, "Winkelteam"]
        after = submit_report(public_actor, intake(municipality)).report
        assert (after.organisation, after.team) == (police, "Winkelteam")

    def test_a_rule_edited_on_the_page_applies_to_the_next_report(
        self,
        oov_client: Client,
        public_actor: Actor,
        municipality: Any,
        rules: Any,
        gemeente: Any,
    ) -> None:
        rule = rules["breda"]
        assert oov_client.get(rule_url("rule_edit", rule)).status_code == 200
        response = oov_client.post(
            rule_url("rule_edit", rule),
            rule_form(
                municipality=municipality.pk,
                organisation=gemeente.pk,
                category="",
                priority="100",
                team="Veiligheid",
            ),
        )
        assert response.status_code == 302
        report = submit_report(public_actor, intake(municipality)).report
        assert report.team == "Veiligheid"
        entry = AuditEntry.objects.get(action="reports.routing_rule.update")
        assert entry.changes == {"team": ["OOV", "Veiligheid"]}

    def test_other_processes_are_not_waited_for(
        self,
        oov_client: Client,
        public_actor: Actor,
        municipality: Any,
        rules: Any,
        gemeente: Any,
        settings: Any,
    ) -> None:
        # However long a process would trust its snapshot, the one that saved reloads at once.
        settings.REPORT_CONFIGURATION_CHECK_SECONDS = 3600
        assert submit_report(public_actor, intake(municipality)).report.team == "OOV"
        oov_client.post(
            rule_url("rule_edit", rules["breda"]),
            rule_form(municipality=municipality.pk, organisation=gemeente.pk, team="Direct"),
        )
        assert submit_report(public_actor, intake(municipality)).report.team == "Direct"

    def test_html_in_the_team_is_shown_as_text(
        self, admin_client: Client, municipality: Any, police: Any
    ) -> None:
        response = admin_client.post(
            RULE_CREATE,
            rule_form(
                municipality=municipality.pk,
                organisation=police.pk,
                team="<script>alert(1)</script>",
            ),
        )
        assert response.status_code == 302
        page = admin_client.get(RULES).content
        assert b"<script>alert(1)</script>" not in page
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_absurd_ids_answer_404(self, admin_client: Client) -> None:
        huge = 10**30
        assert admin_client.get(f"{RULES}{huge}/wijzigen/").status_code == 404
        assert admin_client.post(f"{RULES}{huge}/verwijderen/").status_code == 404
        assert admin_client.get(f"{CATEGORIES}{huge}/wijzigen/").status_code == 404
        assert admin_client.get(f"{SETTINGS}{huge}/wijzigen/").status_code == 404
        assert admin_client.post(REORDER, {"priority_9999999999": "1"}).status_code == 404

    def test_deactivating_a_rule_stops_it_routing(
        self, oov_client: Client, public_actor: Actor, municipality: Any, rules: Any, gemeente: Any
    ) -> None:
        rule = rules["breda"]
        data = rule_form(municipality=municipality.pk, organisation=gemeente.pk, category="")
        del data["is_active"]
        assert oov_client.post(rule_url("rule_edit", rule), data).status_code == 302
        report = submit_report(public_actor, intake(municipality)).report
        assert report.organisation is None

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"priority": "-1"}, "priority"),
            ({"priority": "100000"}, "priority"),
            ({"priority": "eerste"}, "priority"),
            ({"category": "does_not_exist"}, "category"),
            ({"organisation": ""}, "organisation"),
            ({"team": "x" * 101}, "team"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_written(
        self,
        admin_client: Client,
        municipality: Any,
        police: Any,
        overrides: dict[str, Any],
        field: str,
    ) -> None:
        data = rule_form(municipality=municipality.pk, organisation=police.pk) | overrides
        response = admin_client.post(RULE_CREATE, data)
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert b"Nothing was saved" in response.content
        assert not RoutingRule.objects.exists()
        assert not AuditEntry.objects.exists()

    def test_area_must_lie_in_the_municipality(
        self, admin_client: Client, municipality: Any, delft: Any, police: Any
    ) -> None:
        elsewhere = AreaFactory(municipality=delft, name="Centrum")
        response = admin_client.post(
            RULE_CREATE,
            rule_form(municipality=municipality.pk, area=elsewhere.pk, organisation=police.pk),
        )
        assert response.status_code == 400
        assert response.context["form"].errors["area"] == [
            "This area is not in the chosen municipality."
        ]
        assert not RoutingRule.objects.exists()

    def test_organisation_must_work_in_the_municipality(
        self, admin_client: Client, municipality: Any, gemeente_delft: Any
    ) -> None:
        response = admin_client.post(
            RULE_CREATE, rule_form(municipality=municipality.pk, organisation=gemeente_delft.pk)
        )
        assert response.status_code == 400
        assert "another municipality" in response.context["form"].errors["organisation"][0]
        assert not RoutingRule.objects.exists()

    def test_municipal_staff_cannot_choose_an_organisation_of_another_municipality(
        self, oov_client: Client, municipality: Any, gemeente_delft: Any
    ) -> None:
        response = oov_client.post(
            RULE_CREATE, rule_form(municipality=municipality.pk, organisation=gemeente_delft.pk)
        )
        assert response.status_code == 400
        assert response.context["form"].errors["organisation"] == [
            "Choose one of the options in the list."
        ]

    def test_a_rule_for_every_municipality_needs_a_regional_organisation(
        self, admin_client: Client, gemeente: Any
    ) -> None:
        response = admin_client.post(RULE_CREATE, rule_form(organisation=gemeente.pk))
        assert response.status_code == 400
        assert "regional organisation" in response.context["form"].errors["organisation"][0]

    def test_a_rule_for_an_area_gets_the_area_municipality(
        self, admin_client: Client, municipality: Any, area: Any, police: Any
    ) -> None:
        response = admin_client.post(
            RULE_CREATE, rule_form(area=area.pk, organisation=police.pk, category="robbery")
        )
        assert response.status_code == 302
        assert RoutingRule.objects.get().municipality == municipality

    def test_delete_asks_first_then_deletes_with_an_audit_entry(
        self, oov_client: Client, public_actor: Actor, municipality: Any, rules: Any
    ) -> None:
        rule = rules["breda"]
        page = oov_client.get(rule_url("rule_delete", rule))
        assert page.status_code == 200
        assert b"Delete this rule" in page.content
        assert RoutingRule.objects.filter(pk=rule.pk).exists()
        response = oov_client.post(rule_url("rule_delete", rule))
        assert response.status_code == 302
        assert not RoutingRule.objects.filter(pk=rule.pk).exists()
        entry = AuditEntry.objects.get(action="reports.routing_rule.delete")
        assert entry.object_id == str(rule.pk)
        assert entry.changes["team"] == ["OOV", None]
        assert submit_report(public_actor, intake(municipality)).report.organisation is None

    def test_delete_is_post_only_for_the_change(self, oov_client: Client, rules: Any) -> None:
        oov_client.get(rule_url("rule_delete", rules["breda"]))
        assert RoutingRule.objects.count() == 3


class TestReorder:
    def test_priorities_are_saved_and_audited(
        self, oov_client: Client, public_actor: Actor, municipality: Any, rules: Any, police: Any
    ) -> None:
        second = RoutingRuleFactory(
            priority=200, municipality=municipality, organisation=police, team="Wijkagent"
        )
        response = oov_client.post(
            REORDER, {f"priority_{rules['breda'].pk}": "300", f"priority_{second.pk}": "50"}
        )
        assert response.status_code == 302
        assert RoutingRule.objects.get(pk=second.pk).priority == 50
        assert RoutingRule.objects.get(pk=rules["breda"].pk).priority == 300
        assert audit_actions() == ["reports.routing_rule.reorder"] * 2
        assert submit_report(public_actor, intake(municipality)).report.team == "Wijkagent"

    def test_unchanged_priorities_write_nothing(self, oov_client: Client, rules: Any) -> None:
        response = oov_client.post(REORDER, {f"priority_{rules['breda'].pk}": "100"})
        assert response.status_code == 302
        assert not AuditEntry.objects.exists()

    @pytest.mark.parametrize("value", ["-5", "", "tien", "100000"])
    def test_a_bad_priority_refuses_the_whole_order(
        self, oov_client: Client, municipality: Any, rules: Any, police: Any, value: str
    ) -> None:
        second = RoutingRuleFactory(priority=200, municipality=municipality, organisation=police)
        response = oov_client.post(
            REORDER, {f"priority_{second.pk}": "1", f"priority_{rules['breda'].pk}": value}
        )
        assert response.status_code == 400
        assert b"Nothing was saved" in response.content
        assert b'aria-invalid="true"' in response.content
        assert RoutingRule.objects.get(pk=second.pk).priority == 200
        assert not AuditEntry.objects.exists()

    def test_nothing_posted_is_bad_input(self, oov_client: Client, rules: Any) -> None:
        response = oov_client.post(REORDER, {})
        assert response.status_code == 400
        assert b"There were no priorities to save." in response.content

    def test_an_unknown_rule_answers_404(self, oov_client: Client, rules: Any) -> None:
        assert oov_client.post(REORDER, {"priority_999999": "1"}).status_code == 404

    def test_the_service_refuses_non_numbers(self, oov: Any, rules: Any) -> None:
        with pytest.raises(ValidationError):
            service.reorder_routing_rules(actor_for(oov), {rules["breda"].pk: "1"})


class TestRuleListQueries:
    def test_query_count_does_not_grow_with_the_rules(
        self, admin_client: Client, municipality: Any, area: Any, police: Any, gemeente: Any
    ) -> None:
        def add_rules(count: int) -> None:
            for number in range(count):
                RoutingRuleFactory(
                    priority=number,
                    category=category("robbery" if number % 2 else "phishing"),
                    municipality=municipality,
                    area=area if number % 3 else None,
                    organisation=police if number % 2 else gemeente,
                )

        add_rules(2)
        with CaptureQueriesContext(connection) as few:
            assert admin_client.get(RULES).status_code == 200
        add_rules(10)
        with CaptureQueriesContext(connection) as many:
            response = admin_client.get(RULES)
        assert len(response.context["rows"]) == 12
        assert len(many.captured_queries) == len(few.captured_queries)

    def test_filter_by_municipality(
        self, admin_client: Client, rules: Any, municipality: Any, delft: Any
    ) -> None:
        response = admin_client.get(RULES, {"gemeente": delft.pk})
        assert [row.rule for row in response.context["rows"]] == [
            rules["everywhere"],
            rules["delft"],
        ]
        assert admin_client.get(RULES, {"gemeente": "abc"}).status_code == 400


# --- the "which rule wins?" tool ------------------------------------------------------------


class TestRouteTest:
    def test_shows_the_winner_and_why_earlier_rules_do_not_match(
        self, oov_client: Client, municipality: Any, area: Any, rules: Any, police: Any
    ) -> None:
        area_rule = RoutingRuleFactory(
            priority=50, municipality=municipality, area=area, organisation=police, team="Wijk"
        )
        response = oov_client.get(
            ROUTE_TEST, {"category": "shoplifting", "municipality": municipality.pk}
        )
        assert response.status_code == 200
        trace = response.context["trace"]
        assert trace.winner == rules["breda"]
        checks = {check.rule.pk: check for check in trace.checks}
        assert [c.rule.pk for c in trace.checks] == [
            rules["everywhere"].pk,
            area_rule.pk,
            rules["breda"].pk,
        ]
        assert not checks[rules["everywhere"].pk].matches
        assert "Undermining crime" in checks[rules["everywhere"].pk].reasons[0]
        assert checks[area_rule.pk].reasons == (
            "Area: no area was given, the rule is for Binnenstad only.",
        )
        assert b"The rule with priority 100 wins" in response.content
        assert b"Received today, it would need a first response by" in response.content

        with_area = oov_client.get(
            ROUTE_TEST,
            {"category": "shoplifting", "municipality": municipality.pk, "area": area.pk},
        )
        assert with_area.context["trace"].winner == area_rule
        later = {c.rule.pk: c for c in with_area.context["trace"].checks}[rules["breda"].pk]
        assert (later.matches, later.tried) == (True, False)

    def test_a_group_rule_catches_its_categories(
        self, admin_client: Client, municipality: Any, rules: Any, police: Any
    ) -> None:
        response = admin_client.get(
            ROUTE_TEST, {"category": "cannabis_farm", "municipality": municipality.pk}
        )
        assert response.context["trace"].winner == rules["everywhere"]

    def test_without_a_matching_rule_it_says_so(
        self, admin_client: Client, municipality: Any
    ) -> None:
        response = admin_client.get(
            ROUTE_TEST, {"category": "shoplifting", "municipality": municipality.pk}
        )
        assert response.status_code == 200
        assert response.context["trace"].winner is None
        assert b"No rule matches" in response.content

    def test_it_sees_a_change_made_on_the_rule_page(
        self, oov_client: Client, municipality: Any, rules: Any, gemeente: Any
    ) -> None:
        query = {"category": "shoplifting", "municipality": municipality.pk}
        assert oov_client.get(ROUTE_TEST, query).context["trace"].winner.team == "OOV"
        oov_client.post(
            rule_url("rule_edit", rules["breda"]),
            rule_form(municipality=municipality.pk, organisation=gemeente.pk, team="Nieuw"),
        )
        assert oov_client.get(ROUTE_TEST, query).context["trace"].winner.team == "Nieuw"

    def test_bad_input(self, oov_client: Client, municipality: Any, delft: Any, rules: Any) -> None:
        elsewhere = AreaFactory(municipality=delft, name="Centrum")
        cases = [
            {"category": "shoplifting", "municipality": municipality.pk, "area": elsewhere.pk},
            {"category": "shoplifting", "municipality": delft.pk},
            {"category": "undermining", "municipality": municipality.pk},
            {"category": "nope", "municipality": municipality.pk},
            {"category": "shoplifting", "municipality": "x"},
        ]
        for query in cases:
            response = oov_client.get(ROUTE_TEST, query)
            assert response.status_code == 400, query
            assert response.context["trace"] is None
        assert oov_client.get(ROUTE_TEST).status_code == 200


# --- categories -----------------------------------------------------------------------------


def category_form(existing: str, **overrides: Any) -> dict[str, Any]:
    current = category(existing)
    data: dict[str, Any] = {
        "name": current.name,
        "name_en": current.name_en,
        "help_text": current.help_text,
        "help_text_en": current.help_text_en,
        "signals": current.signals,
        "signals_en": current.signals_en,
        "first_response_days": current.first_response_days,
        "feedback_days": current.feedback_days,
        "sort_order": current.sort_order,
    }
    if current.is_confidential:
        data["is_confidential"] = "on"
    if current.is_active:
        data["is_active"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def new_category_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "parent": category("property_crime").pk,
        "code": "bicycle_theft",
        "name": "Fietsendiefstal",
        "name_en": "Bicycle theft",
        "help_text": "Fietsen gestolen bij uw zaak?",
        "signals": "Mensen die met een tang rondlopen\n\n  Fietsen die in busjes verdwijnen ",
        "first_response_days": "2",
        "feedback_days": "10",
        "sort_order": "5",
        "is_active": "on",
    }
    data.update(overrides)
    return data


class TestCategories:
    def test_the_tree_is_listed(self, admin_client: Client) -> None:
        response = admin_client.get(CATEGORIES)
        assert response.status_code == 200
        groups = {entry.group.code: entry for entry in response.context["groups"]}
        assert "drug_lab" in [c.code for c in groups["undermining"].children]
        assert groups["fire_safety"].children == []

    def test_texts_signals_and_deadlines_are_edited_and_audited(self, admin_client: Client) -> None:
        assert admin_client.get(category_url("shoplifting")).status_code == 200
        response = admin_client.post(
            category_url("shoplifting"),
            category_form(
                "shoplifting",
                name="Winkeldiefstal of zakkenrollerij",
                help_text="Iemand neemt spullen mee.",
                signals="Grote lege tassen\n\nGroepjes die afleiden",
                first_response_days="3",
                feedback_days="15",
            )
            | {"code": "hacked", "parent": category("undermining").pk},
        )
        assert response.status_code == 302
        changed = category("shoplifting")
        assert changed.name == "Winkeldiefstal of zakkenrollerij"
        assert changed.signal_list == ["Grote lege tassen", "Groepjes die afleiden"]
        assert (changed.first_response_days, changed.feedback_days) == (3, 15)
        entry = AuditEntry.objects.get(action="reports.category.update")
        assert entry.changes["feedback_days"] == [10, 15]
        assert not ReportCategory.objects.filter(code="hacked").exists()
        assert changed.parent == category("property_crime")
        picked = {c.code: c for c in selectable_categories()}
        assert picked["shoplifting"].name == "Winkeldiefstal of zakkenrollerij"

    def test_new_deadlines_apply_to_the_next_report(
        self, admin_client: Client, public_actor: Actor, municipality: Any, time_machine: Any
    ) -> None:
        time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC))  # Monday
        admin_client.post(
            category_url("shoplifting"),
            category_form("shoplifting", first_response_days="1", feedback_days="5"),
        )
        report = submit_report(public_actor, intake(municipality)).report
        assert report.first_response_due == datetime.date(2026, 6, 2)
        assert report.feedback_due == datetime.date(2026, 6, 8)

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"first_response_days": "0"}, "first_response_days"),
            ({"first_response_days": "61"}, "first_response_days"),
            ({"feedback_days": "0"}, "feedback_days"),
            ({"feedback_days": "251"}, "feedback_days"),
            ({"first_response_days": "5", "feedback_days": "2"}, "feedback_days"),
            ({"name": ""}, "name"),
            ({"name_en": ""}, "name_en"),
            ({"help_text": "x" * 1501}, "help_text"),
            ({"sort_order": "-1"}, "sort_order"),
        ],
    )
    def test_bad_input_is_refused(
        self, admin_client: Client, overrides: dict[str, Any], field: str
    ) -> None:
        response = admin_client.post(
            category_url("shoplifting"), category_form("shoplifting", **overrides)
        )
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert category("shoplifting").feedback_days == 10
        assert not AuditEntry.objects.exists()

    def test_a_category_is_added_to_a_group(self, admin_client: Client) -> None:
        group = category("property_crime")
        form = admin_client.get(CATEGORY_CREATE, {"groep": group.pk}).context["form"]
        assert form.initial["parent"] == group.pk
        response = admin_client.post(CATEGORY_CREATE, new_category_form())
        assert response.status_code == 302
        added = category("bicycle_theft")
        assert added.parent == group
        assert (
            added.signals == "Mensen die met een tang rondlopen\nFietsen die in busjes verdwijnen"
        )
        assert "bicycle_theft" in [c.code for c in selectable_categories()]
        entry = AuditEntry.objects.get(action="reports.category.create")
        assert entry.changes["code"] == [None, "bicycle_theft"]

    def test_a_new_group(self, admin_client: Client) -> None:
        response = admin_client.post(
            CATEGORY_CREATE, new_category_form(parent="", code="animal_welfare")
        )
        assert response.status_code == 302
        assert category("animal_welfare").parent is None
        assert "animal_welfare" in [c.code for c in selectable_categories()]

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"code": "shoplifting"}, "code"),
            ({"code": "SHOPLIFTING"}, "code"),
            ({"code": "with space"}, "code"),
            ({"code": "trailing_"}, "code"),
            ({"code": ""}, "code"),
            ({"parent": "drug_lab"}, "parent"),
            ({"first_response_days": "0"}, "first_response_days"),
            ({"feedback_days": "1000"}, "feedback_days"),
        ],
    )
    def test_bad_new_categories_are_refused(
        self, admin_client: Client, overrides: dict[str, Any], field: str
    ) -> None:
        if overrides.get("parent") == "drug_lab":
            overrides = {"parent": category("drug_lab").pk}
        count = ReportCategory.objects.count()
        response = admin_client.post(CATEGORY_CREATE, new_category_form(**overrides))
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert ReportCategory.objects.count() == count
        assert not AuditEntry.objects.exists()

    def test_the_service_keeps_the_tree_two_levels_deep(self, admin: Any) -> None:
        with pytest.raises(ValidationError) as excinfo:
            service.create_category(
                actor_for(admin),
                parent=category("drug_lab"),
                code="deeper",
                name="Dieper",
                name_en="Deeper",
            )
        assert "parent" in excinfo.value.message_dict

    def test_deactivating_a_category_stops_offering_it(self, admin_client: Client) -> None:
        data = category_form("graffiti")
        del data["is_active"]
        assert admin_client.post(category_url("graffiti"), data).status_code == 302
        assert "graffiti" not in [c.code for c in selectable_categories()]
        assert not category("graffiti").is_active

    def test_the_last_active_category_of_a_group_cannot_be_deactivated(
        self, admin_client: Client
    ) -> None:
        group = category("property_crime")
        group.children.exclude(code="theft").update(is_active=False)
        data = category_form("theft")
        del data["is_active"]
        response = admin_client.post(category_url("theft"), data)
        assert response.status_code == 400
        assert "Deactivate the group instead" in response.context["form"].errors["is_active"][0]
        assert category("theft").is_active
        assert "property_crime" not in [c.code for c in selectable_categories()]

    def test_deactivating_and_activating_a_group_takes_its_categories_along(
        self, admin_client: Client
    ) -> None:
        data = category_form("cyber_fraud")
        del data["is_active"]
        assert admin_client.post(category_url("cyber_fraud"), data).status_code == 302
        group = category("cyber_fraud")
        assert not group.children.filter(is_active=True).exists()
        codes = [c.code for c in selectable_categories()]
        assert "cyber_fraud" not in codes
        assert "phishing" not in codes
        entries = AuditEntry.objects.filter(action="reports.category.update")
        assert entries.count() == 1 + group.children.count()

        child = category_form("phishing", is_active="on")
        response = admin_client.post(category_url("phishing"), child)
        assert response.status_code == 400
        assert "Activate the group first" in response.context["form"].errors["is_active"][0]

        again = category_form("cyber_fraud", is_active="on")
        assert admin_client.post(category_url("cyber_fraud"), again).status_code == 302
        codes = [c.code for c in selectable_categories()]
        assert "phishing" in codes
        assert "cyber_fraud" not in codes

    def test_an_active_category_cannot_be_added_to_a_deactivated_group(
        self, admin_client: Client
    ) -> None:
        ReportCategory.objects.filter(code="property_crime").update(is_active=False)
        ReportCategory.objects.filter(parent__code="property_crime").update(is_active=False)
        response = admin_client.post(CATEGORY_CREATE, new_category_form())
        assert response.status_code == 400
        assert "is_active" in response.context["form"].errors


# --- settings per municipality --------------------------------------------------------------


def settings_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "retention_days": "730",
        "retention_mode": "delete",
        "reopen_window_days": "60",
        "close_resolved_after_days": "21",
        "closed_days": "2026-12-24\n2026-12-31",
    }
    data.update(overrides)
    return data


class TestSettings:
    def test_defaults_are_shown_until_saved(self, admin_client: Client, municipality: Any) -> None:
        response = admin_client.get(SETTINGS)
        assert response.status_code == 200
        [row] = response.context["rows"]
        assert row.is_default
        form = admin_client.get(settings_url(municipality)).context["form"]
        assert form.initial["retention_days"] == 365

    def test_municipal_staff_save_their_settings(
        self, oov_client: Client, municipality: Any
    ) -> None:
        response = oov_client.post(
            settings_url(municipality),
            settings_form(closed_days="2026-12-31, 2026-12-24\n2026-12-24"),
        )
        assert response.status_code == 302
        saved = MunicipalityReportSettings.objects.get(municipality=municipality)
        assert (saved.retention_days, saved.retention_mode) == (730, "delete")
        assert (saved.reopen_window_days, saved.close_resolved_after_days) == (60, 21)
        assert saved.closed_days == ["2026-12-24", "2026-12-31"]
        entry = AuditEntry.objects.get(action="reports.municipality_settings.update")
        assert entry.changes["retention_days"] == [365, 730]
        form = oov_client.get(settings_url(municipality)).context["form"]
        assert form["closed_days"].value() == "2026-12-24\n2026-12-31"

    def test_closed_days_move_the_next_report_deadlines(
        self,
        oov_client: Client,
        public_actor: Actor,
        municipality: Any,
        time_machine: Any,
    ) -> None:
        time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC))  # Monday
        first = submit_report(public_actor, intake(municipality)).report
        assert first.first_response_due == datetime.date(2026, 6, 3)
        oov_client.post(
            settings_url(municipality), settings_form(closed_days="2026-06-02\n2026-06-03")
        )
        second = submit_report(public_actor, intake(municipality)).report
        assert second.first_response_due == datetime.date(2026, 6, 5)

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"closed_days": "24-12-2026"}, "closed_days"),
            ({"closed_days": "2026-02-30"}, "closed_days"),
            ({"closed_days": "1999-12-31"}, "closed_days"),
            ({"retention_days": "10"}, "retention_days"),
            ({"retention_days": "4000"}, "retention_days"),
            ({"retention_days": ""}, "retention_days"),
            ({"retention_mode": "shred"}, "retention_mode"),
            ({"reopen_window_days": "-1"}, "reopen_window_days"),
            ({"reopen_window_days": "366"}, "reopen_window_days"),
            ({"close_resolved_after_days": "0"}, "close_resolved_after_days"),
        ],
    )
    def test_bad_input_is_refused(
        self, admin_client: Client, municipality: Any, overrides: dict[str, Any], field: str
    ) -> None:
        response = admin_client.post(settings_url(municipality), settings_form(**overrides))
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert b"Nothing was saved" in response.content
        assert not MunicipalityReportSettings.objects.exists()
        assert not AuditEntry.objects.exists()

    def test_too_many_closed_days(self, admin_client: Client, municipality: Any) -> None:
        start = datetime.date(2026, 1, 1)
        days = "\n".join(str(start + datetime.timedelta(days=n)) for n in range(101))
        response = admin_client.post(settings_url(municipality), settings_form(closed_days=days))
        assert response.status_code == 400
        assert "at most 100" in response.context["form"].errors["closed_days"][0]

    def test_the_service_checks_closed_days_itself(self, admin: Any, municipality: Any) -> None:
        with pytest.raises(ValidationError) as excinfo:
            service.update_municipality_settings(
                actor_for(admin), municipality, closed_days=["morgen"]
            )
        assert "closed_days" in excinfo.value.message_dict
        assert not MunicipalityReportSettings.objects.exists()
