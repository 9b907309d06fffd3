"""The newsletter pages: composing from blocks, preview, test, schedule, send, segments, and
the public web version. Bad input answers 400 with the reason and writes nothing."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.helpers import login_verified
from tests.newsletters.conftest import reader
from weerbaar.newsletters.models import Newsletter, NewsletterStatus, Segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client: Client, editor: Any) -> Client:
    login_verified(client, editor)
    return client


def test_compose_a_newsletter_from_blocks_and_send_it(
    editor_client: Client, centre_segment: Any, centre: Any, commit: Any
) -> None:
    reader(centre, email="bakker@example.nl")
    created = editor_client.post(
        reverse("newsletters_staff:create"),
        {"title": "Nieuwsbrief januari", "intro": "Goed nieuws.", "segment": centre_segment.pk},
    )
    newsletter = Newsletter.objects.get()
    assert created.url == reverse("newsletters_staff:detail", args=[newsletter.pk])
    page = editor_client.get(created.url)
    assert page.status_code == 200
    assert "1 persoon bij 1 bedrijven" in page.content.decode()

    add = reverse("newsletters_staff:block_add", args=[newsletter.pk, "figures"])
    assert editor_client.get(add).status_code == 200
    saved = editor_client.post(
        add,
        {
            "block-heading": "In cijfers",
            "block-figures": "Meldingen in december | 42\nWinkeldiefstallen | -12%",
            "block-note": "Bron: politie",
        },
    )
    assert saved.status_code == 302
    links = reverse("newsletters_staff:block_add", args=[newsletter.pk, "links"])
    editor_client.post(
        links, {"block-heading": "", "block-links": "Checklist | https://www.example.nl/checklist"}
    )
    assert list(newsletter.blocks.values_list("kind", flat=True)) == ["figures", "links"]
    figures = newsletter.blocks.get(kind="figures")
    assert figures.data["figures"] == [
        {"label": "Meldingen in december", "value": "42"},
        {"label": "Winkeldiefstallen", "value": "-12%"},
    ]

    preview = editor_client.get(reverse("newsletters_staff:preview", args=[newsletter.pk]))
    assert preview.status_code == 200
    assert "Meldingen in december" in preview.content.decode()

    commit(lambda: editor_client.post(reverse("newsletters_staff:send", args=[newsletter.pk])))
    newsletter.refresh_from_db()
    assert newsletter.status == NewsletterStatus.SENT
    assert [email.to for email in mail.outbox] == [["bakker@example.nl"]]
    detail = editor_client.get(
        reverse("newsletters_staff:detail", args=[newsletter.pk])
    ).content.decode()
    assert str(newsletter.public_id) in detail  # the web version's link


@pytest.mark.parametrize(
    ("kind", "data", "reason"),
    [
        (
            "links",
            {"block-links": "Lees meer | https://www.example.nl\nKlik hier | javascript:alert(1)"},
            "Regel 2: javascript:alert(1) is geen webadres",
        ),
        (
            "links",
            {"block-links": "https://zonder-tekst.example.nl"},
            "Regel 1: schrijf de tekst van de link en het adres",
        ),
        ("links", {"block-links": "\n \n"}, "Dit veld is verplicht."),
        ("figures", {"block-figures": "Alleen tekst"}, "Regel 1: schrijf wat het cijfer is"),
        ("text", {"block-heading": "Kop", "block-body": ""}, "Dit veld is verplicht."),
    ],
)
def test_a_bad_block_is_refused_with_the_line_that_is_wrong(
    editor_client: Client, draft_newsletter: Any, kind: str, data: dict[str, str], reason: str
) -> None:
    response = editor_client.post(
        reverse("newsletters_staff:block_add", args=[draft_newsletter.pk, kind]), data
    )
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert draft_newsletter.blocks.count() == 1


def test_typed_html_is_shown_as_text(editor_client: Client, draft_newsletter: Any) -> None:
    block = draft_newsletter.blocks.get()
    editor_client.post(
        reverse("newsletters_staff:block_edit", args=[draft_newsletter.pk, block.pk]),
        {
            "block-heading": "<script>alert(1)</script>",
            "block-body": '<img src=x onerror="alert(1)">',
        },
    )
    preview = editor_client.get(
        reverse("newsletters_staff:preview", args=[draft_newsletter.pk])
    ).content.decode()
    assert "<script>alert(1)</script>" not in preview
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview
    assert "<img src=x" not in preview


def test_unknown_block_types_and_foreign_blocks_are_not_found(
    editor_client: Client, draft_newsletter: Any, editor: Any, centre_segment: Any
) -> None:
    assert (
        editor_client.get(
            reverse("newsletters_staff:block_add", args=[draft_newsletter.pk, "peiling"])
        ).status_code
        == 404
    )
    other = Newsletter.objects.create(
        title="Ander", segment=centre_segment, municipality=centre_segment.municipality
    )
    block = draft_newsletter.blocks.get()
    assert (
        editor_client.get(
            reverse("newsletters_staff:block_edit", args=[other.pk, block.pk])
        ).status_code
        == 404
    )


def test_test_send_and_schedule_answer_bad_input_with_400(
    editor_client: Client, draft_newsletter: Any, centre: Any
) -> None:
    reader(centre)
    test = editor_client.post(
        reverse("newsletters_staff:test", args=[draft_newsletter.pk]),
        {"addresses": "geen-adres, ook@"},
    )
    assert test.status_code == 400
    assert "geen-adres" in test.content.decode()
    past = timezone.localtime() - datetime.timedelta(hours=1)
    schedule = reverse("newsletters_staff:schedule", args=[draft_newsletter.pk])
    refused = editor_client.post(schedule, {"scheduled_for": past.strftime("%Y-%m-%dT%H:%M")})
    assert refused.status_code == 400
    assert editor_client.post(schedule, {"scheduled_for": "morgen"}).status_code == 400
    draft_newsletter.refresh_from_db()
    assert draft_newsletter.status == NewsletterStatus.DRAFT
    later = timezone.localtime() + datetime.timedelta(days=2)
    assert (
        editor_client.post(
            schedule, {"scheduled_for": later.strftime("%Y-%m-%dT%H:%M")}
        ).status_code
        == 302
    )
    draft_newsletter.refresh_from_db()
    assert draft_newsletter.status == NewsletterStatus.SCHEDULED
    # Scheduled: the block buttons are refused with the reason, nothing changes.
    block = draft_newsletter.blocks.get()
    removed = editor_client.post(
        reverse("newsletters_staff:block_remove", args=[draft_newsletter.pk, block.pk])
    )
    assert removed.status_code == 400
    assert draft_newsletter.blocks.count() == 1
    assert (
        editor_client.post(
            reverse("newsletters_staff:unschedule", args=[draft_newsletter.pk])
        ).status_code
        == 302
    )
    assert mail.outbox == []


def test_segments_are_made_with_a_reach_preview_and_checked(
    editor_client: Client, area: Any, centre: Any, municipality: Any
) -> None:
    reader(centre)
    url = reverse("newsletters_staff:segment_create")
    assert editor_client.get(url).status_code == 200
    preview = editor_client.post(
        url, {"name": "Eigenaren", "areas": [area.pk], "roles": ["owner"], "preview": "1"}
    )
    assert preview.status_code == 200
    assert not Segment.objects.exists()
    assert editor_client.post(url, {"name": "", "sectors": "abc"}).status_code == 400
    assert editor_client.post(url, {"name": "Alles", "whole_network": "on"}).status_code == 400
    assert not Segment.objects.exists()
    saved = editor_client.post(
        url,
        {"name": "Eigenaren", "areas": [area.pk], "roles": ["owner"], "joined_within": "this_year"},
    )
    assert saved.status_code == 302
    segment = Segment.objects.get()
    assert (segment.municipality, segment.roles, segment.joined_within) == (
        municipality,
        ["owner"],
        "this_year",
    )
    listing = editor_client.get(reverse("newsletters_staff:segments"))
    assert listing.context["rows"] == [(segment, 1)]
    assert (
        editor_client.post(
            reverse("newsletters_staff:segment_delete", args=[segment.pk])
        ).status_code
        == 302
    )
    assert not Segment.objects.exists()


def test_the_web_version_is_public_once_sent_and_only_then(
    client: Client, editor: Any, draft_newsletter: Any, centre: Any, commit: Any
) -> None:
    from tests.alerts.conftest import as_actor
    from weerbaar.newsletters.services import newsletters

    url = reverse("newsletters_public:web_version", args=[draft_newsletter.public_id])
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("newsletters_public:web_version", args=[uuid.uuid4()])).status_code
        == 404
    )
    assert client.get("/nieuwsbrief/geen-uuid/").status_code == 404
    reader(centre)
    commit(lambda: newsletters.send_newsletter(as_actor(editor), draft_newsletter))
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Nieuwsbrief december" in body
    assert "Tweede alinea." in body


def test_entrepreneurs_and_other_municipalities_stay_out(
    client: Client, other_editor: Any, draft_newsletter: Any, centre: Any
) -> None:
    client.force_login(reader(centre))
    assert client.get(reverse("newsletters_staff:list")).status_code == 403
    client.logout()
    login_verified(client, other_editor)
    assert client.get(reverse("newsletters_staff:list")).status_code == 200
    assert (
        client.get(reverse("newsletters_staff:detail", args=[draft_newsletter.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("newsletters_staff:send", args=[draft_newsletter.pk])).status_code
        == 404
    )
