from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from weerbaar.accounts import services
from weerbaar.accounts.models import MagicLink

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery-staple"


def test_pages(world, page, assert_accessible, screenshot, settings):
    settings.SHOW_MAGIC_LINK_ON_PAGE = True
    settings.OIDC_PROVIDERS = {
        "sso": {**settings.OIDC_PROVIDERS["sso"], "client_id": "x", "authorization_endpoint": "https://idp.example.test/a", "token_endpoint": "https://idp.example.test/t"},
        "eherkenning": {**settings.OIDC_PROVIDERS["eherkenning"], "client_id": "x", "authorization_endpoint": "https://idp.example.test/a", "token_endpoint": "https://idp.example.test/t"},
    }
    page.goto("/account/inloggen/")
    screenshot(page, "tmp-accounts", "login", assert_accessible)
    # invalid password
    page.locator("#password-login-username").fill(world.users["staff"].email)
    page.locator("#password-login-password").fill("wrong")
    page.locator("main form button[type=submit]").first.click()
    screenshot(page, "tmp-accounts", "login-wrong", assert_accessible)
    # invalid magic email
    page.locator("#magic-link-email").fill("nope")
    page.get_by_role("button", name=re.compile("link", re.I)).click()
    screenshot(page, "tmp-accounts", "magic-invalid", assert_accessible)
    page.locator("#magic-link-email").fill(world.users["entrepreneur"].email)
    page.get_by_role("button", name=re.compile("link", re.I)).click()
    screenshot(page, "tmp-accounts", "magic-sent", assert_accessible)
    page.locator("main a").first.click()
    screenshot(page, "tmp-accounts", "magic-confirm", assert_accessible)
    page.locator("main form button[type=submit]").click()
    page.goto("/account/inloggen/link/" + "B" * 43 + "/")
    screenshot(page, "tmp-accounts", "magic-404", assert_accessible)
    # staff setup
    page.context.clear_cookies()
    page.goto("/account/inloggen/?next=/beheer/")
    page.locator("#password-login-username").fill(world.users["staff"].email)
    page.locator("#password-login-password").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("h1")).to_have_count(1)
    screenshot(page, "tmp-accounts", "totp-setup", assert_accessible)
    page.locator("input[autocomplete=one-time-code]").fill("123456")
    page.locator("main form button[type=submit]").first.click()
    screenshot(page, "tmp-accounts", "totp-setup-wrong", assert_accessible)
    page.goto("/oidc/sso/callback/?code=x&state=y")
    screenshot(page, "tmp-accounts", "oidc-failure", assert_accessible)
    page.context.clear_cookies()
    for _ in range(6):
        page.goto("/account/inloggen/")
        page.locator("#password-login-username").fill(world.users["police"].email)
        page.locator("#password-login-password").fill("wrong")
        page.locator("main form button[type=submit]").first.click()
    screenshot(page, "tmp-accounts", "locked", assert_accessible)
