"""Browser tests: headless Debian Chromium driven by Playwright against pytest-django's
live server. Every test in this folder carries the `browser` marker (`make test-browser`).

Two ways to log in. `login_as(role)` is quick: a django.test.Client logs the user in with the
second factor passed and its session cookie is copied into the browser context, so page tests
do not depend on the login screens. `log_in_through_ui(page, role)` uses the real screens:
email address, password and an authenticator code for staff; an emailed login link for
entrepreneurs and ambassadors. tests/browser/test_login.py runs it for every role.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM (used by the
# fixtures below) refuses to run in a thread with a running loop unless told it is fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO_DIR = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = REPO_DIR / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = (1280, 390)  # desktop, phone
PASSWORD = "correct-horse-battery-staple"  # tests/factories.UserFactory
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    # A Dutch visitor: the browser asks for Dutch, as most of the platform's users' do.
    ctx = browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport={"width": WIDTHS[0], "height": 900}
    )
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


# --- the people in the test world ---------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]
    municipality: Any
    area: Any
    business: Any
    # Reports by name (see `_add_reports`) and the receipt codes of the anonymous ones.
    reports: dict[str, Any] = field(default_factory=dict)
    receipt_codes: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def world(transactional_db: None) -> World:
    """One municipality (Breda) with an area and a business, and a user per role."""
    from tests.factories import (
        AmbassadorFactory,
        AreaContactFactory,
        AreaFactory,
        BusinessFactory,
        BusinessPersonFactory,
        MembershipFactory,
        MunicipalityFactory,
        OrganisationFactory,
        UserFactory,
    )
    from weerbaar.accounts.models import OrganisationKind, Role, StaffFunction
    from weerbaar.core.audit import record

    breda = MunicipalityFactory(
        name="Breda",
        slug="breda",
        network_name="Veilig Ondernemend Breda",
        introduction="Ondernemers, gemeente en politie werken samen aan een veilige binnenstad.",
    )
    binnenstad = AreaFactory(municipality=breda, name="Binnenstad", slug="binnenstad")
    AreaFactory(municipality=breda, name="Hazeldonk", slug="hazeldonk")
    business = BusinessFactory(area=binnenstad, name="Bakkerij De Korenbloem")
    BusinessFactory(area=binnenstad, name="Juwelier Van Dijk")
    municipality_org = OrganisationFactory(
        name="Gemeente Breda", kind=OrganisationKind.MUNICIPALITY
    )
    police_org = OrganisationFactory(
        name="Politie Zeeland-West-Brabant", kind=OrganisationKind.POLICE
    )
    AreaContactFactory(area=binnenstad, organisation=police_org, name="Wim Wijkagent")

    entrepreneur = UserFactory(email="ondernemer@example.nl", full_name="Eva Ondernemer")
    BusinessPersonFactory(person=entrepreneur, business=business)
    ambassador = UserFactory(email="ambassadeur@example.nl", full_name="Ahmed Ambassadeur")
    AmbassadorFactory(person=ambassador, area=binnenstad)
    BusinessPersonFactory(
        person=ambassador, business=BusinessFactory(area=binnenstad, name="Fietsenwinkel Snel")
    )
    staff = UserFactory(email="oov@breda.example.nl", full_name="Olga Oov")
    MembershipFactory(user=staff, organisation=municipality_org, municipalities=[breda])
    police = UserFactory(email="wijkagent@politie.example.nl", full_name="Wim Wijkagent")
    MembershipFactory(
        user=police,
        organisation=police_org,
        role=Role.POLICE,
        function=StaffFunction.COMMUNITY_OFFICER,
        areas=[binnenstad],
    )
    admin = UserFactory(email="beheer@weerbaar.example.nl", full_name="Bea Beheerder")
    MembershipFactory(
        user=admin,
        organisation=OrganisationFactory(
            name="Platformbeheer", kind=OrganisationKind.PLATFORM_OPERATOR
        ),
        role=Role.PLATFORM_ADMIN,
        function=StaffFunction.ADMINISTRATOR,
    )
    # Something for the audit log to show.
    record(staff, "network.update_business", business, {"phone": ["", "076 123 4567"]})
    record(None, "network.check_business_import", breda, {"rows": 12, "rows_with_errors": 1})
    # A police officer designated for confidential (undermining) reports.
    detective = UserFactory(email="ondermijning@politie.example.nl", full_name="Rik Recherche")
    MembershipFactory(
        user=detective,
        organisation=police_org,
        role=Role.POLICE,
        function=StaffFunction.POLICE_BUSINESS_LIAISON,
        municipalities=[breda],
        handles_confidential_reports=True,
    )
    world = World(
        users={
            "anonymous": None,
            "entrepreneur": entrepreneur,
            "ambassador": ambassador,
            "staff": staff,
            "police": police,
            "admin": admin,
            "detective": detective,
        },
        municipality=breda,
        area=binnenstad,
        business=business,
    )
    _add_reports(world, municipality_org, police_org)
    return world


def _png(colour: str) -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _seed_categories() -> None:
    """The category tree comes from a data migration; a transactional test empties every
    table when it ends, so the next test loads the tree again (the same rows)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("weerbaar.reports.migrations.0002_seed_category_tree")
    migration.seed_categories(apps, None)


