"""factory_boy factories for the reports models."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from tests.factories import MunicipalityFactory, OrganisationFactory
from weerbaar.reports.models import (
    MunicipalityReportSettings,
    Report,
    ReportCategory,
    ReportChannel,
    ReportEvent,
    RoutingRule,
)


def category(code: str) -> ReportCategory:
    """A category of the seeded tree (the data migration loads it in every test database)."""
    return ReportCategory.objects.get(code=code)


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    organisation = factory.SubFactory(OrganisationFactory)
    priority = 100


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    reference = factory.Sequence(lambda n: f"M26-T{n:05d}")
    municipality = factory.SubFactory(MunicipalityFactory)
    category = factory.LazyFunction(lambda: category("shoplifting"))
    is_confidential = factory.LazyAttribute(lambda o: o.category.is_confidential)
    description = "Twee mannen namen flessen mee zonder te betalen."
    occurred_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=2))
    location_text = "Grote Markt 1"
    channel = ReportChannel.WEB
    reporter_email = factory.Sequence(lambda n: f"melder{n}@example.nl")
    first_response_due = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=2)
    )
    feedback_due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))


class ReportEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportEvent

    report = factory.SubFactory(ReportFactory)
    kind = "internal_note"
    text = "Notitie"


class MunicipalityReportSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MunicipalityReportSettings

    municipality = factory.SubFactory(MunicipalityFactory)
