"""Keyboard use: skip link, language switch and a form, without touching the mouse."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, World, totp_code

pytestmark = pytest.mark.django_db(transaction=True)


def tab_to(page: Page, selector: str, max_presses: int = 40) -> None:
    """Press Tab until the focused element matches `selector`; fail when it never does."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} cannot be reached with Tab within {max_presses} presses")


def focused_description(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return `${e.tagName.toLowerCase()}#${e.id}.${e.className} ${e.textContent.trim()}`; }"
    )


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(world: World, page: Page) -> None:
    page.goto(reverse("core:home"))

    page.keyboard.press("Tab")

    skip_link = page.locator("a.utrecht-skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    expect(skip_link).to_have_attribute("href", "#main")
    box = skip_link.bounding_box()
    assert box is not None
    assert box["width"] > 1
    assert box["height"] > 1, "the skip link must be visible when it has focus"

    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "main", focused_description(page)
    # The next Tab continues from the main content, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_language_switch_works_with_the_keyboard(world: World, page: Page) -> None:
    page.goto(reverse("public:municipality", kwargs={"slug": world.municipality.slug}))
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    tab_to(page, ".wb-language button")
    expect(page.locator(".wb-language button")).to_have_text("English")
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#areas-heading")).to_have_text("Areas in the network")
    # The switch keeps the visitor on the same page.
    assert page.url.endswith(f"/gemeente/{world.municipality.slug}/")

    tab_to(page, ".wb-language button")
    expect(page.locator(".wb-language button")).to_have_text("Nederlands")
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("#areas-heading")).to_have_text("Gebieden in het netwerk")


def focus_is_visible(page: Page) -> bool:
    """The focused element shows a focus ring (an outline or a box shadow)."""
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)"
        " || s.boxShadow !== 'none'; }"
    )


def test_login_form_can_be_filled_and_submitted_with_the_keyboard(world: World, page: Page) -> None:
    """Staff log in with email address, password and authenticator code, keyboard only."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    staff = world.users["staff"]
    device = TOTPDevice.objects.create(user=staff, name="Authenticator", confirmed=True)
    page.goto(reverse("accounts:login"))

    tab_to(page, "#inloggen-met-wachtwoord input[name=username]")
    assert focus_is_visible(page), focused_description(page)
    page.keyboard.type(staff.email)
    page.keyboard.press("Tab")
    expect(page.locator("#inloggen-met-wachtwoord input[type=password]")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    submit = page.locator("#inloggen-met-wachtwoord button[type=submit]")
    expect(submit).to_be_focused()
    assert focus_is_visible(page), focused_description(page)
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Vul uw code in")
    tab_to(page, "input[autocomplete=one-time-code]")
    page.keyboard.type(totp_code(device))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(re.escape(reverse("core:back_office")) + "$"))
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_a_form_can_be_filled_and_submitted_with_the_keyboard(
    world: World,
    page: Page,
    login_as: Callable[[str], None],
    assert_accessible: Callable[[Page], None],
) -> None:
    """Staff look up a business in the KvK register (offline fake) using only the keyboard."""
    login_as("staff")
    page.goto(reverse("staff_import:kvk_lookup"))

    tab_to(page, "#kvk-number")
    page.keyboard.type("1234")
    page.keyboard.press("Tab")
    expect(page.locator("main form button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")

    # Bad input: an alert that explains the format (8 digits, such as 12345678).
    result = page.locator("#kvk-result")
    expect(result.get_by_role("alert")).to_contain_text("12345678")
    assert_accessible(page)

    tab_to(page, "#kvk-number")
    page.keyboard.press("Control+A")
    page.keyboard.type("90412345")
    page.keyboard.press("Enter")

    expect(result).to_contain_text("Bakkerij Het Gouden Korenaar")
    assert_accessible(page)


def test_entrepreneur_corrects_business_details_with_the_keyboard(
    world: World,
    page: Page,
    login_as: Callable[[str], None],
    assert_accessible: Callable[[Page], None],
) -> None:
    """A POST form: a bad phone number is explained next to the field, then saved."""
    login_as("entrepreneur")
    page.goto(reverse("portal:business_edit", kwargs={"pk": world.business.pk}))

    tab_to(page, "input[name=phone]")
    page.keyboard.type("12")
    page.keyboard.press("Enter")

    phone = page.locator("input[name=phone]")
    expect(phone).to_have_attribute("aria-invalid", "true")
    error_id = (phone.get_attribute("aria-describedby") or "").split()
    assert any(page.locator(f"#{i}").count() for i in error_id), "error not linked to field"
    assert_accessible(page)

    tab_to(page, "input[name=phone]")
    page.keyboard.press("Control+A")
    page.keyboard.type("076-5123456")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(re.escape(reverse("portal:dashboard")) + "$"))
    expect(page.locator(".utrecht-alert--ok[role=status]")).to_contain_text(world.business.name)
    world.business.refresh_from_db()
    assert world.business.phone == "076-5123456"
