"""Back office for the report configuration: routing rules (with the "which rule wins?"
tool), the category tree and the settings per municipality.

Routing rules and settings need MANAGE_REPORT_CONFIGURATION: platform administrators for
everything, municipal staff for their own municipality (rules for every municipality are
listed for them, read-only, because they decide routing there too). Categories need
MANAGE_REPORT_CATEGORIES. Objects are looked up in what the policy scopes to the actor, so
an object outside the scope answers 404 and a role without the action 403. Every write calls
`reports.services.configuration`; invalid input re-renders the page with status 400 and
nothing written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from weerbaar.accounts.policy import Action
from weerbaar.network.forms_staff import StaffForm
from weerbaar.network.models import Area, Municipality
from weerbaar.network.views_staff import Crumbs, StaffFormView, StaffView
from weerbaar.reports.forms_staff_config import (
    CategoryForm,
    MunicipalitySettingsForm,
    NewCategoryForm,
    ReorderForm,
    RouteTestForm,
    RoutingRuleForm,
    RuleFilterForm,
)
from weerbaar.reports.models import MunicipalityReportSettings, ReportCategory, RoutingRule
from weerbaar.reports.services import configuration

RULES_TEMPLATE = "reports/staff_config/rule_list.html"


def rule_crumbs() -> Crumbs:
    return [(reverse("reports_staff:rule_list"), _("Routing rules"))]


def category_crumbs() -> Crumbs:
    return [(reverse("reports_staff:category_list"), _("Report categories"))]


def settings_crumbs() -> Crumbs:
    return [(reverse("reports_staff:settings_list"), _("Report settings per municipality"))]


def all_categories() -> list[ReportCategory]:
    return list(ReportCategory.objects.order_by("sort_order", "code"))


class ConfigFormView(StaffFormView):
    """A configuration form; `intro` is shown above it (what the page changes)."""

    template_name = "reports/staff_config/form.html"

    def intro(self) -> str:
        return ""

    def render_page(self, context: dict[str, Any], status: int = 200) -> HttpResponse:
        context.setdefault("intro", self.intro())
        return super().render_page(context, status)


# --- routing rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    rule: RoutingRule
    editable: bool
    field_name: str
    value: Any
    errors: list[str]


class RuleListView(StaffView):
    """All rules that can apply where the actor works, in the order they are tried; the
    priority column is a form that reorders them."""

    permission_action = Action.MANAGE_REPORT_CONFIGURATION
    template_name = RULES_TEMPLATE

    def render_rules(self, reorder: ReorderForm | None = None, status: int = 200) -> HttpResponse:
        filter_form = RuleFilterForm(
            self.request.GET or None,
            municipalities=configuration.rule_municipalities(self.actor).order_by("name"),
        )
        valid = not filter_form.is_bound or filter_form.is_valid()
        municipality = filter_form.cleaned_data.get("gemeente") if filter_form.is_bound else None
        rules = list(configuration.rules_for_actor(self.actor, municipality if valid else None))
        editable = [rule for rule in rules if configuration.can_manage_rule(self.actor, rule)]
        editable_ids = {rule.pk for rule in editable}
        if reorder is None:
            reorder = ReorderForm(rules=editable)
        rows = []
        for rule in rules:
            name = ReorderForm.field_name(rule)
            # After a refused POST the form holds only the posted rules: the others show
            # their saved priority.
            bound = reorder[name] if name in reorder.fields else None
            rows.append(
                RuleRow(
                    rule=rule,
                    editable=rule.pk in editable_ids,
                    field_name=name,
                    value=bound.value() if bound is not None else rule.priority,
                    errors=[str(e) for e in bound.errors] if bound is not None else [],
                )
            )
        return self.render_page(
            {
                "rows": rows,
                "reorder_form": reorder,
                "can_reorder": bool(editable),
                "filter_form": filter_form,
                "query_string": self.request.GET.urlencode(),
            },
            status=400 if not valid else status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_rules()


PRIORITY_KEY = re.compile(r"^priority_(\d{1,10})$")


class RuleReorderView(RuleListView):
    """POST: new priorities for the rules on the page. Errors: the list again, status 400."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [int(m.group(1)) for key in request.POST if (m := PRIORITY_KEY.match(key))]
        rules = list(RoutingRule.objects.filter(pk__in=ids))
        if len(rules) != len(set(ids)) or not all(
            configuration.can_manage_rule(self.actor, rule) for rule in rules
        ):
            raise Http404
        form = ReorderForm(request.POST, rules=rules)
        if not rules:
            form.add_error(None, _("There were no priorities to save."))
        elif form.is_valid():
            try:
                changed = configuration.reorder_routing_rules(self.actor, form.priorities())
            except ValidationError as error:
                for key, problems in error.message_dict.items():
                    field = f"priority_{key}" if f"priority_{key}" in form.fields else None
                    for problem in problems:
                        form.add_error(field, problem)
            else:
                messages.success(
                    request,
                    ngettext(
                        "The order was saved: %(count)s rule changed.",
                        "The order was saved: %(count)s rules changed.",
                        changed,
                    )
                    % {"count": changed},
                )
                url = reverse("reports_staff:rule_list")
                return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
        return self.render_rules(form, status=400)


