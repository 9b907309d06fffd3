"""One login through the real forms: staff with password and a TOTP code from their app.

The other browser tests set the session directly so they do not depend on the login UI.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple"  # tests/factories.UserFactory
# The one-time code field, by the HTML standard's autocomplete hint or a common name.
CODE_FIELD = (
    "input[autocomplete='one-time-code'], input[name='otp_token'], "
    "input[name='token'], input[name='code']"
)


def test_staff_log_in_with_password_and_authenticator_code(
    world: World,
    page: Page,
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., list[Path]],
) -> None:
    staff = world.users["staff"]
    device = TOTPDevice.objects.create(user=staff, name="Authenticator", confirmed=True)
    back_office = reverse("core:back_office")

    page.goto(f"{reverse('accounts:login')}?next={back_office}")
    assert_accessible(page)
    page.get_by_label(re.compile(r"e-?mail", re.IGNORECASE)).first.fill(staff.email)
    page.locator("main input[type=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()

    code_field = page.locator(CODE_FIELD).first
    expect(code_field).to_be_visible()
    screenshot(page, "staff", "login-second-factor", check=assert_accessible)
    code_field.fill(
        f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"
    )
    code_field.press("Enter")

    expect(page).to_have_url(re.compile(re.escape(back_office) + "$"))
    expect(page.locator("h1")).to_have_text("Beheer")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_wrong_password_says_so_and_does_not_log_in(world: World, page: Page) -> None:
    staff = world.users["staff"]

    page.goto(reverse("accounts:login"))
    page.get_by_label(re.compile(r"e-?mail", re.IGNORECASE)).first.fill(staff.email)
    page.locator("main input[type=password]").fill("not-the-password")
    page.locator("main form button[type=submit]").first.click()

    expect(page.locator(CODE_FIELD)).to_have_count(0)
    expect(page.locator("main")).to_contain_text(re.compile("wachtwoord", re.IGNORECASE))
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()
