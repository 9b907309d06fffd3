"""Forms of the report configuration pages: routing rules, the "which rule wins?" tool,
categories and the settings per municipality.

They parse input into the keyword arguments of `reports.services.configuration` and narrow
the choices to what the actor may use; the service checks everything again (scope, the area
in the municipality, the organisation working there, deadlines, codes) and its
`ValidationError`s are shown on the same fields (`StaffForm.show_errors`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.utils import get_blank_choice_label
from django.utils.translation import gettext_lazy as _

from weerbaar.accounts.models import Organisation
from weerbaar.network.forms_staff import SELECT, StaffForm
from weerbaar.network.models import Area, Municipality
from weerbaar.reports.forms_staff import AreaChoiceField
from weerbaar.reports.models import MunicipalityReportSettings, ReportCategory, RoutingRule
from weerbaar.reports.services.configuration import (
    CATEGORY_CREATE_FIELDS,
    CATEGORY_FIELDS,
    MAX_CLOSED_DAYS,
    MAX_HELP_TEXT,
    MAX_PRIORITY,
    MAX_SIGNALS_TEXT,
    MAX_SORT_ORDER,
    RULE_FIELDS,
    SETTINGS_FIELDS,
)

INVALID_CHOICE = _("Choose one of the options in the list.")


def _inactive(category: ReportCategory, label: str) -> str:
    return label if category.is_active else str(_("%(label)s (deactivated)") % {"label": label})


class CategoryTreeField(forms.ChoiceField):
    """A category chosen by code from the tree: groups with their categories beneath them.
    Cleans to the `ReportCategory` (or None when empty and not required)."""

    def __init__(
        self,
        *,
        categories: Iterable[ReportCategory],
        empty_label: Any = None,
        leaves_only: bool = False,
        **kwargs: Any,
    ) -> None:
        self.by_code = {c.code: c for c in categories}
        super().__init__(
            choices=self._choices(leaves_only, empty_label),
            widget=forms.Select(attrs={"class": SELECT.attrs["class"]}),
            **kwargs,
        )
        self.error_messages["invalid_choice"] = INVALID_CHOICE

    def _choices(self, leaves_only: bool, empty_label: Any) -> list[Any]:
        categories = list(self.by_code.values())
        children: dict[int, list[ReportCategory]] = {}
        for category in categories:
            if category.parent_id is not None:
                children.setdefault(category.parent_id, []).append(category)
        choices: list[Any] = [("", empty_label or get_blank_choice_label())]
        for group in (c for c in categories if c.parent_id is None):
            kids = children.get(group.pk, [])
            if leaves_only and kids:
                # An option group: reporters choose one of its categories, never the group.
                options = [(c.code, _inactive(c, c.label)) for c in kids]
                choices.append((group.label, options))
            elif leaves_only:
                choices.append((group.code, _inactive(group, group.label)))
            else:
                whole = str(_("%(group)s (whole group)") % {"group": group.label}) if kids else ""
                choices.append((group.code, _inactive(group, whole or group.label)))
                choices.extend((c.code, "— " + _inactive(c, c.label)) for c in kids)
        return choices

    def clean(self, value: Any) -> ReportCategory | None:
        code = super().clean(value)
        return self.by_code.get(code) if code else None


def _limit(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset
    field.error_messages["invalid_choice"] = INVALID_CHOICE


class OrganisationChoiceField(forms.ModelChoiceField[Organisation]):
    def label_from_instance(self, obj: Organisation) -> str:
        if obj.municipality_id is None:
            return str(_("%(name)s (regional)") % {"name": obj.name})
        assert obj.municipality is not None
        return f"{obj.name} ({obj.municipality.name})"


class RoutingRuleForm(StaffForm):
    """One routing rule. `platform_wide` says whether the actor may leave the municipality
    empty (a rule for every municipality)."""

    model = RoutingRule
    field_names = RULE_FIELDS

    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        max_value=MAX_PRIORITY,
        help_text=_("Rules are tried from the lowest number up; the first that matches wins."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False
    )
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False)
    organisation = OrganisationChoiceField(
        label=_("Handling organisation"), queryset=Organisation.objects.none()
    )
    team = forms.CharField(
        label=_("Team"),
        max_length=100,
        required=False,
        help_text=_("Optional. For example “OOV” or “Ondermijning”."),
    )

    def __init__(
        self,
        *args: Any,
        categories: Iterable[ReportCategory],
        municipalities: QuerySet[Municipality],
        areas: QuerySet[Area],
        organisations: QuerySet[Organisation],
        platform_wide: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        categories = list(categories)
        self.fields["category"] = CategoryTreeField(
            label=_("Category or group"),
            categories=categories,
            empty_label=_("Every category"),
            required=False,
            help_text=_("A rule for a group applies to every category in the group."),
        )
        # The field takes codes; an edited rule's initial value is the category's id.
        codes = {c.pk: c.code for c in categories}
        initial = self.initial.get("category")
        if isinstance(initial, ReportCategory):
            initial = initial.pk
        self.initial["category"] = codes.get(initial) if isinstance(initial, int) else initial
        _limit(self, "municipality", municipalities)
        _limit(self, "area", areas)
        _limit(self, "organisation", organisations)
        municipality = self.fields["municipality"]
        assert isinstance(municipality, forms.ModelChoiceField)
        if platform_wide:
            municipality.empty_label = _("Every municipality")
            municipality.help_text = _(
                "Empty: the rule applies in every municipality and needs a regional organisation."
            )
        else:
            municipality.required = True
        area = self.fields["area"]
        assert isinstance(area, forms.ModelChoiceField)
        area.empty_label = _("Every area")
        area.help_text = _("Optional. The area must lie in the chosen municipality.")
        self.fields["organisation"].help_text = _(
            "An organisation of the rule's municipality, or a regional one."
        )
        self.fields["is_active"].help_text = _("Inactive rules are skipped.")
        self.order_fields(RULE_FIELDS)

    def clean_team(self) -> str:
        return str(self.cleaned_data.get("team") or "").strip()


class ReorderForm(forms.Form):
    """The priority column of the routing page: one number per rule the actor may change."""

    def __init__(self, *args: Any, rules: Iterable[RoutingRule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for rule in rules:
            self.fields[self.field_name(rule)] = forms.IntegerField(
                label=_("Priority"),
                min_value=0,
                max_value=MAX_PRIORITY,
                initial=rule.priority,
                error_messages={
                    "required": _("Enter a priority."),
                    "invalid": _("Enter a whole number."),
                    "min_value": _("Enter a priority from 0 to %(max)s.") % {"max": MAX_PRIORITY},
                    "max_value": _("Enter a priority from 0 to %(max)s.") % {"max": MAX_PRIORITY},
                },
            )

    @staticmethod
    def field_name(rule: RoutingRule) -> str:
        return f"priority_{rule.pk}"

    def priorities(self) -> dict[int, int]:
        return {
            int(name.removeprefix("priority_")): value for name, value in self.cleaned_data.items()
        }


class RuleFilterForm(StaffForm):
    """The routing page's filter (GET): the rules that can apply in one municipality."""

    gemeente = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "gemeente", municipalities)
        field = self.fields["gemeente"]
        assert isinstance(field, forms.ModelChoiceField)
        field.empty_label = _("All municipalities")


