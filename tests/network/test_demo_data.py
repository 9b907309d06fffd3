"""manage.py load_demo_data: idempotent, valid and unique identifiers, printed logins."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from weerbaar.accounts.models import Membership, Organisation, Role, User
from weerbaar.core.models import AuditEntry
from weerbaar.network.demo_people import DEMO_LOGINS, DEMO_PASSWORD, STAFF_LOGINS
from weerbaar.network.models import (
    Ambassador,
    Area,
    AreaContact,
    Business,
    BusinessPerson,
    Consent,
    ConsentPurpose,
    Municipality,
)
from weerbaar.network.validators import POSTAL_CODE_RE

pytestmark = pytest.mark.django_db

MODELS = (
    Municipality,
    Area,
    Organisation,
    User,
    Membership,
    Business,
    BusinessPerson,
    Ambassador,
    AreaContact,
    Consent,
    AuditEntry,
)


def load() -> str:
    out = StringIO()
    call_command("load_demo_data", "--force", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_running_twice_creates_nothing_new_and_prints_the_logins_again() -> None:
    first_output = load()
    first = counts()
    second_output = load()

    assert counts() == first
    assert "er is niets nieuws aangemaakt" in second_output  # the command speaks Dutch
    for output in (first_output, second_output):
        assert DEMO_PASSWORD in output
        for login in DEMO_LOGINS:
            assert login.email in output
    assert AuditEntry.objects.filter(action="demo_data.loaded").count() == 1


def test_the_demo_holds_four_municipalities_and_a_few_hundred_businesses() -> None:
    load()

    codes = dict(Municipality.objects.values_list("slug", "cbs_code"))
    assert codes == {
        "breda": "GM0758",
        "wijdemeren": "GM1696",
        "westland": "GM1783",
        "delft": "GM0503",
    }
    assert Municipality.objects.get(slug="breda").network_name == "Veilig Ondernemend Breda"
    breda_areas = dict(Area.objects.filter(municipality__slug="breda").values_list("name", "kind"))
    assert breda_areas["Binnenstad"] == "retail_area"
    assert breda_areas["Hazeldonk"] == "business_park"
    assert breda_areas["Princenhage"] == "district"
    assert breda_areas["Ulvenhout"] == "village_core"
    wijdemeren = set(
        Area.objects.filter(municipality__slug="wijdemeren").values_list("name", "kind")
    )
    assert {kind for _, kind in wijdemeren} == {"village_core"}
    assert len(wijdemeren) == 6
    assert 250 <= Business.objects.count() <= 500
    assert Business.objects.filter(municipality__slug="westland", sbi_code="0113").exists()


def test_identifiers_are_valid_and_unique_and_postcodes_fit_the_place() -> None:
    load()
    rows = list(
        Business.objects.values_list(
            "kvk_number", "establishment_number", "postal_code", "municipality__slug", "city"
        )
    )
    kvk_numbers = [row[0] for row in rows]
    establishment_numbers = [row[1] for row in rows]
    assert all(re.fullmatch(r"\d{8}", number) for number in kvk_numbers)
    assert all(re.fullmatch(r"\d{12}", number) for number in establishment_numbers)
    assert len(set(kvk_numbers)) == len(rows)
    assert len(set(establishment_numbers)) == len(rows)
    ranges = {
        "breda": range(4811, 4840),
        "wijdemeren": range(1231, 1245),
        "westland": range(2671, 2696),
        "delft": range(2611, 2630),
    }
    # Villages with their own postcode: Ulvenhout (Breda), Nederhorst den Berg (Wijdemeren).
    exceptions = {"Ulvenhout": 4851, "Nederhorst den Berg": 1394}
    for _, _, postal_code, slug, city in rows:
        assert POSTAL_CODE_RE.match(postal_code), postal_code
        number = int(postal_code[:4])
        assert number in ranges[slug] or exceptions.get(city) == number, (slug, city, postal_code)
    for business in Business.objects.all()[:50]:
        business.full_clean()


def test_people_logins_and_consents() -> None:
    load()

    assert BusinessPerson.objects.count() == Business.objects.count()
    for area in Area.objects.all():
        assert 1 <= Ambassador.objects.filter(area=area).count() <= 2, area
    members = Consent.objects.filter(purpose=ConsentPurpose.NETWORK_MEMBERSHIP).count()
    assert members > 0.7 * Business.objects.count()
    staff_emails = {login.email for login in STAFF_LOGINS}
    exempt = set(User.objects.filter(second_factor_exempt=True).values_list("email", flat=True))
    assert exempt == staff_emails
    police = Membership.objects.get(user__email="wijkagent@politie.weerbaar.demo")
    assert police.role == Role.POLICE
    assert list(police.areas.values_list("name", flat=True)) == ["Binnenstad"]
    oov = Membership.objects.get(user__email="oov@breda.weerbaar.demo")
    assert list(oov.municipalities.values_list("slug", flat=True)) == ["breda"]
    entrepreneur = User.objects.get(email="ondernemer@breda.weerbaar.demo")
    assert entrepreneur.check_password(DEMO_PASSWORD)
    assert entrepreneur.business_links.get().business.area.name == "Binnenstad"
    assert Ambassador.objects.filter(
        person__email="ambassadeur@breda.weerbaar.demo", area__name="Binnenstad"
    ).exists()
    assert AreaContact.objects.filter(
        area__name="Binnenstad", role="community_officer", user__email=police.user.email
    ).exists()


def test_refuses_without_debug_unless_forced(settings: object) -> None:
    with pytest.raises(CommandError, match="DEBUG staat uit"):
        call_command("load_demo_data", stdout=StringIO())
    assert not Municipality.objects.exists()


def test_the_printed_entrepreneur_and_ambassador_can_use_the_portal(client: object) -> None:
    from django.test import Client
    from django.urls import reverse

    from tests.helpers import login_verified

    load()
    assert isinstance(client, Client)
    for email, names in (
        ("ondernemer@breda.weerbaar.demo", ["portal:dashboard", "portal:consents"]),
        ("ambassadeur@breda.weerbaar.demo", ["portal:dashboard", "portal:ambassador_area"]),
    ):
        login_verified(client, User.objects.get(email=email))
        for name in names:
            assert client.get(reverse(name)).status_code == 200, (email, name)
    for slug in ("breda", "wijdemeren", "westland", "delft"):
        assert client.get(reverse("public:municipality", kwargs={"slug": slug})).status_code == 200


def test_the_demo_has_segments_and_a_draft_newsletter_that_reaches_members() -> None:
    from weerbaar.newsletters import segments
    from weerbaar.newsletters.models import Newsletter, NewsletterStatus, Segment

    load()
    load()

    newsletter = Newsletter.objects.get()
    assert newsletter.status == NewsletterStatus.DRAFT
    assert list(newsletter.blocks.values_list("kind", flat=True)) == ["text", "figures", "links"]
    assert Segment.objects.count() == 3 * 4
    assert segments.people_in(newsletter.segment).exists()
    assert AuditEntry.objects.filter(action="demo_data.newsletters_loaded").count() == 1
