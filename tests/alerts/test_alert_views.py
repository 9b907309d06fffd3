"""The alert pages: back office (list, compose with reach preview, detail, buttons) and the
portal (inbox, alert page, what I receive). Bad input answers 400 with the reason."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.alerts.conftest import member
from tests.helpers import login_verified
from weerbaar.alerts.models import Alert, AlertStatus, MessageKind
from weerbaar.alerts.preferences import channels_for
from weerbaar.core import outbox
from weerbaar.core.channels import EmailChannel
from weerbaar.core.models import AuditEntry, Delivery, DeliveryStatus, SuppressedAddress

pytestmark = pytest.mark.django_db


def form_data(area: Any, **overrides: Any) -> dict[str, Any]:
    expires = timezone.localtime() + datetime.timedelta(days=2)
    data = {
        "title": "Inbrekers op het bedrijventerrein",
        "severity": "urgent",
        "category": "burglary",
        "message": "Vannacht is bij drie bedrijven ingebroken via het dak.",
        "advice": "Controleer uw dakluiken.",
        "link_url": "",
        "expires_at": expires.strftime("%Y-%m-%dT%H:%M"),
        "areas": [area.pk],
        "sectors": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def oov_client(client: Client, oov: Any) -> Client:
    login_verified(client, oov)
    return client


@pytest.fixture
def entrepreneur_client(client: Client, shop: Any) -> Any:
    person = member(shop, email="bakker@example.nl")
    client.force_login(person)
    client.person = person  # type: ignore[attr-defined]
    return client


class TestStaffPages:
    def test_compose_preview_save_and_send(
        self, oov_client: Client, area: Any, shop: Any, commit: Any
    ) -> None:
        member(shop, email="bakker@example.nl")
        page = oov_client.get(reverse("alerts_staff:create"))
        assert page.status_code == 200
        assert "Nieuwe waarschuwing" in page.content.decode()

        preview = oov_client.post(
            reverse("alerts_staff:create"), {**form_data(area), "preview": "1"}
        )
        assert preview.status_code == 200
        html = preview.content.decode()
        assert "Wie deze waarschuwing nu bereikt" in html
        assert "1 persoon bij 1 bedrijven." in html
        assert not Alert.objects.exists()

        saved = oov_client.post(reverse("alerts_staff:create"), form_data(area))
        alert = Alert.objects.get()
        assert saved.status_code == 302
        assert saved["Location"] == reverse("alerts_staff:detail", args=[alert.pk])

        sent = commit(lambda: oov_client.post(reverse("alerts_staff:send", args=[alert.pk])))
        assert sent.status_code == 302
        alert.refresh_from_db()
        assert alert.status == AlertStatus.PUBLISHED
        assert [m.to for m in mail.outbox] == [["bakker@example.nl"]]
        assert mail.outbox[0].subject.startswith("Dringende waarschuwing: ")

        detail = oov_client.get(reverse("alerts_staff:detail", args=[alert.pk]))
        html = detail.content.decode()
        assert "Bezorging" in html
        assert "Een update versturen" in html

    def test_bounced_emails_are_counted_apart_and_not_sent_again(
        self, oov_client: Client, oov: Any, area: Any, shop: Any, publish: Any, commit: Any
    ) -> None:
        member(shop, email="bakker@example.nl")
        member(shop, email="slager@example.nl")
        alert = publish(oov, areas=[area])
        emails = Delivery.objects.filter(channel="email").order_by("address")
        bounced, failed = emails
        outbox.record_bounce(bounced.pk, reason="bounce report 5.1.1: user unknown")
        emails.filter(pk=failed.pk).update(status=DeliveryStatus.FAILED, next_attempt_at=None)

        detail = oov_client.get(reverse("alerts_staff:detail", args=[alert.pk]))
        [email_row] = [
            row
            for row in detail.context["deliveries"].tables[0]["rows"]
            if row["channel"] == EmailChannel.label
        ]
        assert (email_row["sent"], email_row["failed"], email_row["bounced"]) == (0, 1, 1)
        assert detail.context["deliveries"].any_bounced
        mail.outbox = []
        commit(lambda: oov_client.post(reverse("alerts_staff:retry", args=[alert.pk])))

        assert [m.to for m in mail.outbox] == [["slager@example.nl"]]
        assert emails.get(pk=bounced.pk).status == DeliveryStatus.BOUNCED

    def test_bad_input_is_shown_with_400_and_nothing_saved(
        self, oov_client: Client, area: Any
    ) -> None:
        past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        response = oov_client.post(
            reverse("alerts_staff:create"),
            form_data(area, title="", expires_at=past, sectors="abc"),
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "Er is niets opgeslagen. Verbeter het volgende:" in html
        assert "Titel: Dit veld is verplicht." in html
        assert not Alert.objects.exists()

    def test_service_refusals_show_on_the_field(self, oov_client: Client, area: Any) -> None:
        past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        response = oov_client.post(reverse("alerts_staff:create"), form_data(area, expires_at=past))
        assert response.status_code == 400
        assert "in de toekomst" in response.content.decode()

    def test_sending_an_alert_that_reaches_nobody_explains_why(
        self, oov_client: Client, area: Any
    ) -> None:
        oov_client.post(reverse("alerts_staff:create"), form_data(area))
        alert = Alert.objects.get()
        response = oov_client.post(reverse("alerts_staff:send", args=[alert.pk]))
        assert response.status_code == 400
        assert "niemand" in response.content.decode()

    def test_an_empty_update_is_refused_on_the_page(
        self, oov_client: Client, oov: Any, area: Any, shop: Any, publish: Any
    ) -> None:
        member(shop)
        alert = publish(oov, areas=[area])
        response = oov_client.post(
            reverse("alerts_staff:update", args=[alert.pk]), {"kind": "update", "text": ""}
        )
        assert response.status_code == 400
        assert "Bezorging" in response.content.decode()

    def test_entrepreneurs_have_no_back_office(self, entrepreneur_client: Client) -> None:
        response = entrepreneur_client.get(reverse("alerts_staff:list"))
        assert response.status_code == 403

    def test_an_alert_of_another_municipality_is_not_found(
        self, oov_client: Client, publish: Any
    ) -> None:
        from tests.alerts.conftest import staff
        from tests.factories import AreaFactory, BusinessFactory, MunicipalityFactory

        tilburg = MunicipalityFactory(name="Tilburg", slug="tilburg")
        other_area = AreaFactory(municipality=tilburg)
        member(BusinessFactory(area=other_area))
        alert = publish(staff(tilburg), areas=[other_area])
        assert oov_client.get(reverse("alerts_staff:detail", args=[alert.pk])).status_code == 404


class TestPortal:
    def test_inbox_shows_the_alert_and_marks_it_read(
        self, entrepreneur_client: Any, oov: Any, area: Any, publish: Any
    ) -> None:
        alert = publish(oov, areas=[area])
        inbox = entrepreneur_client.get(reverse("alerts_portal:inbox"))
        html = inbox.content.decode()
        assert "Nieuw" in html
        assert alert.title in html
        delivery = Delivery.objects.get(channel="inbox")
        page = entrepreneur_client.get(reverse("alerts_portal:message", args=[delivery.pk]))
        assert page.status_code == 200
        assert "voel-kijk-kantelmethode" in page.content.decode()
        delivery.refresh_from_db()
        assert delivery.read_at is not None

        alert_page = entrepreneur_client.get(reverse("alerts_portal:detail", args=[alert.pk]))
        assert alert_page.status_code == 200
        assert "Bel bij spoed altijd 112" in alert_page.content.decode()

    def test_someone_else_cannot_open_my_messages_or_the_alert(
        self, client: Client, shop: Any, elsewhere: Any, oov: Any, area: Any, publish: Any
    ) -> None:
        member(shop)
        alert = publish(oov, areas=[area])
        outsider = member(elsewhere)
        client.force_login(outsider)
        delivery = Delivery.objects.get(channel="inbox")
        assert client.get(reverse("alerts_portal:message", args=[delivery.pk])).status_code == 404
        assert client.get(reverse("alerts_portal:detail", args=[alert.pk])).status_code == 404

    def test_choosing_channels_and_quiet_hours(self, entrepreneur_client: Any) -> None:
        url = reverse("alerts_portal:preferences")
        page = entrepreneur_client.get(url)
        assert page.status_code == 200
        assert "Stille uren" in page.content.decode()
        saved = entrepreneur_client.post(
            url, {"section": "channels", "kind": "alert", "channels": ["inbox"]}
        )
        assert saved.status_code == 302
        person = entrepreneur_client.person
        assert channels_for([person.pk], MessageKind.ALERT)[person.pk] == {"inbox"}
        bad = entrepreneur_client.post(
            url, {"section": "channels", "kind": "alert", "channels": ["carrier-pigeon"]}
        )
        assert bad.status_code == 400
        half = entrepreneur_client.post(
            url, {"section": "quiet_hours", "quiet_hours_start": "22:00"}
        )
        assert half.status_code == 400
        assert "zowel het begin als het einde" in half.content.decode()
        unknown = entrepreneur_client.post(url, {"section": "nonsense"})
        assert unknown.status_code == 400

    def test_staff_only_pages_need_login(self, client: Client) -> None:
        response = client.get(reverse("alerts_portal:inbox"))
        assert response.status_code == 302


class TestFourEyesSettings:
    def test_staff_turn_four_eyes_on_for_their_municipality(
        self, oov_client: Client, municipality: Any
    ) -> None:
        from weerbaar.alerts.models import AlertSettings

        page = oov_client.get(reverse("alerts_staff:settings"))
        assert page.status_code == 200
        assert "Aanzetten voor Breda" in page.content.decode()
        response = oov_client.post(
            reverse("alerts_staff:settings"),
            {"municipality": municipality.pk, "requires_approval": "1"},
        )
        assert response.status_code == 302
        assert AlertSettings.objects.get(municipality=municipality).requires_approval

    def test_another_municipality_or_nonsense_is_not_found(self, oov_client: Client) -> None:
        from tests.factories import MunicipalityFactory

        tilburg = MunicipalityFactory(name="Tilburg", slug="tilburg")
        for value in (tilburg.pk, "", "abc"):
            response = oov_client.post(
                reverse("alerts_staff:settings"),
                {"municipality": value, "requires_approval": "1"},
            )
            assert response.status_code == 404

    def test_police_may_not_change_it(self, client: Client, officer: Any) -> None:
        login_verified(client, officer)
        assert client.get(reverse("alerts_staff:settings")).status_code == 403


class TestAmbassadorForm:
    def test_an_ambassador_warns_their_area_and_it_waits_for_staff(
        self, client: Client, ambassador: Any, area: Any, shop: Any
    ) -> None:
        member(shop, email="buurman@example.nl")
        client.force_login(ambassador)
        url = reverse("alerts_portal:ambassador_new")
        page = client.get(url)
        assert page.status_code == 200
        assert "Waarschuw mijn gebied" in page.content.decode()
        response = client.post(url, form_data(area))
        assert response.status_code == 302
        alert = Alert.objects.get()
        assert alert.status == AlertStatus.AWAITING_APPROVAL
        assert alert.created_by == ambassador
        assert mail.outbox == []

    def test_an_area_that_is_not_theirs_is_refused_and_nothing_saved(
        self, client: Client, ambassador: Any, elsewhere: Any
    ) -> None:
        client.force_login(ambassador)
        response = client.post(reverse("alerts_portal:ambassador_new"), form_data(elsewhere.area))
        assert response.status_code == 400
        assert not Alert.objects.exists()

    def test_entrepreneurs_who_are_not_ambassadors_cannot_open_it(
        self, entrepreneur_client: Client
    ) -> None:
        response = entrepreneur_client.get(reverse("alerts_portal:ambassador_new"))
        assert response.status_code == 403


def test_choosing_sms_without_a_mobile_number_says_so(entrepreneur_client: Any) -> None:
    url = reverse("alerts_portal:preferences")
    entrepreneur_client.post(
        url, {"section": "channels", "kind": "alert", "channels": ["email", "sms"]}
    )
    html = entrepreneur_client.get(url).content.decode()
    assert "staat geen mobiel nummer dat sms kan ontvangen" in html
    person = entrepreneur_client.person
    person.phone = "06 12345678"
    person.save()
    html = entrepreneur_client.get(url).content.decode()
    assert "staat geen mobiel nummer" not in html


def test_a_person_whose_email_bounced_is_told_and_can_have_it_tried_again(
    entrepreneur_client: Any,
) -> None:
    url = reverse("alerts_portal:preferences")
    person = entrepreneur_client.person
    assert "sturen we geen e-mail naar" not in entrepreneur_client.get(url).content.decode()
    SuppressedAddress.objects.create(address=person.email.lower(), reason="550 no such user")
    other = SuppressedAddress.objects.create(address="iemand-anders@example.nl")

    html = entrepreneur_client.get(url).content.decode()
    assert f"sturen we geen e-mail naar {person.email}" in html
    assert "Mijn mailbox werkt weer" in html

    tried_again = entrepreneur_client.post(url, {"section": "email_again"}, follow=True)
    assert "We mailen u weer op dit adres." in tried_again.content.decode()
    assert not SuppressedAddress.objects.filter(address=person.email.lower()).exists()
    assert SuppressedAddress.objects.filter(pk=other.pk).exists()  # only their own address
    assert AuditEntry.objects.filter(action="outbox.suppression_lifted", actor=person).exists()
    assert "sturen we geen e-mail naar" not in tried_again.content.decode()

    again = entrepreneur_client.post(url, {"section": "email_again"})
    assert again.status_code == 302  # nothing left to lift: no error, nothing changes
    assert AuditEntry.objects.filter(action="outbox.suppression_lifted").count() == 1
