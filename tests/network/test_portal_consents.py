"""Consents: give and withdraw in the portal, audited, effective immediately everywhere."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.factories import UserFactory
from tests.helpers import login_verified
from tests.network.portal_helpers import (  # noqa: F401 - fixtures
    PortalWorld,
    english_client_fixture,
    portal_world_fixture,
)
from weerbaar.accounts.policy import actor_for
from weerbaar.core.models import AuditEntry
from weerbaar.network.models import Consent, ConsentPurpose
from weerbaar.network.services import portal

pytestmark = pytest.mark.django_db
P = ConsentPurpose


def post(client: Client, **data: str) -> object:
    return client.post(reverse("portal:consents"), data)


@pytest.fixture
def eva(client: Client, portal_world: PortalWorld) -> Client:
    login_verified(client, portal_world.entrepreneur)
    client.user = portal_world.entrepreneur  # type: ignore[attr-defined]
    return client


def test_consents_page_explains_every_purpose(eva: Client) -> None:
    response = eva.get(reverse("portal:consents"))

    assert response.status_code == 200
    page = response.content.decode()
    for purpose in ConsentPurpose:
        assert escape(str(purpose.label)) in page
    assert "Given on" in page
    assert "Not given." in page


def test_give_consent_is_recorded_and_audited(eva: Client) -> None:
    user = eva.user  # type: ignore[attr-defined]
    assert not portal.has_consent(user, P.NEWSLETTER)

    response = post(eva, purpose="newsletter", action="give")

    assert response.status_code == 302
    assert portal.has_consent(user, P.NEWSLETTER)
    entry = AuditEntry.objects.get(action="network.give_consent")
    assert entry.actor == user
    assert entry.changes == {"purpose": "newsletter"}
    # Giving again changes nothing and records nothing.
    post(eva, purpose="newsletter", action="give")
    assert Consent.objects.filter(person=user, purpose=P.NEWSLETTER).count() == 1
    assert AuditEntry.objects.filter(action="network.give_consent").count() == 1


def test_withdraw_takes_effect_immediately_and_keeps_history(eva: Client) -> None:
    user = eva.user  # type: ignore[attr-defined]

    response = post(eva, purpose="alerts", action="withdraw")

    assert response.status_code == 302
    assert not portal.has_consent(user, P.ALERTS)
    assert user.pk not in set(portal.consented_person_ids(P.ALERTS))
    assert portal.has_consent(user, P.NETWORK_MEMBERSHIP)
    withdrawn = Consent.objects.get(person=user, purpose=P.ALERTS)
    assert withdrawn.withdrawn_at is not None
    entry = AuditEntry.objects.get(action="network.withdraw_consent")
    assert entry.changes == {"purpose": "alerts", "also_withdrawn": []}
    assert "Withdrawn on" in eva.get(reverse("portal:consents")).content.decode()

    post(eva, purpose="alerts", action="give")
    assert Consent.objects.filter(person=user, purpose=P.ALERTS).count() == 2
    assert portal.has_consent(user, P.ALERTS)


def test_withdrawing_membership_asks_for_confirmation_first(eva: Client) -> None:
    user = eva.user  # type: ignore[attr-defined]

    response = post(eva, purpose="network_membership", action="withdraw")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your other consents are withdrawn as well" in page
    assert 'name="confirm"' in page
    assert portal.has_consent(user, P.NETWORK_MEMBERSHIP)
    assert not AuditEntry.objects.exists()


def test_confirmed_membership_withdrawal_withdraws_everything(eva: Client) -> None:
    user = eva.user  # type: ignore[attr-defined]

    response = post(eva, purpose="network_membership", action="withdraw", confirm="on")

    assert response.status_code == 302
    assert not Consent.objects.filter(person=user, withdrawn_at__isnull=True).exists()
    entry = AuditEntry.objects.get(action="network.withdraw_consent")
    assert entry.changes == {"purpose": "network_membership", "also_withdrawn": ["alerts"]}
    dashboard = eva.get(reverse("portal:dashboard")).content.decode()
    assert "You have not given consent for membership of the network" in dashboard


def test_other_consents_need_membership_first(eva: Client) -> None:
    post(eva, purpose="network_membership", action="withdraw", confirm="on")

    response = post(eva, purpose="newsletter", action="give")

    assert response.status_code == 400
    assert "First give your consent for membership" in response.content.decode()
    assert not portal.has_consent(eva.user, P.NEWSLETTER)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"purpose": "selling_my_data", "action": "give"}, "This consent does not exist"),
        ({"purpose": "alerts", "action": "sell"}, "Choose whether to give or withdraw"),
        ({}, "Choose the consent you want to change"),
    ],
)
def test_bad_consent_input_answers_400_with_a_message(
    eva: Client, data: dict[str, str], message: str
) -> None:
    response = eva.post(reverse("portal:consents"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_has_consent_is_false_for_anonymous_and_unknown_people(db: None) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not portal.has_consent(AnonymousUser(), P.ALERTS)
    assert not portal.has_consent(None, P.ALERTS)
    assert not portal.has_consent(UserFactory(), P.ALERTS)


def test_services_refuse_anonymous_actors(db: None) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(portal.ConsentError):
        portal.give_consent(actor_for(AnonymousUser()), P.NETWORK_MEMBERSHIP)


def test_withdraw_service_requires_confirmation_for_membership(
    portal_world: PortalWorld,
) -> None:
    actor = actor_for(portal_world.entrepreneur)
    with pytest.raises(portal.ConfirmationRequired):
        portal.withdraw_consent(actor, P.NETWORK_MEMBERSHIP)
    assert portal.withdraw_consent(actor, P.NEWSLETTER) == []  # nothing active, nothing done
    assert not AuditEntry.objects.exists()