def _add_reports(world: World, municipality_org: Any, police_org: Any) -> None:
    """Routing rules and reports, made through the services as in real use:

    - "anonymous": shoplifting in the Binnenstad, anonymous, with a photo; OOV asked the
      reporter a question, so it waits for the reporter. Its code is in `receipt_codes`.
    - "portal": the entrepreneur's own report from the portal, in progress, with an internal
      note and a message to the reporter.
    - "confidential": a suspected drug lab, routed to the police's undermining team; only
      the designated officer ("detective") sees it.
    """
    import datetime

    from django.contrib.auth.models import AnonymousUser
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from tests.reports.factories import RoutingRuleFactory, category
    from weerbaar.accounts.policy import actor_for
    from weerbaar.reports import services
    from weerbaar.reports.attachments import sanitise_attachments
    from weerbaar.reports.models import ReportChannel, ReportStatus
    from weerbaar.reports.services import ReportIntake

    _seed_categories()
    breda = world.municipality
    RoutingRuleFactory(
        priority=10, category=category("undermining"), organisation=police_org, team="Ondermijning"
    )
    RoutingRuleFactory(priority=100, municipality=breda, organisation=municipality_org, team="OOV")
    public = actor_for(AnonymousUser())
    staff = actor_for(world.users["staff"])
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)

    photo = SimpleUploadedFile("winkel.png", _png("steelblue"), content_type="image/png")
    anonymous = services.submit_report(
        public,
        ReportIntake(
            municipality=breda,
            category=category("shoplifting"),
            description="Twee jongens namen blikjes energiedrank mee zonder te betalen. "
            "Ze liepen richting de Grote Markt.",
            occurred_at=an_hour_ago,
            channel=ReportChannel.WEB,
            area=world.area,
            location_text="Ginnekenstraat 20, Breda",
            is_anonymous=True,
            attachments=sanitise_attachments([photo]),
        ),
    )
    report = anonymous.report
    services.transition_report(staff, report, ReportStatus.IN_PROGRESS, version=report.version)
    report.refresh_from_db()  # the services bump the version in the database only
    services.add_internal_note(staff, report, "Camerabeelden opvragen bij de winkel.")
    services.transition_report(
        staff,
        report,
        ReportStatus.WAITING_FOR_REPORTER,
        version=report.version,
        text="Kunt u de jongens beschrijven? Wat droegen ze?",
    )
    report.refresh_from_db()
    assert anonymous.receipt_code is not None
    world.reports["anonymous"] = report
    world.receipt_codes["anonymous"] = anonymous.receipt_code

    portal = services.submit_report(
        actor_for(world.users["entrepreneur"]),
        ReportIntake(
            municipality=breda,
            category=category("vandalism"),
            description="De ruit van de achterdeur is vannacht ingegooid.",
            occurred_at=an_hour_ago,
            channel=ReportChannel.PORTAL,
            business=world.business,
        ),
    ).report
    services.transition_report(staff, portal, ReportStatus.IN_PROGRESS, version=portal.version)
    portal.refresh_from_db()
    services.message_reporter(
        staff,
        portal,
        "Dank voor uw melding. De wijkagent komt deze week langs.",
        version=portal.version,
    )
    portal.refresh_from_db()
    world.reports["portal"] = portal

    world.reports["confidential"] = services.submit_report(
        public,
        ReportIntake(
            municipality=breda,
            category=category("drug_lab"),
            description="Het pand naast ons heeft afgeplakte ramen en ruikt 's nachts naar anijs.",
            occurred_at=an_hour_ago,
            channel=ReportChannel.WEB,
            area=world.area,
            location_text="Industrieweg 4, Breda",
            reporter_email="buurman@example.nl",
            reporter_name="Bas Buurman",
        ),
    ).report


