"""Every page, as the role that uses it: loads, passes axe (WCAG 2.1 AA), fits a phone.

The pages are data: add a `Visit` to PAGES to cover a new page. A URL name that does not
exist (yet) fails the test with a clear message rather than being skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page

from tests.browser.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)

# URL arguments, built from the test world (tests/browser/conftest.py).
KWARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "": lambda world: {},
    "municipality": lambda world: {"slug": world.municipality.slug},
    "municipality_pk": lambda world: {"pk": world.municipality.pk},
    "area": lambda world: {"pk": world.area.pk},
    "business": lambda world: {"pk": world.business.pk},
    "report_municipality": lambda world: {"municipality": world.municipality.slug},
    "anonymous_report": lambda world: {"reference": world.reports["anonymous"].reference},
    "portal_report": lambda world: {"reference": world.reports["portal"].reference},
    "confidential_report": lambda world: {"reference": world.reports["confidential"].reference},
}


@dataclass(frozen=True)
class Visit:
    role: str  # a key of World.users
    url_name: str  # "namespace:name"; or a literal path starting with "/"
    kwargs: str = ""  # a key of KWARGS
    status: int = 200
    name: str = ""  # screenshot file name; defaults to the URL name
    query: str = ""  # query string, without "?"

    @property
    def id(self) -> str:
        return f"{self.role}-{self.screenshot_name}"

    @property
    def screenshot_name(self) -> str:
        return self.name or self.url_name.replace(":", "-")


PAGES: list[Visit] = [
    # Anyone
    Visit("anonymous", "core:home"),
    Visit("anonymous", "public:municipality", "municipality"),
    Visit("anonymous", "accounts:login"),
    Visit("anonymous", "/deze-pagina-bestaat-niet/", status=404, name="not-found"),
    Visit("anonymous", "reports_public:start"),
    Visit("anonymous", "reports_public:new", "report_municipality"),
    Visit("anonymous", "reports_public:follow"),
    Visit("anonymous", "insights:transparency", "municipality"),
    # Entrepreneurs and ambassadors: the portal
    Visit("entrepreneur", "portal:dashboard"),
    Visit("entrepreneur", "portal:profile"),
    Visit("entrepreneur", "portal:business_edit", "business"),
    Visit("entrepreneur", "portal:consents"),
    Visit("entrepreneur", "reports_portal:list"),
    Visit("entrepreneur", "reports_portal:new"),
    Visit("entrepreneur", "reports_portal:detail", "portal_report"),
    Visit("ambassador", "portal:dashboard"),
    Visit("ambassador", "portal:ambassador_area"),
    # Municipal staff: the back office
    Visit("staff", "core:back_office"),
    Visit("staff", "staff_import:upload"),
    Visit("staff", "staff_import:kvk_lookup", query="kvk=90412345"),
    Visit("staff", "staff:municipality_list"),
    Visit("staff", "staff:municipality_detail", "municipality_pk"),
    Visit("staff", "staff:area_list"),
    Visit("staff", "staff:area_detail", "area"),
    Visit("staff", "staff:area_edit", "area"),
    Visit("staff", "staff:business_list"),
    Visit("staff", "staff:business_detail", "business"),
    Visit("staff", "staff:business_create"),
    Visit("staff", "staff:person_list"),
    Visit("staff", "staff:organisation_list"),
    Visit("staff", "reports_staff:queue"),
    Visit("staff", "reports_staff:queue", query="status=all&sort=due", name="queue-filtered"),
    Visit("staff", "reports_staff:detail", "anonymous_report"),
    Visit("staff", "reports_staff:detail", "portal_report", name="report-detail-portal"),
    Visit("staff", "reports_staff:new"),
    # Police
    Visit("police", "core:back_office"),
    Visit("police", "staff:business_list"),
    Visit("police", "staff:area_detail", "area"),
    Visit("police", "reports_staff:queue"),
    # The officer designated for confidential reports
    Visit("detective", "reports_staff:queue"),
    Visit("detective", "reports_staff:detail", "confidential_report", name="confidential"),
    # Platform administrators
    Visit("admin", "core:back_office"),
    Visit("admin", "core:audit_log"),
    Visit("admin", "staff:municipality_list"),
    Visit("admin", "staff:municipality_detail", "municipality_pk"),
]


# English text that has shown up on Dutch pages: Django 6.1's label for an empty choice in a
# select has no Dutch translation in Django's own catalogue.
ENGLISH_LEFTOVERS = ["Select an option"]
# A template comment that spans lines ({# ... #} is one line only) is printed as text.
TEMPLATE_LEFTOVERS = ["{#", "#}", "{%", "{{"]


def url_for(visit: Visit, world: World) -> str:
    if visit.url_name.startswith("/"):
        path = visit.url_name
    else:
        try:
            path = reverse(visit.url_name, kwargs=KWARGS[visit.kwargs](world))
        except NoReverseMatch:
            pytest.fail(f"URL name {visit.url_name!r} does not exist (yet); no page to test.")
    return f"{path}?{visit.query}" if visit.query else path


@pytest.mark.parametrize("visit", PAGES, ids=[visit.id for visit in PAGES])
def test_page_is_accessible_and_fits_a_phone(
    visit: Visit,
    world: World,
    page: Page,
    login_as: Callable[[str], None],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[..., Any],
) -> None:
    url = url_for(visit, world)
    login_as(visit.role)

    response = page.goto(url)

    assert response is not None
    assert response.status == visit.status, f"{url} as {visit.role}: {response.status}"
    assert page.url.endswith(url), f"{url} as {visit.role} was redirected to {page.url}"
    assert page.locator("h1").count() == 1, f"{url} needs exactly one h1"
    assert page.title().strip(), f"{url} has no <title>"
    assert page.locator("html").get_attribute("lang") == "nl"
    screenshot(page, visit.role, visit.screenshot_name, check=assert_accessible)
    body = page.locator("body").inner_text() + " ".join(page.locator("option").all_inner_texts())
    for english in ENGLISH_LEFTOVERS:
        assert english not in body, f"{url} shows English text on a Dutch page: {english!r}"
    for leftover in TEMPLATE_LEFTOVERS:
        assert leftover not in body, f"{url} shows template syntax: {leftover!r}"


def test_design_system_css_is_served_from_node_modules(world: World, page: Page) -> None:
    """The Utrecht component CSS and the theme tokens come through STATICFILES_DIRS."""
    page.goto(reverse("accounts:login"))

    font_family = page.evaluate("getComputedStyle(document.body).fontFamily")
    button = page.locator("main button.utrecht-button--primary-action").first
    background = button.evaluate("el => getComputedStyle(el).backgroundColor")

    # Without the stylesheets Chromium uses its serif default and a grey button.
    assert "Times" not in font_family, font_family
    assert background not in {"rgb(239, 239, 239)", "rgba(0, 0, 0, 0)"}, background
    node_modules = Path(settings.NODE_MODULES)
    for url, source in (
        ("vendor/utrecht/index.css", "@utrecht/component-library-css/dist/index.css"),
        (
            "vendor/voorbeeld-tokens/theme.css",
            "@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css",
        ),
    ):
        response = page.request.get(f"/static/{url}")
        assert response.status == 200, url
        assert response.body() == (node_modules / source).read_bytes(), url
