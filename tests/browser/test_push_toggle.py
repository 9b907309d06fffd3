"""The device toggle in headless Chromium: shown only where push works, and turning push on
and off reaches the server. Chromium cannot reach a real push service here, so the browser's
PushManager.subscribe() is replaced by one that hands out a subscription with real keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.factories import BusinessPersonFactory, UserFactory
from tests.helpers import login_verified
from tests.webpush.factories import subscription_json
from weerbaar.contrib.webpush.keys import generate_vapid_key_pair
from weerbaar.contrib.webpush.models import PushSubscription

pytestmark = pytest.mark.browser

ENDPOINT = "https://fcm.googleapis.com/fcm/send/browser-test"

# A stand-in PushManager: subscribe() succeeds offline, getSubscription() remembers it.
FAKE_PUSH_MANAGER = """
(() => {
  const json = %s;
  let current = null;
  const make = () => ({
    endpoint: json.endpoint,
    options: {applicationServerKey: null},
    toJSON: () => json,
    unsubscribe: async () => { current = null; return true; },
  });
  PushManager.prototype.getSubscription = async function () { return current; };
  PushManager.prototype.subscribe = async function () { current = make(); return current; };
})();
"""


@pytest.fixture
def context(browser: Browser, live_server: Any, settings: Any) -> Iterator[BrowserContext]:
    settings.ROOT_URLCONF = "tests.webpush.toggle_urls"
    settings.WEBPUSH_VAPID_PUBLIC_KEY = generate_vapid_key_pair().public_key
    ctx = browser.new_context(base_url=live_server.url, locale="en-GB")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


def log_in(context: BrowserContext, live_server: Any) -> Any:
    user = UserFactory(email="eva@bakkerij.example.nl")
    BusinessPersonFactory(person=user)
    client = Client()
    login_verified(client, user)
    session_id = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session_id, "url": live_server.url}]
    )
    return user


def test_push_is_turned_on_and_off_from_the_toggle(
    context: BrowserContext, live_server: Any, transactional_db: None
) -> None:
    user = log_in(context, live_server)
    context.grant_permissions(["notifications"])
    context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(subscription_json(ENDPOINT)))
    page: Page = context.new_page()
    page.goto("/push-toggle/")

    toggle = page.locator("[data-webpush-toggle]")
    expect(toggle).to_be_visible()
    button = page.get_by_role("button", name="Turn on notifications on this device")
    expect(page.get_by_role("status")).to_have_text("Notifications are off for this device.")
    scope = page.evaluate("navigator.serviceWorker.getRegistration().then(r => r && r.scope)")
    assert scope == live_server.url + "/"

    button.click()

    expect(page.get_by_role("status")).to_have_text("Notifications are on for this device.")
    off = page.get_by_role("button", name="Turn off notifications on this device")
    expect(off).to_be_enabled()
    assert list(user.push_subscriptions.values_list("endpoint", flat=True)) == [ENDPOINT]

    off.click()

    expect(page.get_by_role("status")).to_have_text("Notifications are off for this device.")
    assert not PushSubscription.objects.exists()


def test_the_toggle_stays_hidden_when_notifications_are_blocked(
    context: BrowserContext, live_server: Any, transactional_db: None
) -> None:
    log_in(context, live_server)
    context.add_init_script(
        "Object.defineProperty(Notification, 'permission', {get: () => 'denied'});"
    )
    page = context.new_page()
    page.goto("/push-toggle/")
    page.wait_for_load_state("networkidle")

    expect(page.locator("[data-webpush-toggle]")).to_be_hidden()


def test_the_toggle_stays_hidden_without_push_support(
    context: BrowserContext, live_server: Any, transactional_db: None
) -> None:
    log_in(context, live_server)
    context.add_init_script("delete window.PushManager;")
    page = context.new_page()
    page.goto("/push-toggle/")
    page.wait_for_load_state("networkidle")

    expect(page.locator("[data-webpush-toggle]")).to_be_hidden()
