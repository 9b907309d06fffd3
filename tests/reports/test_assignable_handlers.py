"""The assign list's database filter agrees with the permission policy, person by person."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import AreaFactory, MembershipFactory, MunicipalityFactory, OrganisationFactory
from tests.reports.conftest import make_handler
from tests.reports.factories import ReportFactory, category
from weerbaar.accounts.models import OrganisationKind, Role
from weerbaar.accounts.policy import Action, actor_for, can
from weerbaar.reports.views_staff import assignable_handlers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["shoplifting", "cannabis_farm"])
def test_filter_matches_policy(code: str, municipality: Any, gemeente: Any, police: Any) -> None:
    centre, park = AreaFactory(municipality=municipality), AreaFactory(municipality=municipality)
    delft = MunicipalityFactory(name="Delft", slug="delft")
    people = [
        make_handler(gemeente, municipality),
        make_handler(gemeente, municipality, confidential=True),
        make_handler(police, municipality, role=Role.POLICE, areas=[centre]),
        make_handler(police, municipality, role=Role.POLICE, areas=[park], confidential=True),
        make_handler(gemeente, delft, confidential=True),
        MembershipFactory(
            organisation=OrganisationFactory(kind=OrganisationKind.PLATFORM_OPERATOR),
            role=Role.PLATFORM_ADMIN,
        ).user,
        MembershipFactory(role=Role.PARTNER_EXPERT, municipalities=[municipality]).user,
    ]
    report = ReportFactory(municipality=municipality, area=centre, category=category(code))
    allowed = {u.pk for u in people if can(actor_for(u), Action.HANDLE_REPORT, report)}
    assert allowed  # the world is not empty for either kind of report
    assert set(assignable_handlers(report).values_list("pk", flat=True)) == allowed
