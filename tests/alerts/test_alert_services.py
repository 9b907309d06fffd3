"""Composing, approving, publishing, following up and withdrawing alerts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tests.alerts.conftest import as_actor, draft, member, staff
from tests.factories import MunicipalityFactory
from weerbaar.alerts.models import (
    Alert,
    AlertSettings,
    AlertStatus,
    AlertUpdate,
    ChannelPreference,
    MessageKind,
)
from weerbaar.alerts.services import alerts, broadcast
from weerbaar.core.models import AuditEntry, Delivery, DeliveryStatus, OutboundMessage

pytestmark = pytest.mark.django_db


class TestCompose:
    def test_staff_draft_targets_their_area(self, oov: Any, area: Any) -> None:
        alert = alerts.create_alert(as_actor(oov), draft(areas=[area]))
        assert alert.status == AlertStatus.DRAFT
        assert alert.municipality == area.municipality
        assert list(alert.target_areas.all()) == [area]
        assert AuditEntry.objects.filter(action="alerts.alert.created", actor=oov).exists()

    @pytest.mark.parametrize(
        ("overrides", "field", "text"),
        [
            ({"title": "  "}, "title", "Geef de waarschuwing een titel."),
            ({"message": ""}, "message", "Schrijf wat er gebeurd is"),
            ({"message": "x" * 2001}, "message", "2.000"),
            ({"category": "aliens"}, "category", "Kies een categorie."),
            ({"severity": "apocalyptic"}, "severity", "Kies een ernst."),
            ({"link_url": "javascript:alert(1)"}, "link_url", "https://"),
            ({"expires_at": None}, "expires_at", "tot wanneer"),
            ({"sectors": ["47a"]}, "sectors", "SBI-codes"),
        ],
    )
    def test_bad_input_is_refused_per_field_and_nothing_is_stored(
        self, oov: Any, area: Any, overrides: dict[str, Any], field: str, text: str
    ) -> None:
        with pytest.raises(ValidationError) as refused:
            alerts.create_alert(as_actor(oov), draft(areas=[area], **overrides))
        assert text in " ".join(refused.value.message_dict[field])
        assert not Alert.objects.exists()

    def test_an_expiry_in_the_past_or_too_far_ahead_is_refused(self, oov: Any, area: Any) -> None:
        for moment, text in [
            (timezone.now() - datetime.timedelta(minutes=1), "in de toekomst"),
            (timezone.now() + datetime.timedelta(days=91), "90 dagen"),
        ]:
            with pytest.raises(ValidationError) as refused:
                alerts.create_alert(as_actor(oov), draft(areas=[area], expires_at=moment))
            assert text in refused.value.message_dict["expires_at"][0]

    def test_a_target_is_required(self, oov: Any) -> None:
        with pytest.raises(ValidationError) as refused:
            alerts.create_alert(as_actor(oov), draft())
        assert "areas" in refused.value.message_dict

    def test_staff_cannot_target_another_municipality(self, oov: Any) -> None:
        tilburg = MunicipalityFactory(name="Tilburg", slug="tilburg")
        with pytest.raises(ValidationError) as refused:
            alerts.create_alert(as_actor(oov), draft(municipalities=[tilburg]))
        assert "Tilburg" in refused.value.message_dict["municipalities"][0]

    def test_only_a_platform_administrator_alerts_the_whole_network(
        self, oov: Any, area: Any
    ) -> None:
        with pytest.raises(ValidationError) as refused:
            alerts.create_alert(as_actor(oov), draft(whole_network=True))
        assert "whole_network" in refused.value.message_dict

    def test_an_entrepreneur_may_not_compose(self, shop: Any, area: Any) -> None:
        with pytest.raises(PermissionDenied):
            alerts.create_alert(as_actor(member(shop)), draft(areas=[area]))

    def test_html_is_kept_as_typed_text(self, oov: Any, area: Any) -> None:
        alert = alerts.create_alert(
            as_actor(oov), draft(areas=[area], title="<script>alert(1)</script>")
        )
        assert alert.title == "<script>alert(1)</script>"


class TestPublish:
    def test_published_alert_reaches_consenting_people_by_email_and_inbox(
        self, oov: Any, area: Any, shop: Any, cafe: Any, elsewhere: Any, publish: Any
    ) -> None:
        baker = member(shop, email="bakker@example.nl")
        barista = member(cafe, email="cafe@example.nl")
        member(shop, alerts=False, email="geen-alerts@example.nl")
        member(elsewhere, email="transport@example.nl")

        alert = publish(oov, areas=[area])

        assert alert.status == AlertStatus.PUBLISHED
        message = OutboundMessage.objects.get(kind="alert", source_id=str(alert.pk))
        deliveries = set(message.deliveries.values_list("channel", "address"))
        assert deliveries == {
            ("email", "bakker@example.nl"),
            ("email", "cafe@example.nl"),
            ("inbox", str(baker.pk)),
            ("inbox", str(barista.pk)),
        }
        assert sorted(m.to[0] for m in mail.outbox) == ["bakker@example.nl", "cafe@example.nl"]
        email = mail.outbox[0]
        assert email.subject == "Waarschuwing: Oplichters met valse tientjes"
        assert "voel-kijk-kantelmethode" in email.body
        assert "112" in email.body
        assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert email.extra_headers["List-Unsubscribe"].startswith("<http")
        inbox = message.deliveries.filter(channel="inbox")
        assert set(inbox.values_list("status", flat=True)) == {DeliveryStatus.SENT}
        alert.refresh_from_db()
        assert alert.reach == {"email": 2, "inbox": 2}

    def test_a_sector_filter_narrows_the_audience(
        self, oov: Any, area: Any, shop: Any, cafe: Any, publish: Any
    ) -> None:
        member(shop, email="bakker@example.nl")
        member(cafe, email="cafe@example.nl")
        publish(oov, areas=[area], sectors=["56"])
        assert [m.to for m in mail.outbox] == [["cafe@example.nl"]]

    def test_an_alert_that_would_reach_nobody_is_not_sent(self, oov: Any, area: Any) -> None:
        alert = alerts.create_alert(as_actor(oov), draft(areas=[area]))
        with pytest.raises(ValidationError) as refused:
            alerts.send_alert(as_actor(oov), alert)
        assert "niemand" in refused.value.messages[0]
        alert.refresh_from_db()
        assert alert.status == AlertStatus.DRAFT
        assert not OutboundMessage.objects.exists()

    def test_an_expired_draft_is_not_sent(self, oov: Any, area: Any, shop: Any) -> None:
        member(shop)
        alert = alerts.create_alert(as_actor(oov), draft(areas=[area]))
        Alert.objects.filter(pk=alert.pk).update(expires_at=timezone.now())
        with pytest.raises(ValidationError) as refused:
            alerts.send_alert(as_actor(oov), alert)
        assert "verlopen" in refused.value.messages[0]

    def test_the_fan_out_runs_once_even_when_the_task_runs_twice(
        self, oov: Any, area: Any, shop: Any, publish: Any
    ) -> None:
        member(shop)
        alert = publish(oov, areas=[area])
        again = alerts.fan_out(alert.pk)
        assert OutboundMessage.objects.filter(kind="alert").count() == 1
        assert again == OutboundMessage.objects.get(kind="alert")
        assert len(mail.outbox) == 1

    def test_a_fan_out_interrupted_after_the_inbox_step_completes_without_repeating(
        self, oov: Any, area: Any, shop: Any, publish: Any, commit: Any
    ) -> None:
        member(shop, email="bakker@example.nl")
        alert = publish(oov, areas=[area])
        Alert.objects.filter(pk=alert.pk).update(reach={})  # as if the task died after step 1
        commit(lambda: alerts.fan_out(alert.pk))
        assert Delivery.objects.count() == 2  # one inbox entry, one email: nothing doubled
        assert len(mail.outbox) == 1
        alert.refresh_from_db()
        assert alert.reach == {"email": 1, "inbox": 1}

    def test_a_large_audience_is_queued_in_chunks_each_person_once(
        self,
        oov: Any,
        area: Any,
        shop: Any,
        publish: Any,
        commit: Any,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        # Email goes in one INSERT … SELECT; SMS (an address parsed in Python) in chunks.
        monkeypatch.setattr(broadcast, "FAN_OUT_CHUNK", 2)
        people = [
            member(shop, email=f"ondernemer{n}@example.nl", phone=f"06 1234567{n}")
            for n in range(5)
        ]
        for person in people:
            ChannelPreference.objects.create(
                person=person, kind=MessageKind.ALERT, channel="sms", enabled=True
            )
        alert = publish(oov, areas=[area])
        assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
        assert Delivery.objects.filter(channel="sms", status=DeliveryStatus.SENT).count() == 5
        Alert.objects.filter(pk=alert.pk).update(reach={})
        commit(lambda: alerts.fan_out(alert.pk))
        assert len(mail.outbox) == 5
        assert Delivery.objects.filter(channel="email").count() == 5
        assert Delivery.objects.filter(channel="sms").count() == 5

    def test_sending_twice_is_refused(self, oov: Any, area: Any, shop: Any, publish: Any) -> None:
        member(shop)
        alert = publish(oov, areas=[area])
        with pytest.raises(ValidationError):
            alerts.send_alert(as_actor(oov), alert)


class TestApproval:
    def test_four_eyes_waits_for_a_colleague_who_is_not_the_author(
        self,
        oov: Any,
        oov_colleague: Any,
        area: Any,
        shop: Any,
        municipality: Any,
        publish: Any,
        commit: Any,
    ) -> None:
        member(shop)
        AlertSettings.objects.create(municipality=municipality, requires_approval=True)
        alert = publish(oov, areas=[area])
        assert alert.status == AlertStatus.AWAITING_APPROVAL
        assert mail.outbox == []
        with pytest.raises(ValidationError) as refused:
            alerts.approve_alert(as_actor(oov), alert)
        assert "iemand anders" in refused.value.messages[0]

        commit(lambda: alerts.approve_alert(as_actor(oov_colleague), alert))

        alert.refresh_from_db()
        assert alert.status == AlertStatus.PUBLISHED
        assert alert.approved_by == oov_colleague
        assert len(mail.outbox) == 1

    def test_sending_back_needs_a_reason_and_returns_a_draft(
        self, oov: Any, oov_colleague: Any, area: Any, shop: Any, municipality: Any, publish: Any
    ) -> None:
        member(shop)
        AlertSettings.objects.create(municipality=municipality, requires_approval=True)
        alert = publish(oov, areas=[area])
        with pytest.raises(ValidationError):
            alerts.send_back(as_actor(oov_colleague), alert, "   ")
        alerts.send_back(as_actor(oov_colleague), alert, "Noem de straat niet.")
        alert.refresh_from_db()
        assert alert.status == AlertStatus.DRAFT
        assert alert.rejection_reason == "Noem de straat niet."

    def test_an_ambassador_writes_for_their_own_area_and_staff_approve(
        self,
        ambassador: Any,
        oov: Any,
        area: Any,
        shop: Any,
        elsewhere: Any,
        publish: Any,
        commit: Any,
    ) -> None:
        member(shop, email="buurman@example.nl")
        with pytest.raises(ValidationError):
            alerts.create_alert(as_actor(ambassador), draft(areas=[elsewhere.area]))
        with pytest.raises(ValidationError):
            alerts.create_alert(as_actor(ambassador), draft(municipalities=[area.municipality]))
        alert = publish(ambassador, areas=[area])
        assert alert.status == AlertStatus.AWAITING_APPROVAL
        with pytest.raises(PermissionDenied):
            alerts.approve_alert(as_actor(ambassador), alert)
        commit(lambda: alerts.approve_alert(as_actor(oov), alert))
        assert sorted(m.to[0] for m in mail.outbox) == [
            "ambassadeur@example.nl",
            "buurman@example.nl",
        ]

    def test_staff_of_another_municipality_cannot_approve(
        self, ambassador: Any, area: Any, shop: Any, publish: Any
    ) -> None:
        member(shop)
        alert = publish(ambassador, areas=[area])
        outsider = staff(MunicipalityFactory(name="Tilburg", slug="tilburg"))
        with pytest.raises(Http404):  # outside their scope, the alert does not exist for them
            alerts.approve_alert(as_actor(outsider), alert)


class TestFollowUp:
    def test_an_update_reaches_exactly_the_people_the_alert_reached(
        self, officer: Any, area: Any, shop: Any, publish: Any, commit: Any
    ) -> None:
        member(shop, email="eerste@example.nl")
        alert = publish(officer, areas=[area])
        member(shop, email="later@example.nl")  # joined after the alert went out
        mail.outbox.clear()

        commit(
            lambda: alerts.add_update(
                as_actor(officer), alert, "suspect_arrested", "Eén verdachte is aangehouden."
            )
        )

        assert [m.to for m in mail.outbox] == [["eerste@example.nl"]]
        assert mail.outbox[0].subject == "Verdachte aangehouden: Oplichters met valse tientjes"
        alert.refresh_from_db()
        assert alert.outcome == "Verdachte aangehouden"
        assert AlertUpdate.objects.get().text == "Eén verdachte is aangehouden."

    def test_an_update_needs_text_and_a_published_alert(
        self, officer: Any, area: Any, shop: Any, publish: Any
    ) -> None:
        member(shop)
        alert = publish(officer, areas=[area])
        with pytest.raises(ValidationError) as refused:
            alerts.add_update(as_actor(officer), alert, "update", "  ")
        assert "text" in refused.value.message_dict
        with pytest.raises(ValidationError):
            alerts.add_update(as_actor(officer), alert, "rumour", "Iets")
        alerts.withdraw_alert(as_actor(officer), alert)
        with pytest.raises(ValidationError):
            alerts.add_update(as_actor(officer), alert, "update", "Nog iets")

    def test_withdrawing_stops_what_has_not_gone_out(
        self, officer: Any, area: Any, shop: Any, publish: Any
    ) -> None:
        member(shop)
        alert = publish(officer, areas=[area])
        Delivery.objects.filter(channel="email").update(status=DeliveryStatus.QUEUED)
        cancelled = alerts.withdraw_alert(as_actor(officer), alert)
        assert cancelled == 1
        alert.refresh_from_db()
        assert alert.status == AlertStatus.WITHDRAWN
        assert Delivery.objects.get(channel="email").status == DeliveryStatus.CANCELLED
