"""Alerts end to end in the browser: OOV staff compose an alert, check whom it reaches and
send it; the entrepreneur finds it in their messages on a phone, reads it, and chooses what
they receive; the unsubscribe link from the email works without logging in.

Every page is checked with axe and photographed at desktop and phone width
(test-artifacts/screenshots/staff/alert-*.png and .../entrepreneur/alert-*.png).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.conftest import World
from tests.browser.test_keyboard import tab_to
from tests.factories import ConsentFactory
from weerbaar.alerts.models import Alert, AlertStatus
from weerbaar.core.models import SuppressedAddress
from weerbaar.network.models import ConsentPurpose

pytestmark = pytest.mark.django_db(transaction=True)

Check = Callable[[Page], None]
Shoot = Callable[..., list[Path]]


def test_staff_send_an_alert_and_the_entrepreneur_reads_it(
    page: Page,
    world: World,
    login_as: Callable[[str], None],
    assert_accessible: Check,
    screenshot: Shoot,
) -> None:
    entrepreneur = world.users["entrepreneur"]
    for purpose in (ConsentPurpose.NETWORK_MEMBERSHIP, ConsentPurpose.ALERTS):
        ConsentFactory(person=entrepreneur, purpose=purpose)

    login_as("staff")
    page.goto("/beheer/")
    page.get_by_role("link", name="Waarschuwingen").click()
    expect(page.get_by_role("heading", name="Waarschuwingen", level=1)).to_be_visible()
    page.get_by_role("link", name="Nieuwe waarschuwing").click()
    page.get_by_label("Titel").fill("Valse tientjes in omloop")
    page.get_by_label("Ernst").select_option("urgent")
    page.get_by_label("Categorie").select_option("counterfeit_money")
    page.get_by_label("Bericht").fill(
        "Twee mannen betalen in de binnenstad met valse biljetten van 10 euro."
    )
    page.get_by_label("Wat kunt u doen").fill("Controleer biljetten met voelen, kijken, kantelen.")
    page.get_by_label("Binnenstad (Breda)").check()
    page.get_by_role("button", name="Toon wie dit bereikt").click()
    reach = page.get_by_role("status").filter(has_text="Wie deze waarschuwing nu bereikt")
    expect(reach).to_contain_text("1 persoon")
    screenshot(page, "staff", "alert-compose", check=assert_accessible)

    page.get_by_role("button", name="Concept opslaan").click()
    expect(page.get_by_role("heading", name="Valse tientjes in omloop")).to_be_visible()
    # Sending is one keyboard press away.
    tab_to(page, 'form[action$="/versturen/"] button')
    page.keyboard.press("Enter")
    expect(page.get_by_text("De waarschuwing is vrijgegeven en wordt verstuurd.")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("E-mail")
    screenshot(page, "staff", "alert-sent", check=assert_accessible)
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.PUBLISHED
    alert_mails = [m for m in mail.outbox if m.subject.startswith("Dringende waarschuwing")]
    assert [m.to for m in alert_mails] == [["ondernemer@example.nl"]]
    unsubscribe_link = re.search(r"<(.+)>", alert_mails[0].extra_headers["List-Unsubscribe"])
    assert unsubscribe_link
    # The same personal link stands at the bottom of the email itself.
    assert f"stop deze waarschuwingen: {unsubscribe_link.group(1)}" in alert_mails[0].body

    page.context.clear_cookies()
    login_as("entrepreneur")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/mijn/")
    expect(page.get_by_text("1 nieuw")).to_be_visible()
    page.get_by_role("link", name="Mijn berichten").click()
    screenshot(page, "entrepreneur", "alert-inbox", check=assert_accessible)
    page.get_by_role("link", name=re.compile("Valse tientjes in omloop")).click()
    expect(page.get_by_text("voelen, kijken, kantelen")).to_be_visible()
    screenshot(page, "entrepreneur", "alert-message", check=assert_accessible)
    # The link is absolute (it also goes out by email and push), to SITE_URL; here we follow
    # its path on the test server.
    link = page.get_by_role("link", name="Open de pagina van dit bericht").get_attribute("href")
    assert link
    assert link.endswith(f"/mijn/waarschuwingen/{alert.pk}/")
    page.goto(f"/mijn/waarschuwingen/{alert.pk}/")
    expect(page.get_by_role("heading", name="Valse tientjes in omloop", level=1)).to_be_visible()
    screenshot(page, "entrepreneur", "alert-page", check=assert_accessible)

    # Their mail server later refused an email for good: the page says so, and offers a way
    # back once the mailbox works again.
    SuppressedAddress.objects.create(address=entrepreneur.email, reason="550 5.1.1 unknown")
    page.goto("/mijn/berichtinstellingen/")
    expect(page.get_by_role("heading", name="Wat ik ontvang")).to_be_visible()
    expect(page.get_by_text("sturen we geen e-mail naar ondernemer@example.nl")).to_be_visible()
    screenshot(page, "entrepreneur", "alert-preferences-bounced", check=assert_accessible)
    tab_to(page, 'input[value="email_again"] ~ button')
    page.keyboard.press("Enter")
    expect(page.get_by_text("We mailen u weer op dit adres.")).to_be_visible()
    assert not SuppressedAddress.objects.exists()
    screenshot(page, "entrepreneur", "alert-preferences", check=assert_accessible)
    alerts_section = page.get_by_role("region", name="Waarschuwingen")
    alerts_section.get_by_label("E-mail").uncheck()
    alerts_section.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Opgeslagen: Waarschuwingen.")).to_be_visible()

    page.context.clear_cookies()
    page.goto(urlsplit(unsubscribe_link.group(1)).path)
    expect(page.get_by_text("o…@example.nl")).to_be_visible()
    screenshot(page, "anonymous", "alert-unsubscribe", check=assert_accessible)
    page.get_by_role("button", name="Afmelden", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Gelukt")
    assert not entrepreneur.consents.filter(
        purpose=ConsentPurpose.ALERTS, withdrawn_at__isnull=True
    ).exists()


def test_the_unsubscribe_page_answers_a_broken_link_clearly(
    page: Page, world: World, assert_accessible: Check, screenshot: Shoot, live_server: Any
) -> None:
    response = page.goto("/afmelden/kapot/")
    assert response is not None
    assert response.status == 400
    expect(page.get_by_role("heading", name="Deze link werkt niet")).to_be_visible()
    screenshot(page, "anonymous", "alert-unsubscribe-broken", check=assert_accessible)
