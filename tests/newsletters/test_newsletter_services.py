"""Newsletters from draft to inboxes: composing from blocks, segments evaluated when sent,
tests, scheduling, sending once, and what staff of another municipality cannot do."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tests.alerts.conftest import as_actor
from tests.factories import AmbassadorFactory, BusinessFactory, ConsentFactory
from tests.helpers import sent_email_delivery
from tests.newsletters.conftest import reader, text_block
from weerbaar.alerts.models import MessageKind
from weerbaar.alerts.unsubscribe import preferences_url, unsubscribe_url
from weerbaar.core import outbox
from weerbaar.core.models import AuditEntry, Delivery, DeliveryStatus, OutboundMessage
from weerbaar.network.models import BusinessRole
from weerbaar.network.services.portal import withdraw_consent
from weerbaar.newsletters.blocks import get_block_type
from weerbaar.newsletters.models import Newsletter, NewsletterStatus
from weerbaar.newsletters.services import newsletters, segments
from weerbaar.newsletters.services.newsletters import NewsletterDraft
from weerbaar.newsletters.services.segments import SegmentDraft

pytestmark = pytest.mark.django_db


def send(commit: Any, editor: Any, newsletter: Newsletter) -> Newsletter:
    commit(lambda: newsletters.send_newsletter(as_actor(editor), newsletter))
    newsletter.refresh_from_db()
    return newsletter


def test_sending_reaches_the_segment_by_email_and_inbox_once(
    commit: Any, editor: Any, draft_newsletter: Any, centre: Any, outskirts: Any
) -> None:
    wants = reader(centre, email="bakker@example.nl")
    reader(centre, newsletter=False, email="geen-nieuwsbrief@example.nl")
    reader(outskirts, email="buiten@example.nl")

    newsletter = send(commit, editor, draft_newsletter)

    assert newsletter.status == NewsletterStatus.SENT
    assert newsletter.reach == {"email": 1, "inbox": 1}
    assert [email.to for email in mail.outbox] == [["bakker@example.nl"]]
    email = mail.outbox[0]
    assert email.subject == "Nieuwsbrief december"
    assert "List-Unsubscribe" in email.extra_headers
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = unsubscribe_url(wants.pk, MessageKind.NEWSLETTER)
    assert f"Afmelden voor deze nieuwsbrief: {link}" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "Nieuws uit de binnenstad" in html
    assert "Tweede alinea." in html
    # No tracking: no images, no remote resources, links go where they say.
    assert "<img" not in html
    assert "src=" not in html
    assert Delivery.objects.get(recipient=wants, channel="inbox").status == DeliveryStatus.SENT

    # Running the fan-out again (a redelivered task) adds nothing.
    assert newsletters.fan_out(newsletter.pk) is None
    message = OutboundMessage.objects.get(kind="newsletter")
    newsletter.status = NewsletterStatus.SENDING
    newsletter.save()
    newsletters.fan_out(newsletter.pk)
    assert message.deliveries.count() == 2
    assert len(mail.outbox) == 1


def test_a_sent_newsletter_can_no_longer_change(
    commit: Any, editor: Any, draft_newsletter: Any, centre: Any
) -> None:
    reader(centre)
    newsletter = send(commit, editor, draft_newsletter)
    block = newsletter.blocks.get()
    actor = as_actor(editor)
    with pytest.raises(ValidationError, match="kan niet meer worden gewijzigd"):
        newsletters.add_block(actor, newsletter, "text", text_block())
    with pytest.raises(ValidationError):
        newsletters.change_block(actor, block, text_block(heading="Anders"))
    with pytest.raises(ValidationError):
        newsletters.send_newsletter(actor, newsletter)
    assert len(mail.outbox) == 1


def test_sending_needs_blocks_and_someone_to_reach(
    editor: Any, centre_segment: Any, centre: Any
) -> None:
    actor = as_actor(editor)
    empty = newsletters.create_newsletter(
        actor, NewsletterDraft(title="Leeg", segment=centre_segment)
    )
    with pytest.raises(ValidationError, match="minstens één blok"):
        newsletters.send_newsletter(actor, empty)
    newsletters.add_block(actor, empty, "text", text_block())
    # Nobody in the centre asked for the newsletter.
    reader(centre, newsletter=False)
    with pytest.raises(ValidationError, match="niemand bereiken"):
        newsletters.send_newsletter(actor, empty)
    empty.refresh_from_db()
    assert empty.status == NewsletterStatus.DRAFT
    assert not OutboundMessage.objects.exists()


def test_bad_drafts_are_refused_with_a_reason_per_field(editor: Any, centre_segment: Any) -> None:
    actor = as_actor(editor)
    with pytest.raises(ValidationError) as refused:
        newsletters.create_newsletter(
            actor, NewsletterDraft(title="  ", segment=None, intro="x" * 1001)
        )
    assert set(refused.value.message_dict) == {"title", "segment", "intro"}
    assert not Newsletter.objects.exists()


def test_staff_of_another_municipality_cannot_use_the_segment_or_the_newsletter(
    other_editor: Any, centre_segment: Any, draft_newsletter: Any
) -> None:
    other = as_actor(other_editor)
    with pytest.raises(Http404):
        newsletters.create_newsletter(
            other, NewsletterDraft(title="Overname", segment=centre_segment)
        )
    with pytest.raises(Http404):
        newsletters.send_newsletter(other, draft_newsletter)
    with pytest.raises(Http404):
        segments.save_segment(other, centre_segment, SegmentDraft(name="Weg", whole_network=True))


def test_an_entrepreneur_cannot_compose(centre: Any, centre_segment: Any) -> None:
    with pytest.raises(PermissionDenied):
        newsletters.create_newsletter(
            as_actor(reader(centre)), NewsletterDraft(title="Spam", segment=centre_segment)
        )


def test_blocks_move_and_disappear_in_order(editor: Any, draft_newsletter: Any) -> None:
    actor = as_actor(editor)
    first = draft_newsletter.blocks.get()
    links = get_block_type("links")
    second = newsletters.add_block(
        actor,
        draft_newsletter,
        "links",
        links.to_data(
            {
                "heading": "Lees meer",
                "links": [
                    {
                        "label": "DTC",
                        "url": "https://www.digitaltrustcenter.nl",
                        "host": "www.digitaltrustcenter.nl",
                    }
                ],
            }
        ),
    )
    newsletters.move_block(actor, second, -1)
    assert list(draft_newsletter.blocks.values_list("pk", flat=True)) == [second.pk, first.pk]
    newsletters.move_block(actor, second, -1)  # at the top already: nothing changes
    assert list(draft_newsletter.blocks.values_list("pk", flat=True)) == [second.pk, first.pk]
    newsletters.remove_block(actor, second)
    assert list(draft_newsletter.blocks.values_list("pk", flat=True)) == [first.pk]
    with pytest.raises(ValidationError):
        newsletters.add_block(actor, draft_newsletter, "poll", {})


def test_a_test_goes_to_the_composer_marked_as_test_and_changes_nothing(
    commit: Any, editor: Any, draft_newsletter: Any
) -> None:
    commit(lambda: newsletters.send_test(as_actor(editor), draft_newsletter, []))
    assert [email.to for email in mail.outbox] == [["communicatie@breda.example.nl"]]
    assert mail.outbox[0].subject == "[TEST] Nieuwsbrief december"
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers
    # Nobody's own link in a test: the body points to the preferences page instead.
    assert f"Afmelden voor deze nieuwsbrief: {preferences_url()}" in mail.outbox[0].body
    draft_newsletter.refresh_from_db()
    assert draft_newsletter.status == NewsletterStatus.DRAFT
    assert not newsletters.messages_of(draft_newsletter).exists()


@pytest.mark.parametrize(
    ("addresses", "message"),
    [
        (["geen-adres"], "is geen e-mailadres"),
        ([f"a{i}@example.nl" for i in range(6)], "maximaal 5 adressen"),
    ],
)
def test_test_addresses_are_checked(
    editor: Any, draft_newsletter: Any, addresses: list[str], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        newsletters.send_test(as_actor(editor), draft_newsletter, addresses)
    assert not Delivery.objects.exists()


def test_a_scheduled_newsletter_goes_out_when_due_to_the_segment_of_that_moment(
    commit: Any, editor: Any, draft_newsletter: Any, centre: Any
) -> None:
    reader(centre, email="eerste@example.nl")
    when = timezone.now() + datetime.timedelta(hours=2)
    newsletters.schedule_newsletter(as_actor(editor), draft_newsletter, when)
    # Joins after scheduling, before sending: the segment is live.
    reader(centre, email="later@example.nl")

    assert (
        commit(lambda: newsletters.send_due_newsletters(now=when - datetime.timedelta(minutes=1)))
        == 0
    )
    assert mail.outbox == []
    assert commit(lambda: newsletters.send_due_newsletters(now=when)) == 1
    assert sorted(email.to[0] for email in mail.outbox) == ["eerste@example.nl", "later@example.nl"]
    draft_newsletter.refresh_from_db()
    assert draft_newsletter.status == NewsletterStatus.SENT
    assert commit(lambda: newsletters.send_due_newsletters(now=when)) == 0


def test_scheduling_is_checked_and_can_be_taken_back(
    editor: Any, draft_newsletter: Any, centre: Any
) -> None:
    reader(centre)
    actor = as_actor(editor)
    with pytest.raises(ValidationError, match="in de toekomst"):
        newsletters.schedule_newsletter(
            actor, draft_newsletter, timezone.now() - datetime.timedelta(minutes=1)
        )
    with pytest.raises(ValidationError, match="een jaar vooruit"):
        newsletters.schedule_newsletter(
            actor, draft_newsletter, timezone.now() + datetime.timedelta(days=400)
        )
    scheduled = newsletters.schedule_newsletter(
        actor, draft_newsletter, timezone.now() + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        newsletters.add_block(actor, scheduled, "text", text_block())
    back = newsletters.unschedule_newsletter(actor, scheduled)
    assert back.status == NewsletterStatus.DRAFT
    assert back.scheduled_for is None
    with pytest.raises(ValidationError, match="Alleen een ingeplande"):
        newsletters.unschedule_newsletter(actor, back)


def test_a_scheduled_newsletter_whose_segment_emptied_returns_to_draft(
    commit: Any, editor: Any, draft_newsletter: Any, centre: Any
) -> None:
    person = reader(centre)
    when = timezone.now() + datetime.timedelta(hours=1)
    newsletters.schedule_newsletter(as_actor(editor), draft_newsletter, when)
    withdraw_consent(as_actor(person), "newsletter")
    assert commit(lambda: newsletters.send_due_newsletters(now=when)) == 0
    draft_newsletter.refresh_from_db()
    assert draft_newsletter.status == NewsletterStatus.DRAFT
    assert AuditEntry.objects.filter(action="newsletters.newsletter.reached_nobody").exists()
    assert mail.outbox == []


def test_withdrawing_consent_stops_a_newsletter_not_yet_sent(
    editor: Any, draft_newsletter: Any, centre: Any
) -> None:
    person = reader(centre)
    # Sent without running the after-commit hand-over: the email delivery stays queued.
    newsletters.send_newsletter(as_actor(editor), draft_newsletter)
    newsletters.fan_out(draft_newsletter.pk)
    email = Delivery.objects.get(recipient=person, channel="email")
    assert email.status == DeliveryStatus.QUEUED
    withdraw_consent(as_actor(person), "newsletter")
    email.refresh_from_db()
    assert email.status == DeliveryStatus.CANCELLED


def test_segments_choose_by_role_sector_and_when_they_joined(
    editor: Any, area: Any, centre: Any, outskirts: Any
) -> None:
    owner = reader(centre, email="eigenaar@example.nl")
    employee = reader(centre, role=BusinessRole.EMPLOYEE, email="medewerker@example.nl")
    AmbassadorFactory(person=employee, area=area)
    old_hand = reader(outskirts, email="oud@example.nl")
    late = reader(
        BusinessFactory(area=area, sbi_code="5630", joined_network_on=None),
        email="nooit@example.nl",
    )
    actor = as_actor(editor)
    municipality = area.municipality

    def people(**conditions: Any) -> set[str]:
        segment = segments.save_segment(
            actor, None, SegmentDraft(name="Test", municipalities=[municipality], **conditions)
        )
        return set(segments_module.people_in(segment).values_list("email", flat=True))

    from weerbaar.newsletters import segments as segments_module

    assert people() == {owner.email, employee.email, old_hand.email, late.email}
    assert people(roles=["owner"]) == {owner.email, old_hand.email, late.email}
    assert people(roles=["ambassador"]) == {employee.email}
    assert people(sectors=["47"]) == {owner.email, employee.email}
    today = timezone.localdate()
    assert segments_module.joined_since("this_year", today) == datetime.date(today.year, 1, 1)
    joined_this_year = segments.save_segment(
        actor,
        None,
        SegmentDraft(name="Nieuw", municipalities=[municipality], joined_within="this_year"),
    )
    target = segments_module.target_of(joined_this_year, today=today)
    from weerbaar.alerts import audience
    from weerbaar.alerts.models import MessageKind

    reached = set(
        audience.people_in(target, MessageKind.NEWSLETTER).values_list("email", flat=True)
    )
    assert reached == {owner.email, employee.email}
    # The same segment next year: nobody joined then (yet).
    next_year = segments_module.target_of(
        joined_this_year, today=datetime.date(today.year + 1, 2, 1)
    )
    assert not audience.people_in(next_year, MessageKind.NEWSLETTER).exists()


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (SegmentDraft(name=""), "name"),
        (SegmentDraft(name="x", sectors=["47a"]), "sectors"),
        (SegmentDraft(name="x", roles=["burgemeester"]), "roles"),
        (SegmentDraft(name="x", joined_within="gisteren"), "joined_within"),
        (SegmentDraft(name="x", whole_network=True), "whole_network"),
    ],
)
def test_bad_segments_are_refused(editor: Any, area: Any, draft: SegmentDraft, field: str) -> None:
    if field != "whole_network":
        draft.areas = [area]
    with pytest.raises(ValidationError) as refused:
        segments.save_segment(as_actor(editor), None, draft)
    assert field in refused.value.message_dict


def test_a_segment_in_use_cannot_be_deleted(
    editor: Any, centre_segment: Any, draft_newsletter: Any
) -> None:
    with pytest.raises(ValidationError, match="gebruikt door 1 nieuwsbrieven"):
        segments.delete_segment(as_actor(editor), centre_segment)


def test_a_newsletter_test_to_a_bounced_address_says_so(
    editor: Any, draft_newsletter: Any, centre: Any
) -> None:
    reader(centre)
    outbox.record_bounce(sent_email_delivery("oud@example.nl").pk, reason="5.1.1")
    with pytest.raises(ValidationError, match="eerder onbestelbaar"):
        newsletters.send_test(as_actor(editor), draft_newsletter, ["oud@example.nl"])
    assert not Delivery.objects.filter(message__kind="newsletter_test").exists()


def test_the_unsubscribe_link_of_a_newsletter_stops_newsletters_only(
    client: Any, commit: Any, editor: Any, draft_newsletter: Any, centre: Any
) -> None:
    from weerbaar.network.models import ConsentPurpose
    from weerbaar.network.services import portal

    person = reader(centre)
    ConsentFactory(person=person, purpose=ConsentPurpose.ALERTS)
    send(commit, editor, draft_newsletter)
    link = re.search(r"<(.+)>", mail.outbox[0].extra_headers["List-Unsubscribe"])
    assert link is not None

    response = client.post(
        urlsplit(link.group(1)).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not portal.has_consent(person, ConsentPurpose.NEWSLETTER)
    assert portal.has_consent(person, ConsentPurpose.ALERTS)