class RuleCreateView(ConfigFormView):
    permission_action = Action.MANAGE_REPORT_CONFIGURATION
    title = gettext_lazy("New routing rule")
    submit_label = gettext_lazy("Add rule")
    success_message = gettext_lazy("The routing rule was added. It applies to new reports.")
    rule: RoutingRule | None = None

    def breadcrumbs(self) -> Crumbs:
        return rule_crumbs()

    def intro(self) -> str:
        return _(
            "A new report goes to the organisation of the first active rule (lowest priority "
            "number) whose conditions all match. Empty conditions match everything."
        )

    def get_form(self, data: Any = None) -> StaffForm:
        initial: dict[str, Any] = {"priority": 100, "is_active": True}
        if (value := self.request.GET.get("gemeente", "")).isdigit():
            initial["municipality"] = int(value)
        return RoutingRuleForm(
            data,
            instance=self.rule,
            initial={} if self.rule else initial,
            categories=all_categories(),
            municipalities=configuration.rule_municipalities(self.actor).order_by("name"),
            areas=configuration.rule_areas(self.actor),
            organisations=configuration.rule_organisations(self.actor),
            platform_wide=configuration.manages_every_municipality(self.actor),
        )

    def perform(self, form: StaffForm) -> RoutingRule:
        return configuration.create_routing_rule(self.actor, **form.values())

    def success_url(self, obj: RoutingRule) -> str:
        return reverse("reports_staff:rule_list")


def scoped_rule(view: StaffView, pk: int) -> RoutingRule:
    rules = view.scoped(
        RoutingRule.objects.select_related(
            "category__parent", "municipality", "area", "organisation"
        )
    )
    return get_object_or_404(rules, pk=pk)


class RuleEditView(RuleCreateView):
    submit_label = gettext_lazy("Save changes")
    success_message = gettext_lazy("The changes were saved. They apply to new reports.")

    def load(self) -> None:
        self.rule = scoped_rule(self, self.kwargs["pk"])

    def get_title(self) -> str:
        return _("Edit routing rule")

    def perform(self, form: StaffForm) -> RoutingRule:
        assert self.rule is not None
        return configuration.update_routing_rule(self.actor, self.rule, **form.values())


