"""The address search in the public report form, keyboard only (PDOK fake client)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from tests.browser.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


@override_settings(PDOK_CLIENT="fake")
def test_choosing_a_suggested_address_fills_the_place_and_the_point(
    page: Page, live_server: Any, world: World, assert_accessible: Callable[[Page], None]
) -> None:
    page.goto(f"{live_server.url}/meldingen/breda/")
    search = page.locator("#address-search")
    expect(search).to_be_visible()
    search.press_sequentially("Ginnekenstraat 14")
    choice = page.locator("[data-address-choice]")
    expect(choice).to_have_count(1)
    expect(page.locator("[data-address-status]")).to_contain_text("1")
    assert_accessible(page)

    search.press("Enter")  # searches, does not send the report
    expect(page).to_have_url(f"{live_server.url}/meldingen/breda/")
    search.press("ArrowDown")
    expect(choice).to_be_focused()
    page.keyboard.press("Enter")

    place = page.locator("[name='location_text']")
    expect(place).to_have_value("Ginnekenstraat 14, 4811JH Breda")
    expect(place).to_be_focused()
    expect(page.locator("[name='latitude']")).to_have_value("51.587190")
    expect(page.locator("[name='longitude']")).to_have_value("4.777089")
    expect(page.locator("[data-address-choice]")).to_have_count(0)


def test_without_javascript_the_search_stays_hidden(
    browser: Any, live_server: Any, world: World
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/meldingen/breda/")
    expect(page.locator("#address-search")).to_be_hidden()
    expect(page.locator("[name='location_text']")).to_be_visible()
    context.close()
