"""Reports end to end in the browser, keyboard only: an anonymous reporter on a phone, and a
handler who resolves a report whose reporter then gives a verdict with the receipt code.

Every step is checked with axe and photographed at desktop and phone width
(test-artifacts/screenshots/reporter/ and .../handler/).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.browser.conftest import World
from tests.browser.test_keyboard import focus_is_visible, focused_description, tab_to

pytestmark = pytest.mark.django_db(transaction=True)

PHONE: ViewportSize = {"width": 390, "height": 844}
Check = Callable[[Page], None]
Shoot = Callable[..., list[Path]]


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    """A phone-sized browser, in Dutch, that may use the clipboard (for "copy the code")."""
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport=PHONE, device_scale_factor=1
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def focused_is_inside(page: Page, selector: str) -> bool:
    return bool(
        page.evaluate(
            "s => { const c = document.querySelector(s);"
            " return !!c && c.contains(document.activeElement); }",
            selector,
        )
    )


def press_until_checked(page: Page, selector: str, key: str = "ArrowDown") -> None:
    """In a radio group the arrow keys move the choice; press until `selector` is chosen."""
    for _ in range(10):
        if page.evaluate("s => document.querySelector(s).checked", selector):
            return
        page.keyboard.press(key)
    pytest.fail(f"{selector} was not chosen with {key}")


def test_anonymous_reporter_reports_and_follows_on_a_phone_with_the_keyboard(
    world: World,
    phone: BrowserContext,
    assert_accessible: Check,
    screenshot: Shoot,
) -> None:
    from tests.reports.factories import category
    from weerbaar.accounts.policy import actor_for
    from weerbaar.reports import services
    from weerbaar.reports.models import Report, ReportStatus

    page = phone.new_page()
    shoot = "reporter"

    # The start page explains when to call 112 and leads to the form.
    page.goto(reverse("reports_public:start"))
    expect(page.locator("main")).to_contain_text("Bel 112")
    screenshot(page, shoot, "a1-start", check=assert_accessible)
    tab_to(page, "main a[href$='/meldingen/breda/']")
    assert focus_is_visible(page), focused_description(page)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Melding doen in Breda")
    assert_accessible(page)

    # A first attempt that is too short and incomplete: the error summary takes the focus.
    tab_to(page, "#id_description")
    page.keyboard.type("Kort")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.title().startswith("Fout:"), page.title()
    expect(summary.get_by_role("link")).to_have_count(4)  # category, text, place, anonymous
    screenshot(page, shoot, "a2-form-errors", check=assert_accessible)
    # Each link leads into its field: the category link focuses the category list.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    assert focused_is_inside(page, "#id_category"), focused_description(page)
    description = page.locator("#id_description")
    expect(description).to_have_attribute("aria-invalid", "true")
    error_ids = (description.get_attribute("aria-describedby") or "").split()
    assert "id_description_error" in error_ids, error_ids

    # Choose "Shoplifting": open its group with the keyboard, then choose it.
    shoplifting = f"#id_category_{category('shoplifting').pk}"
    tab_to(page, "details.wb-category-group:has(" + shoplifting + ") > summary")
    page.keyboard.press("Enter")
    tab_to(page, shoplifting)
    page.keyboard.press("Space")
    expect(page.locator(shoplifting)).to_be_checked()

    tab_to(page, "#id_description")
    page.keyboard.press("Control+A")
    page.keyboard.type("Een man stopte scheermesjes in zijn jas en liep zonder te betalen weg.")
    tab_to(page, "#id_location_text")
    page.keyboard.type("Ginnekenstraat 20")
    tab_to(page, "input[name=anonymous]")
    press_until_checked(page, "input[name=anonymous][value=anonymous]")
    # Anonymous: the contact details are put away, so nothing identifying can be sent.
    expect(page.locator("[data-contact-details]")).to_be_hidden()
    screenshot(page, shoot, "a3-form-filled", check=assert_accessible)
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")

    # The receipt: the code, large and readable, shown once.
    expect(page.locator("h1")).to_have_text("Uw melding is ontvangen")
    code_text = page.locator(".wb-receipt-code")
    expect(code_text).to_be_visible()
    font_size = float(code_text.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert font_size >= 24, f"the receipt code is {font_size}px; it must be easy to read"
    code = code_text.inner_text().replace("\n", "").replace(" ", "")
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code), code
    assert code not in page.url
    screenshot(page, shoot, "a4-receipt", check=assert_accessible)
    copy = page.locator("[data-copy-code]")
    tab_to(page, "[data-copy-code]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-copy-status]")).to_have_text(copy.get_attribute("data-done") or "?")
    assert page.evaluate("navigator.clipboard.readText()") == code

    # Meanwhile a handler asks a question.
    report = Report.objects.get(is_anonymous=True, location_text="Ginnekenstraat 20")
    services.transition_report(
        actor_for(world.users["staff"]),
        report,
        ReportStatus.WAITING_FOR_REPORTER,
        version=report.version,
        text="Hoe zag de man eruit?",
    )

    # Following the report: paste the code from the clipboard.
    tab_to(page, f"main a[href='{reverse('reports_public:follow')}']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Uw melding volgen")
    screenshot(page, shoot, "a5-follow", check=assert_accessible)
    tab_to(page, "#id_code")
    page.keyboard.press("Control+V")
    expect(page.locator("#id_code")).to_have_value(code)
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_contain_text(report.reference)
    main = page.locator("main")
    expect(main).to_contain_text("Wacht op de melder")
    expect(main).to_contain_text("Hoe zag de man eruit?")
    screenshot(page, shoot, "a6-question", check=assert_accessible)

    # An empty answer is refused with an error summary, then the answer is sent.
    tab_to(page, "#id_text")
    tab_to(page, "main form:has(#id_text) button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert_accessible(page)
    tab_to(page, "#id_text")
    page.keyboard.type("Lang, rode jas, zwarte pet. Hij ging richting het station.")
    tab_to(page, "main form:has(#id_text) button[type=submit]")
    page.keyboard.press("Enter")

    expect(main.locator(".utrecht-alert--ok")).to_contain_text("gestuurd")
    expect(main).to_contain_text("In behandeling")
    expect(main).to_contain_text("Lang, rode jas")
    screenshot(page, shoot, "a7-answered", check=assert_accessible)
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS


def test_handler_resolves_and_the_anonymous_reporter_gives_a_verdict(
    world: World,
    page: Page,
    phone: BrowserContext,
    login_as: Callable[[str], None],
    assert_accessible: Check,
    screenshot: Shoot,
) -> None:
    from weerbaar.reports.models import ReportStatus

    report = world.reports["anonymous"]
    login_as("staff")

    # The queue, filtered on "waiting for the reporter" with the keyboard.
    page.goto(reverse("reports_staff:queue"))
    screenshot(page, "handler", "b1-queue", check=assert_accessible)
    tab_to(page, "#id_status")
    page.keyboard.type("Wacht")
    expect(page.locator("#id_status")).to_have_value("waiting_for_reporter")
    tab_to(page, "main form[role=search] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"status=waiting_for_reporter"))
    expect(page.locator("main [role=status]").first).to_have_text("1 melding gevonden")
    screenshot(page, "handler", "b2-queue-filtered", check=assert_accessible)

    tab_to(page, f"main a[href='{reverse('reports_staff:detail', args=[report.reference])}']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(f"Melding {report.reference}")
    screenshot(page, "handler", "b3-report", check=assert_accessible)

    # Resolve with feedback; without feedback the step is refused.
    resolve = "details:has(input[name=target][value=resolved])"
    tab_to(page, f"{resolve} > summary")
    page.keyboard.press("Enter")
    tab_to(page, f"{resolve} button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("main [role=alert]").first).to_contain_text("terugkoppeling")
    expect(page.locator(f"{resolve} textarea")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    tab_to(page, f"{resolve} textarea")
    page.keyboard.type(
        "Dank voor uw melding. De winkel heeft de beelden gedeeld en de politie kent de man."
    )
    tab_to(page, f"{resolve} button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.locator("main .utrecht-alert--ok")).to_contain_text("Afgehandeld")
    screenshot(page, "handler", "b4-resolved", check=assert_accessible)
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED

    # The reporter, on their own phone, opens the report with the receipt code.
    reporter = phone.new_page()
    reporter.goto(reverse("reports_public:follow"))
    tab_to(reporter, "#id_code")
    reporter.keyboard.type(world.receipt_codes["anonymous"].lower())  # small letters work too
    reporter.keyboard.press("Enter")
    main = reporter.locator("main")
    expect(main).to_contain_text("Afgehandeld")
    expect(main.locator("[data-feedback]")).to_contain_text("politie kent de man")
    screenshot(reporter, "reporter", "b5-feedback", check=assert_accessible)

    tab_to(reporter, "input[name=satisfied]")
    press_until_checked(reporter, "input[name=satisfied][value=yes]", key="Space")
    tab_to(reporter, "#id_comment")
    reporter.keyboard.type("Snel opgepakt, dank.")
    tab_to(reporter, "main form:has(#id_comment) button[type=submit]")
    reporter.keyboard.press("Enter")

    expect(main.locator(".utrecht-alert--ok")).to_contain_text("oordeel")
    expect(main).to_contain_text("Gesloten")
    screenshot(reporter, "reporter", "b6-verdict", check=assert_accessible)
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED
    assert report.is_satisfied is True


def test_transparency_page_with_a_year_of_figures(
    world: World,
    page: Page,
    assert_accessible: Check,
    screenshot: Shoot,
) -> None:
    """The public figures with real numbers: counts per month and group, small counts as
    "< 5", the feedback share and the median; readable on a phone."""
    import datetime

    from django.utils import timezone

    from tests.reports.factories import ReportFactory, category
    from weerbaar.insights.queries import add_months
    from weerbaar.reports.models import Report

    first_of_this_month = timezone.localdate().replace(day=1)
    codes = ["shoplifting", "theft", "phishing", "youth_nuisance", "drug_lab", "graffiti"]
    for months_ago in range(1, 13):
        month = add_months(first_of_this_month, -months_ago)
        received = timezone.make_aware(datetime.datetime.combine(month, datetime.time(10)))
        for index in range(4 + months_ago % 5):
            report: Any = ReportFactory(
                municipality=world.municipality, category=category(codes[index % len(codes)])
            )
            Report.objects.filter(pk=report.pk).update(
                created_at=received + datetime.timedelta(days=index),
                feedback_due=month + datetime.timedelta(days=20),
                feedback_at=received + datetime.timedelta(days=index + 3) if index % 4 else None,
            )

    page.goto(reverse("insights:transparency", kwargs={"slug": world.municipality.slug}))

    main = page.locator("main")
    expect(main.locator("table")).to_have_count(2)
    expect(main).to_contain_text("procent")
    expect(main).to_contain_text("< 5")
    # Numbers line up on the right, like figures in any table.
    numeric = main.locator("td.utrecht-table__cell--numeric").first
    assert numeric.evaluate("e => getComputedStyle(e).textAlign") in {"end", "right"}
    screenshot(page, "anonymous", "transparency-with-figures", check=assert_accessible)


def test_staff_enter_an_anonymous_report_by_phone_and_see_the_code_to_hand_over(
    world: World,
    page: Page,
    login_as: Callable[[str], None],
    assert_accessible: Check,
    screenshot: Shoot,
) -> None:
    from tests.reports.factories import category

    login_as("staff")
    page.goto(reverse("reports_staff:new"))
    # No stray field for the municipality: it is named in the text above the form.
    expect(page.locator("main form label:text-is('(optioneel)')")).to_have_count(0)

    vandalism = f"#id_category_{category('vandalism').pk}"
    page.locator(f"details.wb-category-group:has({vandalism}) > summary").press("Enter")
    page.locator(vandalism).check()
    page.locator("#id_description").fill("Beller zag twee mannen een ruit ingooien bij de bakker.")
    page.locator("#id_location_text").fill("Grote Markt 16")
    page.locator("input[name=anonymous][value=anonymous]").check()
    expect(page.locator("[data-contact-details]")).to_be_hidden()
    page.locator("main form button[type=submit]").press("Enter")

    expect(page.locator("h1")).to_have_text("De melding is ingevoerd")
    expect(page.locator(".wb-receipt-code")).to_be_visible()
    # Staff hand the code over and keep no copy: no copy button, printing is fine.
    expect(page.locator("[data-copy-code]")).to_have_count(0)
    expect(page.locator("[data-print]")).to_be_visible()
    screenshot(page, "staff", "on-behalf-receipt", check=assert_accessible)


def test_only_the_designated_officer_sees_the_confidential_report_in_the_queue(
    world: World, page: Page, login_as: Callable[[str], None]
) -> None:
    confidential = world.reports["confidential"].reference

    login_as("police")
    page.goto(reverse("reports_staff:queue"))
    expect(page.locator("main table")).not_to_contain_text(confidential)

    login_as("detective")
    page.goto(reverse("reports_staff:queue"))
    row = page.locator("main tbody tr", has_text=confidential)
    expect(row).to_have_count(1)
    expect(row.locator(".utrecht-status-badge")).to_have_text("Vertrouwelijk")
