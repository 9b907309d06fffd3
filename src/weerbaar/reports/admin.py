"""Django admin for platform operators: the report configuration as data, reports read-only.

Administrators and municipal staff edit categories, routing rules and the settings per
municipality in the back office (`/beheer/meldingen/instellingen/`, through
`services/configuration.py` and its checks). This admin is the operators' fallback (Django
`is_staff` accounts only), audited like every admin change (`AuditedAdmin`). Reports
themselves are handled in the back office through the services; here they are only
listed, and a confidential report never shows its content.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from weerbaar.accounts.admin import AuditedAdmin
from weerbaar.reports.models import (
    MunicipalityReportSettings,
    Report,
    ReportCategory,
    RoutingRule,
)

SUMMARY_LENGTH = 80


@admin.register(ReportCategory)
class ReportCategoryAdmin(AuditedAdmin[ReportCategory]):
    list_display = (
        "code",
        "name",
        "parent",
        "is_confidential",
        "first_response_days",
        "feedback_days",
        "sort_order",
        "is_active",
    )
    list_editable = ("first_response_days", "feedback_days", "sort_order")
    list_filter = ("parent", "is_confidential", "is_active")
    list_select_related = ("parent",)
    search_fields = ("code", "name", "name_en")
    ordering = ("sort_order", "code")
    fieldsets = (
        (None, {"fields": ("code", "parent", "sort_order", "is_active")}),
        (_("Texts"), {"fields": ("name", "name_en", "help_text", "help_text_en")}),
        (_("Signals"), {"fields": ("signals", "signals_en")}),
        (
            _("Handling"),
            {"fields": ("is_confidential", "first_response_days", "feedback_days")},
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Routing rules, the demo and the API refer to categories by code.
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Reports keep their category for ever (figures, retention); deactivate instead.
        return False


class RoutingRuleForm(forms.ModelForm[RoutingRule]):
    class Meta:
        model = RoutingRule
        fields = (
            "priority",
            "category",
            "municipality",
            "area",
            "organisation",
            "team",
            "is_active",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        area, municipality = cleaned.get("area"), cleaned.get("municipality")
        if (
            area is not None
            and municipality is not None
            and area.municipality_id != municipality.pk
        ):
            self.add_error("area", _("This area is not in the chosen municipality."))
        organisation = cleaned.get("organisation")
        if (
            organisation is not None
            and organisation.municipality_id is not None
            and municipality is not None
            and organisation.municipality_id != municipality.pk
        ):
            self.add_error(
                "organisation", _("Choose an organisation that works in this municipality.")
            )
        return cleaned


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin[RoutingRule]):
    form = RoutingRuleForm
    list_display = (
        "__str__",
        "priority",
        "category",
        "municipality",
        "area",
        "organisation",
        "team",
        "is_active",
    )
    list_display_links = ("__str__",)
    list_editable = ("priority", "is_active")
    list_filter = ("is_active", "municipality", "organisation", "category__parent")
    list_select_related = ("category", "municipality", "area", "organisation")
    search_fields = ("team", "organisation__name", "category__name", "municipality__name")
    autocomplete_fields = ("category", "municipality", "area", "organisation")
    ordering = ("priority", "id")


class MunicipalityReportSettingsForm(forms.ModelForm[MunicipalityReportSettings]):
    class Meta:
        model = MunicipalityReportSettings
        fields = (
            "municipality",
            "retention_days",
            "retention_mode",
            "reopen_window_days",
            "closed_days",
        )

    def clean_closed_days(self) -> list[str]:
        value = self.cleaned_data.get("closed_days") or []
        if not isinstance(value, list):
            raise forms.ValidationError(_('Enter a list of dates, e.g. ["2026-12-24"].'))
        days = []
        for item in value:
            try:
                days.append(datetime.date.fromisoformat(str(item)))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": item}
                ) from None
        return sorted({day.isoformat() for day in days})


@admin.register(MunicipalityReportSettings)
class MunicipalityReportSettingsAdmin(AuditedAdmin[MunicipalityReportSettings]):
    form = MunicipalityReportSettingsForm
    list_display = ("municipality", "retention_days", "retention_mode", "reopen_window_days")
    list_filter = ("retention_mode",)
    list_select_related = ("municipality",)
    search_fields = ("municipality__name",)
    autocomplete_fields = ("municipality",)


# Shown for every report; the content fields only for reports that are not confidential.
REPORT_FIELDS = (
    "reference",
    "municipality",
    "area",
    "category",
    "is_confidential",
    "status",
    "channel",
    "is_anonymous",
    "organisation",
    "team",
    "assignee",
    "created_at",
    "first_response_due",
    "first_response_at",
    "feedback_due",
    "feedback_at",
    "closed_at",
    "is_satisfied",
    "anonymised_at",
)
REPORT_CONTENT_FIELDS = ("description", "location_text", "occurred_at")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    """Read-only. Reports change only through the services (back office, API, tasks), so
    the workflow, audit trail and feedback to the reporter cannot be bypassed here."""

    list_display = (
        "reference",
        "created_at",
        "municipality",
        "category",
        "status",
        "channel",
        "organisation",
        "is_anonymous",
        "summary",
    )
    list_filter = ("status", "municipality", "channel", "is_confidential", "category__parent")
    list_select_related = ("municipality", "category", "organisation")
    search_fields = ("reference",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    show_full_result_count = False  # a COUNT(*) over 100,000+ reports on every page

    @admin.display(description=_("summary"))
    def summary(self, report: Report) -> str:
        if report.is_confidential:
            return str(_("Confidential: only in the back office"))
        text = " ".join(report.description.split())
        return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Report]:
        return super().get_queryset(request).defer("satisfaction_comment")

    def get_fields(self, request: HttpRequest, obj: Report | None = None) -> tuple[str, ...]:
        if obj is not None and obj.is_confidential:
            return REPORT_FIELDS
        return (*REPORT_FIELDS, *REPORT_CONTENT_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.get_fields(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
