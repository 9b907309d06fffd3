"""Demo newsletters: segments per municipality and a draft newsletter for Breda, ready to
preview, test and send. Called by `manage.py load_demo_data` after the network demo.

Safe to run again: the audit entry "demo_data.newsletters_loaded" marks that they exist.
Nothing is sent: a demo that mailed every demo member on loading would only be noise; the
demo user sends the draft (or a test) from /beheer/nieuwsbrieven/.
"""

from __future__ import annotations

from django.db import transaction

from weerbaar.accounts.models import User
from weerbaar.core.audit import record
from weerbaar.core.models import AuditEntry
from weerbaar.network.models import Municipality
from weerbaar.newsletters.blocks import get_block_type
from weerbaar.newsletters.models import JoinedWithin, Newsletter, NewsletterBlock, Segment

LOADED = "demo_data.newsletters_loaded"
EDITOR = "oov@breda.weerbaar.demo"


def load_newsletter_demo() -> dict[str, int]:
    """Create the demo segments and newsletter when they were not loaded before."""
    created = {"segments": 0, "newsletters": 0}
    with transaction.atomic():
        if AuditEntry.objects.filter(action=LOADED).exists():
            return created
        editor = User.objects.filter(email=EDITOR).first()
        for municipality in Municipality.objects.order_by("name"):
            everyone = Segment.objects.create(
                name=f"Alle leden {municipality.name}", municipality=municipality, created_by=editor
            )
            everyone.municipalities.set([municipality])
            new_members = Segment.objects.create(
                name=f"Nieuwe leden {municipality.name} dit jaar",
                municipality=municipality,
                joined_within=JoinedWithin.THIS_YEAR,
                created_by=editor,
            )
            new_members.municipalities.set([municipality])
            hospitality = Segment.objects.create(
                name=f"Horeca {municipality.name}",
                municipality=municipality,
                sectors=["56"],
                created_by=editor,
            )
            hospitality.municipalities.set([municipality])
            created["segments"] += 3
        breda_everyone = Segment.objects.filter(name="Alle leden Breda").first()
        if breda_everyone is not None:
            _december_newsletter(breda_everyone, editor)
            created["newsletters"] += 1
        record(None, LOADED, None, created)
    return created


def _december_newsletter(segment: Segment, editor: User | None) -> None:
    newsletter = Newsletter.objects.create(
        title="Veilig ondernemen in december",
        intro=(
            "De drukste weken van het jaar komen eraan. Hieronder leest u waar u op let, "
            "hoe het in de binnenstad ging en waar u meer hulp vindt."
        ),
        segment=segment,
        municipality=segment.municipality,
        created_by=editor,
    )
    text = get_block_type("text").to_data(
        {
            "heading": "Let op bij de kassa",
            "body": (
                "Rond de feestdagen zijn zakkenrollers en oplichters met valse biljetten "
                "actief. Leg geld direct weg, controleer biljetten van 50 euro en hoger met "
                "voelen, kijken, kantelen, en laat klanten niet achter de toonbank.\n\n"
                "Ziet u iets verdachts? Bel 112 bij direct gevaar, anders 0900-8844, of meld "
                "het in Weerbaar; dat kan ook anoniem."
            ),
        }
    )
    figures = get_block_type("figures").to_data(
        {
            "heading": "De binnenstad in cijfers",
            "figures": [
                {"label": "Meldingen in november", "value": "42"},
                {"label": "Met terugkoppeling binnen 5 werkdagen", "value": "88%"},
                {"label": "Nieuwe leden dit jaar", "value": "17"},
            ],
            "note": "Bron: meldingen in Weerbaar, november.",
        }
    )
    links = get_block_type("links").to_data(
        {
            "heading": "Meer weten",
            "links": [
                {
                    "label": "Cyberweerbaarheid voor ondernemers",
                    "url": "https://www.digitaltrustcenter.nl",
                    "host": "www.digitaltrustcenter.nl",
                },
                {
                    "label": "Keurmerk Veilig Ondernemen",
                    "url": "https://www.hetccv.nl",
                    "host": "www.hetccv.nl",
                },
            ],
        }
    )
    NewsletterBlock.objects.bulk_create(
        NewsletterBlock(newsletter=newsletter, kind=kind, data=data, position=position)
        for position, (kind, data) in enumerate(
            [("text", text), ("figures", figures), ("links", links)], start=1
        )
    )
