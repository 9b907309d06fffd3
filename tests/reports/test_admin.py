"""Django admin for operators: configuration editable and audited, reports read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpers import login_verified
from tests.reports.factories import (
    MunicipalityReportSettingsFactory,
    ReportFactory,
    RoutingRuleFactory,
    category,
)
from weerbaar.core.models import AuditEntry
from weerbaar.reports.models import MunicipalityReportSettings, ReportCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client: Client) -> Client:
    user = UserFactory(is_staff=True, is_superuser=True)
    login_verified(client, user)
    return client


def test_every_list_opens(operator: Client, municipality: Any) -> None:
    RoutingRuleFactory(category=category("undermining"), municipality=municipality)
    MunicipalityReportSettingsFactory(municipality=municipality)
    ReportFactory(municipality=municipality)
    for model in ("reportcategory", "routingrule", "municipalityreportsettings", "report"):
        response = operator.get(reverse(f"admin:reports_{model}_changelist"))
        assert response.status_code == 200, model


def test_deadlines_are_edited_and_audited(operator: Client) -> None:
    robbery = category("robbery")
    url = reverse("admin:reports_reportcategory_change", args=[robbery.pk])
    form = operator.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(parent=robbery.parent_id, first_response_days=2, feedback_days=15)
    response = operator.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    robbery.refresh_from_db()
    assert (robbery.first_response_days, robbery.feedback_days) == (2, 15)
    assert AuditEntry.objects.filter(action="admin.reportcategory.update").exists()
    # Categories are never deleted (reports keep them); they are deactivated.
    delete = reverse("admin:reports_reportcategory_delete", args=[robbery.pk])
    assert operator.get(delete).status_code == 403


def test_closed_days_must_be_dates(operator: Client, municipality: Any) -> None:
    response = operator.post(
        reverse("admin:reports_municipalityreportsettings_add"),
        {
            "municipality": municipality.pk,
            "retention_days": 365,
            "retention_mode": "anonymise",
            "reopen_window_days": 30,
            "closed_days": '["2026-12-24", "morgen"]',
        },
    )
    assert response.status_code == 200
    assert not MunicipalityReportSettings.objects.exists()


def test_reports_are_read_only_and_confidential_content_stays_hidden(
    operator: Client, municipality: Any
) -> None:
    secret = "Hennepkwekerij boven de kapsalon"
    confidential = ReportFactory.create(
        municipality=municipality, category=category("cannabis_farm"), description=secret
    )
    ordinary = ReportFactory.create(
        municipality=municipality, description="Fietsendiefstal bij station"
    )

    listing = operator.get(reverse("admin:reports_report_changelist")).content.decode()
    assert secret not in listing
    assert "Fietsendiefstal" in listing
    detail = operator.get(reverse("admin:reports_report_change", args=[confidential.pk]))
    assert detail.status_code == 200
    assert secret not in detail.content.decode()
    assert (
        "Fietsendiefstal"
        in operator.get(reverse("admin:reports_report_change", args=[ordinary.pk])).content.decode()
    )
    assert operator.get(reverse("admin:reports_report_add")).status_code == 403
    assert (
        operator.get(reverse("admin:reports_report_delete", args=[ordinary.pk])).status_code == 403
    )
    assert ReportCategory.objects.filter(code="cannabis_farm", is_confidential=True).exists()