class RouteTestForm(StaffForm):
    """The "which rule wins?" tool (GET)."""

    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none()
    )
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False)

    def __init__(
        self,
        *args: Any,
        categories: Iterable[ReportCategory],
        municipalities: QuerySet[Municipality],
        areas: QuerySet[Area],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = CategoryTreeField(
            label=_("Category"), categories=categories, leaves_only=True
        )
        _limit(self, "municipality", municipalities)
        _limit(self, "area", areas)
        area = self.fields["area"]
        assert isinstance(area, forms.ModelChoiceField)
        area.empty_label = _("No area (only the municipality is known)")
        self.order_fields(("category", "municipality", "area"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        area, municipality = cleaned.get("area"), cleaned.get("municipality")
        if (
            area is not None
            and municipality is not None
            and area.municipality_id != municipality.pk
        ):
            self.add_error("area", _("This area is not in the chosen municipality."))
        return cleaned


# --- categories -----------------------------------------------------------------------------


class CategoryForm(StaffForm):
    """A category's texts, signals and handling. The code and group only when adding one."""

    model = ReportCategory
    field_names: tuple[str, ...] = CATEGORY_FIELDS

    help_text = forms.CharField(
        label=_("Help text (Dutch)"),
        required=False,
        max_length=MAX_HELP_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to reporters under the category."),
    )
    help_text_en = forms.CharField(
        label=_("Help text (English)"),
        required=False,
        max_length=MAX_HELP_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signals = forms.CharField(
        label=_("Signals to recognise (Dutch)"),
        required=False,
        max_length=MAX_SIGNALS_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One signal per line, shown to reporters as a checklist."),
    )
    signals_en = forms.CharField(
        label=_("Signals to recognise (English)"),
        required=False,
        max_length=MAX_SIGNALS_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    first_response_days = forms.IntegerField(
        label=_("First response within (working days)"), min_value=1, max_value=60
    )
    feedback_days = forms.IntegerField(
        label=_("Feedback within (working days)"),
        min_value=1,
        max_value=250,
        help_text=_("Deadlines apply to reports received from now on."),
    )
    sort_order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=MAX_SORT_ORDER,
        help_text=_("Lower numbers come first."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["is_confidential"].help_text = _(
            "Only staff designated for confidential reports see these reports. Applies to "
            "reports received from now on."
        )
        self.fields["is_active"].help_text = _(
            "Deactivated categories are no longer offered to reporters; their reports stay. "
            "Deactivating or activating a group does the same to its categories."
        )


class NewCategoryForm(CategoryForm):
    field_names: tuple[str, ...] = CATEGORY_CREATE_FIELDS

    code = forms.SlugField(
        label=_("Code"),
        max_length=60,
        help_text=_(
            "Lower-case letters, digits and underscores, for example “bicycle_theft”. "
            "Cannot be changed later: routing rules and the API use it."
        ),
    )

    def __init__(self, *args: Any, groups: QuerySet[ReportCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = forms.ModelChoiceField(
            label=_("Group"),
            queryset=groups,
            required=False,
            empty_label=_("None: this is a new group"),
            widget=forms.Select(attrs={"class": SELECT.attrs["class"]}),
            help_text=_(
                "Reporters choose a category within a group; a group without categories is "
                "a choice itself."
            ),
        )
        _limit(self, "parent", groups)
        self.order_fields(self.field_names)

    def clean_code(self) -> str:
        return str(self.cleaned_data.get("code") or "").strip().lower()


# --- settings per municipality --------------------------------------------------------------

DATE_SEPARATORS = re.compile(r"[\s,;]+")


class ClosedDaysField(forms.CharField):
    """Extra closed days typed one per line (YYYY-MM-DD); cleans to a list of dates."""

    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})

    def to_python(self, value: Any) -> list[datetime.date]:  # type: ignore[override]
        text = super().to_python(value) or ""
        days: list[datetime.date] = []
        for item in DATE_SEPARATORS.split(text.strip()):
            if not item:
                continue
            try:
                days.append(datetime.date.fromisoformat(item))
            except ValueError:
                raise ValidationError(
                    _("“%(value)s” is not a date in the form YYYY-MM-DD."),
                    code="invalid_date",
                    params={"value": item[:20]},
                ) from None
        if len(set(days)) > MAX_CLOSED_DAYS:
            raise ValidationError(
                _("Enter at most %(max)s closed days."),
                code="too_many",
                params={"max": MAX_CLOSED_DAYS},
            )
        return days

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(day) for day in value)
        return value


class MunicipalitySettingsForm(StaffForm):
    model = MunicipalityReportSettings
    field_names = SETTINGS_FIELDS

    retention_days = forms.IntegerField(
        label=_("Keep closed reports for (days)"),
        min_value=30,
        max_value=3650,
        help_text=_("From 30 to 3650 days. After that a daily task applies the choice below."),
    )
    reopen_window_days = forms.IntegerField(
        label=_("Reporters may ask to reopen within (days)"),
        min_value=0,
        max_value=365,
        help_text=_("From 0 to 365 days after closing."),
    )
    close_resolved_after_days = forms.IntegerField(
        label=_("Close resolved reports without a verdict after (days)"),
        min_value=1,
        max_value=365,
        help_text=_("From 1 to 365 days."),
    )
    closed_days = ClosedDaysField(
        label=_("Extra closed days"),
        required=False,
        help_text=_(
            "One date per line (YYYY-MM-DD), besides the public holidays. Deadlines of new "
            "reports skip these days."
        ),
    )