@pytest.fixture
def login_as(context: BrowserContext, live_server: Any, world: World) -> Callable[[str], None]:
    """Log the browser context in as the world's user for `role` (second factor passed)."""
    from tests.helpers import login_verified

    def login(role: str) -> None:
        user = world.users[role]
        if user is None:
            return
        client = Client()
        login_verified(client, user)
        session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": live_server.url}]
        )

    return login


def totp_code(device: Any) -> str:
    """The code an authenticator app shows now for `device` (a django_otp TOTPDevice)."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"


@pytest.fixture
def log_in_through_ui(world: World, mailoutbox: list[Any]) -> Callable[[Page, str], None]:
    """Log in on the real login page as the world's user for `role` and wait for the landing
    page. Staff confirm with a code from an authenticator app (a confirmed TOTP device is
    created for them); entrepreneurs and ambassadors follow the login link from their email."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from weerbaar.accounts.policy import actor_for

    def log_in(page: Page, role: str) -> None:
        user = world.users[role]
        assert user is not None, "anonymous visitors do not log in"
        page.goto(reverse("accounts:login"))
        if actor_for(user).is_staff_member:
            device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
            form = page.locator("#inloggen-met-wachtwoord form")
            form.locator("input[name=username]").fill(user.email)
            form.locator("input[type=password]").fill(PASSWORD)
            form.locator("button[type=submit]").click()
            code = page.locator("input[autocomplete=one-time-code]")
            code.fill(totp_code(device))
            code.press("Enter")
            expect(page).to_have_url(re.compile(re.escape(reverse("core:back_office")) + "$"))
        else:
            form = page.locator("#inloggen-met-link form")
            form.locator("input[name=email]").fill(user.email)
            form.locator("button[type=submit]").click()
            expect(page.locator("main [role=status]")).to_be_visible()  # "check your email"
            assert mailoutbox, "no login link was emailed"
            link = re.search(r"https?://\S+", mailoutbox[-1].body)
            assert link, mailoutbox[-1].body
            page.goto(urlsplit(link.group()).path)
            page.locator("main form button[type=submit]").click()
            expect(page).to_have_url(re.compile(re.escape(reverse("portal:dashboard")) + "$"))

    return log_in


# --- axe and screenshots --------------------------------------------------------------------


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page; return serious and critical hits."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"]]
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"  {violation['helpUrl']}\n  targets: {'; '.join(targets)}"
        )
    return "\n".join(lines)


@pytest.fixture
def assert_accessible() -> Callable[[Page], None]:
    def check(page: Page) -> None:
        violations = axe_violations(page)
        assert not violations, (
            f"axe found {len(violations)} serious/critical WCAG 2.1 AA problem(s) on "
            f"{page.url}:\n{describe_violations(violations)}"
        )

    return check


@pytest.fixture
def screenshot() -> Callable[..., list[Path]]:
    """Full-page screenshots at desktop and phone width, to
    test-artifacts/screenshots/<role>/<name>-<width>.png. At each width the page must not
    scroll sideways (content wider than the screen is unusable on a phone); `check`, when
    given, runs at each width too (axe, for instance)."""

    def take(
        page: Page, role: str, name: str, check: Callable[[Page], None] | None = None
    ) -> list[Path]:
        folder = SCREENSHOT_DIR / role
        folder.mkdir(parents=True, exist_ok=True)
        original = page.viewport_size or {"width": WIDTHS[0], "height": 900}
        paths = []
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            path = folder / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, (
                f"{page.url} scrolls sideways at {width}px (content is {scroll_width}px wide); "
                f"see {path}"
            )
            if check is not None:
                check(page)
        page.set_viewport_size(original)
        return paths

    return take
