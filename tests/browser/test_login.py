"""Logging in through the real screens: staff with password and a code from their
authenticator app, entrepreneurs and ambassadors with a login link from their email.

The other browser tests log in by setting the session (conftest.login_as), so that they do
not depend on these screens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, World, totp_code

pytestmark = pytest.mark.django_db(transaction=True)

# Where each role lands after logging in, and the navigation link that only it sees.
LANDING = {
    "staff": ("core:back_office", "Beheer"),
    "police": ("core:back_office", "Beheer"),
    "admin": ("core:back_office", "Beheer"),
    "entrepreneur": ("portal:dashboard", "Mijn bedrijf"),
    "ambassador": ("portal:dashboard", "Mijn bedrijf"),
}


@pytest.mark.parametrize("role", list(LANDING))
def test_every_role_logs_in_through_the_login_page(
    role: str, world: World, page: Page, log_in_through_ui: Callable[[Page, str], None]
) -> None:
    url_name, nav_link = LANDING[role]

    log_in_through_ui(page, role)

    expect(page).to_have_url(re.compile(re.escape(reverse(url_name)) + "$"))
    nav = page.get_by_role("navigation", name="Hoofdnavigatie")
    expect(nav.get_by_role("link", name=nav_link)).to_be_visible()
    expect(nav.get_by_role("button", name="Uitloggen")).to_be_visible()
    expect(nav.get_by_role("link", name="Inloggen")).to_have_count(0)


def test_staff_second_factor_page_is_accessible_and_keeps_next(
    world: World,
    page: Page,
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., list[Path]],
) -> None:
    staff = world.users["staff"]
    device = TOTPDevice.objects.create(user=staff, name="Authenticator", confirmed=True)
    area_list = reverse("staff:area_list")

    page.goto(f"{reverse('accounts:login')}?next={area_list}")
    assert_accessible(page)
    form = page.locator("#inloggen-met-wachtwoord form")
    form.get_by_label("E-mailadres").fill(staff.email)
    form.get_by_label("Wachtwoord").fill(PASSWORD)
    form.get_by_role("button", name="Inloggen met wachtwoord").click()

    code_field = page.get_by_label("Code uit uw authenticator-app")
    expect(code_field).to_be_visible()
    screenshot(page, "staff", "login-second-factor", check=assert_accessible)

    code_field.fill("000000" if totp_code(device) != "000000" else "111111")
    code_field.press("Enter")
    expect(code_field).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    # django-otp makes the next attempt wait after a wrong code; a person would wait too.
    device.refresh_from_db()
    device.throttle_reset()

    code_field.fill(totp_code(device))
    code_field.press("Enter")

    expect(page).to_have_url(re.compile(re.escape(area_list) + "$"))


def test_wrong_password_says_so_and_does_not_log_in(world: World, page: Page) -> None:
    staff = world.users["staff"]

    page.goto(reverse("accounts:login"))
    form = page.locator("#inloggen-met-wachtwoord form")
    form.get_by_label("E-mailadres").fill(staff.email)
    form.get_by_label("Wachtwoord").fill("not-the-password")
    form.get_by_role("button", name="Inloggen met wachtwoord").click()

    expect(page.locator("input[autocomplete=one-time-code]")).to_have_count(0)
    expect(page.get_by_role("alert")).to_contain_text(re.compile("wachtwoord", re.IGNORECASE))
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()


def test_login_link_pages_are_accessible(
    world: World,
    page: Page,
    mailoutbox: list[Any],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., list[Path]],
) -> None:
    entrepreneur = world.users["entrepreneur"]

    page.goto(reverse("accounts:login"))
    form = page.locator("#inloggen-met-link form")
    form.get_by_label("E-mailadres").fill(entrepreneur.email)
    form.get_by_role("button").click()

    expect(page.locator("h1")).to_have_text("Kijk in uw e-mail")
    screenshot(page, "entrepreneur", "login-link-sent", check=assert_accessible)
    link = re.search(r"https?://\S+", mailoutbox[-1].body)
    assert link, mailoutbox[-1].body

    page.goto(urlsplit(link.group()).path)

    # The token has left the address bar; a button uses the link.
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:magic_link_confirm")) + "$"))
    screenshot(page, "entrepreneur", "login-link-confirm", check=assert_accessible)
    page.locator("main form").get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("portal:dashboard")) + "$"))

    # The link works once.
    page.goto(urlsplit(link.group()).path)
    expect(page.locator("h1")).not_to_have_text(re.compile("Welkom"))
    assert_accessible(page)
