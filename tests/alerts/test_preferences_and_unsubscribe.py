"""What a person receives: channel choices, quiet hours, the unsubscribe link (one click,
tampered, reused), the global opt-out, and withdrawing consent stopping what is pending."""

from __future__ import annotations

import datetime
import json
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.alerts.conftest import as_actor, member
from weerbaar.alerts import audience, preferences
from weerbaar.alerts.models import ChannelPreference, MessageKind, RecipientSettings
from weerbaar.alerts.services import preferences as preference_services
from weerbaar.alerts.unsubscribe import UNSUBSCRIBE_SLOT, make_token, read_token, unsubscribe_url
from weerbaar.core.models import Delivery, DeliveryStatus
from weerbaar.network.models import Consent, ConsentPurpose
from weerbaar.network.services import portal

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class TestChannels:
    def test_defaults_and_choices(self, shop: Any) -> None:
        person = member(shop)
        assert preferences.channels_for([person.pk], MessageKind.ALERT)[person.pk] == {
            "email",
            "inbox",
            "push",
        }
        preference_services.set_channels(as_actor(person), MessageKind.ALERT, ["inbox", "sms"])
        assert preferences.channels_for([person.pk], MessageKind.ALERT)[person.pk] == {
            "inbox",
            "sms",
        }
        assert ChannelPreference.objects.filter(person=person).count() == 4

    def test_a_channel_that_is_not_offered_is_refused(self, shop: Any) -> None:
        person = member(shop)
        with pytest.raises(ValidationError):
            preference_services.set_channels(as_actor(person), MessageKind.NEWSLETTER, ["sms"])
        assert not ChannelPreference.objects.exists()

    def test_someone_who_chose_no_channel_gets_nothing(
        self, shop: Any, oov: Any, area: Any, publish: Any
    ) -> None:
        person = member(shop, email="stil@example.nl")
        preference_services.set_channels(as_actor(person), MessageKind.ALERT, [])
        member(shop, email="wel@example.nl")
        publish(oov, areas=[area])
        assert [m.to for m in mail.outbox] == [["wel@example.nl"]]
        assert not Delivery.objects.filter(recipient=person).exists()


class TestQuietHours:
    def hours(self, start: int, end: int, *, urgent: bool = False) -> preferences.QuietHours:
        return preferences.QuietHours(datetime.time(start), datetime.time(end), urgent)

    def test_a_night_across_midnight(self) -> None:
        night = self.hours(22, 7)
        late = datetime.datetime(2026, 12, 7, 23, 30, tzinfo=AMSTERDAM)
        early = datetime.datetime(2026, 12, 8, 6, 0, tzinfo=AMSTERDAM)
        day = datetime.datetime(2026, 12, 8, 12, 0, tzinfo=AMSTERDAM)
        assert night.ends_after(late) == datetime.datetime(2026, 12, 8, 7, 0, tzinfo=AMSTERDAM)
        assert night.ends_after(early) == datetime.datetime(2026, 12, 8, 7, 0, tzinfo=AMSTERDAM)
        assert night.ends_after(day) is None

    def test_sms_and_push_wait_but_email_and_inbox_do_not(self, shop: Any) -> None:
        person = member(shop, phone="06 12345678")
        preference_services.set_channels(as_actor(person), MessageKind.ALERT, ["email", "sms"])
        preference_services.set_quiet_hours(
            as_actor(person),
            datetime.time(0, 0),
            datetime.time(23, 59),
            urgent_alerts_break_quiet_hours=False,
        )
        (recipient,) = audience.recipients_for([person], MessageKind.ALERT)
        assert recipient.quiet_until is not None
        (urgent,) = audience.recipients_for([person], MessageKind.ALERT, severity="urgent")
        assert urgent.quiet_until is not None  # not allowed to break them

    def test_urgent_alerts_break_quiet_hours_only_when_allowed(self, shop: Any) -> None:
        person = member(shop)
        preference_services.set_quiet_hours(
            as_actor(person),
            datetime.time(0, 0),
            datetime.time(23, 59),
            urgent_alerts_break_quiet_hours=True,
        )
        (normal,) = audience.recipients_for([person], MessageKind.ALERT, severity="warning")
        (urgent,) = audience.recipients_for([person], MessageKind.ALERT, severity="urgent")
        assert normal.quiet_until is not None
        assert urgent.quiet_until is None

    def test_half_filled_or_empty_quiet_hours_are_refused(self, shop: Any) -> None:
        person = member(shop)
        for start, end in [(datetime.time(22), None), (datetime.time(8), datetime.time(8))]:
            with pytest.raises(ValidationError):
                preference_services.set_quiet_hours(
                    as_actor(person), start, end, urgent_alerts_break_quiet_hours=False
                )
        assert not RecipientSettings.objects.exists()