class RuleDeleteView(StaffView):
    """GET asks for confirmation; POST deletes."""

    permission_action = Action.MANAGE_REPORT_CONFIGURATION
    template_name = "reports/staff_config/rule_delete.html"

    def breadcrumbs(self) -> Crumbs:
        return rule_crumbs()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page({"rule": scoped_rule(self, pk)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = scoped_rule(self, pk)
        try:
            configuration.delete_routing_rule(self.actor, rule)
        except ValidationError as error:
            return self.render_page({"rule": rule, "errors": error.messages}, status=400)
        messages.success(request, _("The routing rule was deleted."))
        return redirect("reports_staff:rule_list")


class RouteTestView(StaffView):
    """Which rule would route a report of this category, here? Uses the intake's own
    configuration and routing, so what it shows is what the next report gets."""

    permission_action = Action.MANAGE_REPORT_CONFIGURATION
    template_name = "reports/staff_config/rule_test.html"

    def breadcrumbs(self) -> Crumbs:
        return rule_crumbs()

    def get(self, request: HttpRequest) -> HttpResponse:
        municipalities = configuration.rule_municipalities(self.actor).order_by("name")
        form = RouteTestForm(
            request.GET or None,
            categories=all_categories(),
            municipalities=municipalities,
            areas=Area.objects.filter(municipality__in=municipalities)
            .select_related("municipality")
            .order_by("municipality__name", "name"),
        )
        trace, status = None, 200
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            trace = configuration.trace_route(
                data["category"], data["municipality"], data["area"], timezone.localdate()
            )
        elif form.is_bound:
            status = 400
        return self.render_page(
            {
                "form": form,
                "trace": trace,
                "chosen": form.cleaned_data if trace else None,
                "editable_ids": {
                    check.rule.pk
                    for check in (trace.checks if trace else ())
                    if configuration.can_manage_rule(self.actor, check.rule)
                },
            },
            status=status,
        )


# --- categories -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryGroup:
    group: ReportCategory
    children: list[ReportCategory]


class CategoryListView(StaffView):
    permission_action = Action.MANAGE_REPORT_CATEGORIES
    template_name = "reports/staff_config/category_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        categories = all_categories()
        children: dict[int, list[ReportCategory]] = {}
        for category in categories:
            if category.parent_id is not None:
                children.setdefault(category.parent_id, []).append(category)
        groups = [
            CategoryGroup(group=c, children=children.get(c.pk, []))
            for c in categories
            if c.parent_id is None
        ]
        return self.render_page({"groups": groups})


class CategoryCreateView(ConfigFormView):
    permission_action = Action.MANAGE_REPORT_CATEGORIES
    title = gettext_lazy("New report category")
    submit_label = gettext_lazy("Add category")
    success_message = gettext_lazy("The category was added.")

    def breadcrumbs(self) -> Crumbs:
        return category_crumbs()

    def groups(self) -> QuerySet[ReportCategory]:
        return ReportCategory.objects.filter(parent__isnull=True).order_by("sort_order", "code")

    def get_form(self, data: Any = None) -> StaffForm:
        initial: dict[str, Any] = {"is_active": True, "first_response_days": 2, "sort_order": 0}
        initial["feedback_days"] = 10
        value = self.request.GET.get("groep", "")
        group = self.groups().filter(pk=int(value)).first() if value.isdigit() else None
        if group is not None:
            # A new category usually handles like the rest of its group.
            initial |= {
                "parent": group.pk,
                "is_confidential": group.is_confidential,
                "first_response_days": group.first_response_days,
                "feedback_days": group.feedback_days,
            }
        return NewCategoryForm(data, initial=initial, groups=self.groups())

    def perform(self, form: StaffForm) -> ReportCategory:
        return configuration.create_category(self.actor, **form.values())

    def success_url(self, obj: ReportCategory) -> str:
        return reverse("reports_staff:category_list")


class CategoryEditView(ConfigFormView):
    permission_action = Action.MANAGE_REPORT_CATEGORIES
    submit_label = gettext_lazy("Save changes")
    success_message = gettext_lazy("The changes were saved.")

    def load(self) -> None:
        self.category = get_object_or_404(
            ReportCategory.objects.select_related("parent"), pk=self.kwargs["pk"]
        )

    def breadcrumbs(self) -> Crumbs:
        return category_crumbs()

    def get_title(self) -> str:
        return _("Edit category %(name)s") % {"name": self.category.label}

    def intro(self) -> str:
        parent = self.category.parent
        if parent is None:
            return _("Code: %(code)s. This is a group.") % {"code": self.category.code}
        return _("Code: %(code)s. Group: %(group)s.") % {
            "code": self.category.code,
            "group": parent.label,
        }

    def get_form(self, data: Any = None) -> StaffForm:
        return CategoryForm(data, instance=self.category)

    def perform(self, form: StaffForm) -> ReportCategory:
        return configuration.update_category(self.actor, self.category, **form.values())

    def success_url(self, obj: ReportCategory) -> str:
        return reverse("reports_staff:category_list")


# --- settings per municipality --------------------------------------------------------------


@dataclass(frozen=True)
class SettingsRow:
    municipality: Municipality
    settings: MunicipalityReportSettings
    is_default: bool


class SettingsListView(StaffView):
    permission_action = Action.MANAGE_REPORT_CONFIGURATION
    template_name = "reports/staff_config/settings_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        municipalities = (
            configuration.manageable_municipalities(self.actor)
            .select_related("report_settings")
            .order_by("name")
        )
        page = self.paginate(municipalities)
        rows = []
        for municipality in page:
            saved = getattr(municipality, "report_settings", None)
            rows.append(
                SettingsRow(
                    municipality=municipality,
                    settings=saved or MunicipalityReportSettings(municipality=municipality),
                    is_default=saved is None,
                )
            )
        return self.render_page(
            {"rows": rows, "page_obj": page, "query_string": self.query_string()}
        )


class SettingsEditView(ConfigFormView):
    permission_action = Action.MANAGE_REPORT_CONFIGURATION
    submit_label = gettext_lazy("Save settings")
    success_message = gettext_lazy("The settings were saved.")

    def load(self) -> None:
        self.municipality = get_object_or_404(
            configuration.manageable_municipalities(self.actor), pk=self.kwargs["pk"]
        )

    def breadcrumbs(self) -> Crumbs:
        return settings_crumbs()

    def get_title(self) -> str:
        return _("Report settings of %(name)s") % {"name": self.municipality.name}

    def intro(self) -> str:
        return _(
            "How long closed reports are kept, how long reporters may ask to reopen, when "
            "resolved reports close by themselves, and on which extra days the municipality "
            "is closed (deadlines skip them)."
        )

    def get_form(self, data: Any = None) -> StaffForm:
        return MunicipalitySettingsForm(
            data, instance=configuration.settings_for(self.municipality)
        )

    def perform(self, form: StaffForm) -> MunicipalityReportSettings:
        return configuration.update_municipality_settings(
            self.actor, self.municipality, **form.values()
        )

    def success_url(self, obj: MunicipalityReportSettings) -> str:
        return reverse("reports_staff:settings_list")
