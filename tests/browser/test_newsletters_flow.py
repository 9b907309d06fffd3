"""Newsletters end to end in the browser: municipal staff make a segment (checking whom it
reaches), compose a newsletter from a text, a figures and a links block, put the blocks in
order, preview it, send a test and send it, all with the keyboard where it matters; the
entrepreneur reads the web version on a phone.

Every page is checked with axe and photographed at desktop and phone width
(test-artifacts/screenshots/staff/newsletter-*.png, .../entrepreneur/newsletter-*.png).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.conftest import World
from tests.browser.test_keyboard import tab_to
from tests.factories import ConsentFactory
from weerbaar.network.models import ConsentPurpose
from weerbaar.newsletters.models import Newsletter, NewsletterStatus

pytestmark = pytest.mark.django_db(transaction=True)

Check = Callable[[Page], None]
Shoot = Callable[..., list[Path]]


def test_staff_compose_and_send_a_newsletter_and_the_entrepreneur_reads_it_on_the_web(
    page: Page,
    world: World,
    login_as: Callable[[str], None],
    assert_accessible: Check,
    screenshot: Shoot,
) -> None:
    entrepreneur = world.users["entrepreneur"]
    for purpose in (ConsentPurpose.NETWORK_MEMBERSHIP, ConsentPurpose.NEWSLETTER):
        ConsentFactory(person=entrepreneur, purpose=purpose)

    login_as("staff")
    page.goto("/beheer/")
    page.get_by_role("link", name="Nieuwsbrieven").click()
    expect(page.get_by_role("heading", name="Nieuwsbrieven", level=1)).to_be_visible()
    page.get_by_role("link", name="Doelgroepen: naar wie nieuwsbrieven gaan").click()
    page.get_by_role("link", name="Nieuwe doelgroep").click()
    page.get_by_label("Naam").fill("Eigenaren binnenstad")
    page.get_by_label("Binnenstad (Breda)").check()
    page.get_by_label("Eigenaren").check()
    page.get_by_label("Lid geworden van het netwerk").select_option("this_year")
    page.get_by_label("Lid geworden van het netwerk").select_option("")
    page.get_by_role("button", name="Toon wie dit bereikt").click()
    reach = page.get_by_role("status").filter(has_text="Wie deze doelgroep vandaag bereikt")
    expect(reach).to_contain_text("1 persoon")
    screenshot(page, "staff", "newsletter-segment", check=assert_accessible)
    page.get_by_role("button", name="Doelgroep opslaan").click()
    expect(page.get_by_role("table")).to_contain_text("Eigenaren binnenstad")

    page.get_by_role("link", name="Nieuwsbrieven").first.click()
    page.get_by_role("link", name="Nieuwe nieuwsbrief").click()
    page.get_by_label("Titel").fill("Veilig de feestdagen in")
    page.get_by_label("Inleiding").fill("De drukste weken van het jaar: zo blijft uw zaak veilig.")
    page.get_by_label("Doelgroep").select_option(label="Eigenaren binnenstad")
    page.get_by_role("button", name="Opslaan en blokken toevoegen").click()
    expect(page.get_by_role("heading", name="Veilig de feestdagen in", level=1)).to_be_visible()

    page.get_by_role("link", name="Tekst", exact=True).click()
    page.get_by_label("Kop").fill("Let op bij de kassa")
    page.get_by_label("Tekst").fill(
        "Zakkenrollers en oplichters zijn actief in de binnenstad.\n\n"
        "Leg geld direct weg en laat klanten niet achter de toonbank."
    )
    page.get_by_role("button", name="Blok opslaan").click()

    page.get_by_role("link", name="Cijfers", exact=True).click()
    page.get_by_label("Kop").fill("De binnenstad in cijfers")
    page.get_by_label("Cijfers").fill("Meldingen in november | 42\nWinkeldiefstallen | -12%")
    page.get_by_label("Bron of toelichting").fill("Bron: politie Breda")
    page.get_by_role("button", name="Blok opslaan").click()

    page.get_by_role("link", name="Links", exact=True).click()
    page.get_by_label("Links").fill("Checklist cyberweerbaarheid | javascript:alert(1)")
    page.get_by_role("button", name="Blok opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("is geen webadres")
    screenshot(page, "staff", "newsletter-block-error", check=assert_accessible)
    page.get_by_label("Links").fill(
        "Checklist cyberweerbaarheid | https://www.digitaltrustcenter.nl"
    )
    page.get_by_role("button", name="Blok opslaan").click()

    # The figures go first: with the keyboard, "Move up" on block 2.
    tab_to(page, 'form[action*="/omhoog/"] button')
    page.keyboard.press("Enter")
    blocks = page.locator(".wb-blocks > li")
    expect(blocks.nth(0)).to_contain_text("De binnenstad in cijfers")
    expect(blocks.nth(1)).to_contain_text("Let op bij de kassa")
    screenshot(page, "staff", "newsletter-compose", check=assert_accessible)

    page.get_by_role("link", name="Voorbeeld", exact=True).click()
    expect(page.get_by_text("Voorbeeld: zo lezen ontvangers de nieuwsbrief.")).to_be_visible()
    screenshot(page, "staff", "newsletter-preview", check=assert_accessible)
    page.get_by_role("link", name="Terug naar de nieuwsbrief").click()

    page.get_by_role("button", name="Test versturen").click()
    expect(page.get_by_text("Er is een test onderweg naar oov@breda.example.nl.")).to_be_visible()
    tests = [m for m in mail.outbox if m.subject.startswith("[TEST]")]
    assert [m.to for m in tests] == [["oov@breda.example.nl"]]

    tab_to(page, 'form[action$="/versturen/"] button')
    page.keyboard.press("Enter")
    expect(page.get_by_text("De nieuwsbrief wordt verstuurd.")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("E-mail")
    screenshot(page, "staff", "newsletter-sent", check=assert_accessible)
    newsletter = Newsletter.objects.get()
    assert newsletter.status == NewsletterStatus.SENT
    sent = [m for m in mail.outbox if m.subject == "Veilig de feestdagen in"]
    assert [m.to for m in sent] == [["ondernemer@example.nl"]]
    html = sent[0].alternatives[0][0]
    web_link = re.search(r'href="([^"]+/nieuwsbrief/[^"]+)"', str(html))
    assert web_link

    # The entrepreneur opens the web version from the email, on a phone, without logging in.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(urlsplit(web_link.group(1)).path)
    expect(page.get_by_role("heading", name="Veilig de feestdagen in", level=1)).to_be_visible()
    expect(page.get_by_text("Meldingen in november")).to_be_visible()
    expect(page.get_by_role("link", name="Checklist cyberweerbaarheid")).to_have_attribute(
        "href", "https://www.digitaltrustcenter.nl"
    )
    screenshot(page, "entrepreneur", "newsletter-web-version", check=assert_accessible)