class TestUnsubscribeLink:
    def url(self, person: Any, kind: MessageKind = MessageKind.ALERT) -> str:
        return reverse("alerts_public:unsubscribe", args=[make_token(person.pk, kind)])

    def test_opening_the_link_changes_nothing(self, client: Client, shop: Any) -> None:
        person = member(shop, email="bakker@example.nl")
        response = client.get(self.url(person))
        assert response.status_code == 200
        assert "b…@example.nl" in response.content.decode()
        assert portal.has_consent(person, ConsentPurpose.ALERTS)

    def test_one_click_unsubscribes_and_stops_what_is_pending(
        self, client: Client, shop: Any, oov: Any, area: Any, publish: Any
    ) -> None:
        person = member(shop)
        publish(oov, areas=[area])
        Delivery.objects.filter(recipient=person, channel="email").update(
            status=DeliveryStatus.QUEUED
        )
        response = client.post(
            self.url(person),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        assert "Gelukt" in response.content.decode()
        assert not portal.has_consent(person, ConsentPurpose.ALERTS)
        assert Delivery.objects.get(recipient=person, channel="email").status == (
            DeliveryStatus.CANCELLED
        )
        # The network membership and other consents stay.
        assert portal.has_consent(person, ConsentPurpose.NETWORK_MEMBERSHIP)

    def test_using_the_link_again_says_it_is_done_already(self, client: Client, shop: Any) -> None:
        person = member(shop)
        client.post(self.url(person))
        again = client.post(self.url(person))
        assert again.status_code == 200
        assert "Dit was al gebeurd" in again.content.decode()
        assert Consent.objects.filter(person=person, purpose=ConsentPurpose.ALERTS).count() == 1

    @pytest.mark.parametrize("token", ["niet-een-token", "WzEsImFsZXJ0Il0:1abc:vervalst"])
    def test_a_tampered_link_is_refused(self, client: Client, shop: Any, token: str) -> None:
        member(shop)
        for response in (
            client.get(f"/afmelden/{token}/"),
            client.post(f"/afmelden/{token}/"),
        ):
            assert response.status_code == 400
            assert "Deze link werkt niet" in response.content.decode()
        assert read_token("x") is None

    def test_a_token_for_one_person_cannot_be_turned_into_another(self, shop: Any) -> None:
        person = member(shop)
        token = make_token(person.pk, MessageKind.ALERT)
        _payload, signature = token.rsplit(":", 1)
        other = signing.b64_encode(json.dumps([person.pk + 1, "alert"]).encode()).decode()
        assert read_token(f"{other}:{signature}") is None
        assert read_token(token) is not None

    def test_stop_everything(self, client: Client, shop: Any, oov: Any, area: Any) -> None:
        person = member(shop)
        response = client.post(self.url(person), {"scope": "everything"})
        assert "geen waarschuwingen, nieuwsbrieven of uitnodigingen meer" in (
            response.content.decode()
        )
        assert RecipientSettings.objects.get(person=person).opted_out_at is not None
        target = audience.Target(area_ids=frozenset({area.pk}))
        assert not audience.people_in(target, MessageKind.ALERT).exists()

    def test_emails_carry_the_personal_link(
        self, shop: Any, oov: Any, area: Any, publish: Any
    ) -> None:
        person = member(shop)
        publish(oov, areas=[area])
        header = mail.outbox[0].extra_headers["List-Unsubscribe"]
        link = unsubscribe_url(person.pk, MessageKind.ALERT)
        assert header == f"<{link}>"
        # And in the text, for mail programs that do not show the header.
        assert f"stop deze waarschuwingen: {link}" in mail.outbox[0].body
        assert UNSUBSCRIBE_SLOT not in mail.outbox[0].body

    def test_the_portal_inbox_shows_the_persons_own_link_not_the_slot(
        self, client: Client, shop: Any, oov: Any, area: Any, publish: Any
    ) -> None:
        person = member(shop)
        publish(oov, areas=[area])
        delivery = Delivery.objects.get(recipient=person, channel="inbox")
        client.force_login(person)
        page = client.get(reverse("alerts_portal:message", args=[delivery.pk])).content.decode()
        assert unsubscribe_url(person.pk, MessageKind.ALERT) in page
        assert UNSUBSCRIBE_SLOT not in page

    def test_the_link_is_the_reversed_url_on_the_site_url_also_after_it_changes(
        self, settings: Any
    ) -> None:
        """The link around the token is built once per site URL, not once per email."""
        for site_url in ("https://weerbaar.example.nl", "https://ander.example.nl/sub/"):
            settings.SITE_URL = site_url
            token = make_token(7, MessageKind.NEWSLETTER)
            path = reverse("alerts_public:unsubscribe", args=[token])
            assert unsubscribe_url(7, MessageKind.NEWSLETTER) == urljoin(site_url, path)


class TestConsentWithdrawal:
    def test_withdrawing_membership_in_the_portal_stops_all_pending_messages(
        self, shop: Any, oov: Any, area: Any, publish: Any
    ) -> None:
        person = member(shop)
        publish(oov, areas=[area])
        Delivery.objects.filter(recipient=person, channel="email").update(
            status=DeliveryStatus.FAILED
        )
        portal.withdraw_consent(as_actor(person), ConsentPurpose.NETWORK_MEMBERSHIP, confirmed=True)
        assert Delivery.objects.get(recipient=person, channel="email").status == (
            DeliveryStatus.CANCELLED
        )
