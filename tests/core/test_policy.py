"""The permission policy decides by role and scope; these pin down its rules."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.factories import (
    AmbassadorFactory,
    AreaFactory,
    BusinessFactory,
    BusinessPersonFactory,
    MembershipFactory,
    MunicipalityFactory,
    UserFactory,
)
from weerbaar.accounts.models import Role
from weerbaar.accounts.policy import Action, actor_for, can, require, scope_queryset
from weerbaar.network.models import Area, Business, Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_municipalities() -> dict:
    breda = MunicipalityFactory(name="Breda", slug="breda")
    delft = MunicipalityFactory(name="Delft", slug="delft")
    return {
        "breda": breda,
        "delft": delft,
        "breda_centre": AreaFactory(municipality=breda, name="Binnenstad", slug="binnenstad"),
        "breda_park": AreaFactory(municipality=breda, name="Hazeldonk", slug="hazeldonk"),
        "delft_centre": AreaFactory(municipality=delft, name="Centrum", slug="centrum"),
    }


def test_municipal_staff_sees_only_their_municipality(two_municipalities: dict) -> None:
    membership = MembershipFactory(municipalities=[two_municipalities["breda"]])
    actor = actor_for(membership.user)
    in_breda = BusinessFactory(area=two_municipalities["breda_park"])
    in_delft = BusinessFactory(area=two_municipalities["delft_centre"])

    assert can(actor, Action.MANAGE_BUSINESS, in_breda)
    assert not can(actor, Action.MANAGE_BUSINESS, in_delft)
    visible = scope_queryset(actor, Action.VIEW_BUSINESS, Business.objects.all())
    assert list(visible) == [in_breda]
    with pytest.raises(Http404):
        require(actor, Action.VIEW_BUSINESS, in_delft)


def test_area_scoped_police_sees_their_area_and_its_municipality_only(
    two_municipalities: dict,
) -> None:
    membership = MembershipFactory(role=Role.POLICE, areas=[two_municipalities["breda_centre"]])
    actor = actor_for(membership.user)

    areas = scope_queryset(actor, Action.VIEW_AREA, Area.objects.all())
    assert list(areas) == [two_municipalities["breda_centre"]]
    municipalities = scope_queryset(actor, Action.VIEW_MUNICIPALITY, Municipality.objects.all())
    assert list(municipalities) == [two_municipalities["breda"]]
    assert not can(actor, Action.MANAGE_BUSINESS)
    with pytest.raises(PermissionDenied):
        require(actor, Action.MANAGE_AREA)


def test_platform_admin_sees_everything(two_municipalities: dict) -> None:
    actor = actor_for(MembershipFactory(role=Role.PLATFORM_ADMIN).user)
    assert scope_queryset(actor, Action.VIEW_AREA, Area.objects.all()).count() == 3
    assert can(actor, Action.VIEW_AUDIT_LOG)


def test_entrepreneur_and_ambassador_roles_follow_from_the_registry(
    two_municipalities: dict,
) -> None:
    link = BusinessPersonFactory(business=BusinessFactory(area=two_municipalities["breda_centre"]))
    AmbassadorFactory(person=link.person, area=two_municipalities["breda_centre"])
    actor = actor_for(link.person)

    assert actor.roles == {Role.ENTREPRENEUR, Role.AMBASSADOR}
    assert not actor.is_staff_member
    assert can(actor, Action.USE_PORTAL)
    assert not can(actor, Action.ACCESS_BACK_OFFICE)
    assert not can(actor, Action.VIEW_BUSINESS)


def test_inactive_membership_grants_nothing(two_municipalities: dict) -> None:
    membership = MembershipFactory(municipalities=[two_municipalities["breda"]], is_active=False)
    assert actor_for(membership.user).roles == frozenset()


def test_anonymous_user_has_no_roles() -> None:
    from django.contrib.auth.models import AnonymousUser

    actor = actor_for(AnonymousUser())
    assert not actor.is_authenticated
    assert not can(actor, Action.VIEW_MUNICIPALITY)


def test_user_without_anything_is_refused(two_municipalities: dict) -> None:
    actor = actor_for(UserFactory())
    with pytest.raises(PermissionDenied):
        require(actor, Action.ACCESS_BACK_OFFICE)
