"""Demo data, step one: the plan. A pure function of the seed turns the places, sectors and
people of `demo_places`, `demo_sectors` and `demo_people` into specifications of rows.

The plan never looks at the database, so every run plans exactly the same rows; the
loader (`demo_load.py`) then creates the ones that do not exist yet. That is what makes
`manage.py load_demo_data` idempotent.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.text import slugify

from weerbaar.network import demo_people as people
from weerbaar.network import demo_places as places
from weerbaar.network import demo_sectors as sectors
from weerbaar.network.models import AreaContactRole, AreaKind, ConsentPurpose

SEED = 20261123
DOMAIN = "weerbaar.demo"


@dataclass
class PersonSpec:
    email: str
    full_name: str
    phone: str
    consents: tuple[ConsentPurpose, ...]


@dataclass
class BusinessSpec:
    area: tuple[str, str]  # (municipality slug, area name)
    name: str
    kvk_number: str
    establishment_number: str
    sbi_code: str
    sbi_description: str
    street: str
    house_number: str
    house_number_addition: str
    postal_code: str
    city: str
    employee_count: int
    email: str
    phone: str
    website: str
    joined_network_on: datetime.date | None
    owner: PersonSpec


@dataclass
class ContactSpec:
    area: tuple[str, str]
    role: AreaContactRole
    name: str
    organisation: str
    email: str = ""
    phone: str = ""
    user_email: str = ""
    is_public: bool = True


@dataclass
class DemoPlan:
    businesses: list[BusinessSpec] = field(default_factory=list)
    ambassadors: list[BusinessSpec] = field(default_factory=list)
    contacts: list[ContactSpec] = field(default_factory=list)


def make_plan(seed: int = SEED) -> DemoPlan:
    """Everything the demo holds, generated from `seed`. Same seed, same plan."""
    return _Planner(random.Random(seed)).plan()


class _Planner:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.kvk_numbers: set[str] = set()
        self.establishment_numbers: set[str] = set()
        self.domains: set[str] = set()
        self.names: set[tuple[str, str]] = set()
        self.result = DemoPlan()

    def plan(self) -> DemoPlan:
        for municipality in places.MUNICIPALITIES:
            for area in municipality.areas:
                key = (municipality.slug, area.name)
                area_businesses = [
                    self._business(municipality, area, key) for _ in range(area.businesses)
                ]
                self.result.businesses.extend(area_businesses)
                self._choose_ambassadors(area_businesses)
            self._contacts(municipality)
        self._assign_demo_logins()
        return self.result

    # --- businesses and their owners ----------------------------------------------------

    def _business(
        self, municipality: places.DemoMunicipality, area: places.DemoArea, key: tuple[str, str]
    ) -> BusinessSpec:
        rng = self.rng
        mix = sectors.MIXES[area.mix or area.kind.value]
        sector = rng.choices(list(mix), weights=list(mix.values()))[0]
        activity = rng.choice(sectors.SECTORS[sector])
        westland = municipality.slug == "westland" and rng.random() < 0.6
        surname = rng.choice(sectors.WESTLAND_SURNAMES if westland else sectors.SURNAMES)
        name = self._trade_name(municipality.slug, activity, surname, area.city)
        domain = self._domain(name)
        first_name = rng.choice(sectors.FIRST_NAMES)
        owner = PersonSpec(
            email=f"{slugify(first_name)}@{domain}",
            full_name=f"{first_name} {surname}",
            phone=f"06-{rng.randint(10000000, 99999999)}" if rng.random() < 0.7 else "",
            consents=self._consents(),
        )
        number = rng.randint(1, 180)
        addition = rng.choice(sectors.HOUSE_NUMBER_ADDITIONS) if rng.random() < 0.1 else ""
        joined = datetime.date(2024, 1, 8) + datetime.timedelta(days=rng.randint(0, 880))
        return BusinessSpec(
            area=key,
            name=name,
            kvk_number=self._unique(
                self.kvk_numbers, lambda: f"{rng.randint(6 * 10**7, 8 * 10**7 - 1)}"
            ),
            establishment_number=self._unique(
                self.establishment_numbers, lambda: f"{rng.randint(3 * 10**7, 5 * 10**7 - 1):012d}"
            ),
            sbi_code=activity.sbi_code,
            sbi_description=activity.description,
            street=rng.choice(area.streets),
            house_number=str(number),
            house_number_addition=addition,
            postal_code=self._postal_code(area),
            city=area.city,
            employee_count=rng.randint(*activity.employees),
            email=f"info@{domain}" if rng.random() < 0.6 else "",
            phone=self._landline(municipality) if rng.random() < 0.8 else "",
            website=f"https://www.{domain}" if rng.random() < 0.35 else "",
            joined_network_on=joined
            if ConsentPurpose.NETWORK_MEMBERSHIP in owner.consents
            else None,
            owner=owner,
        )

    def _trade_name(
        self, municipality: str, activity: sectors.Activity, surname: str, city: str
    ) -> str:
        surname = surname[0].upper() + surname[1:]  # "de Jong" → "Bakkerij De Jong"
        name = ""
        for _ in range(6):
            template = self.rng.choice(activity.names)
            name = template.format(surname=surname, word=self.rng.choice(sectors.WORDS), city=city)
            if (municipality, name) not in self.names:
                break
        else:
            name = f"{name} {city}" if city not in name else f"{name} {len(self.names)}"
        self.names.add((municipality, name))
        return name

    def _domain(self, name: str) -> str:
        base = slugify(name.replace("B.V.", ""))[:40].strip("-")
        domain, counter = f"{base}.{DOMAIN}", 2
        while domain in self.domains:
            domain, counter = f"{base}-{counter}.{DOMAIN}", counter + 1
        self.domains.add(domain)
        return domain

    def _consents(self) -> tuple[ConsentPurpose, ...]:
        rng = self.rng
        draws = [rng.random() for _ in range(5)]
        if draws[0] >= 0.85:
            return ()
        optional = (
            (ConsentPurpose.ALERTS, 0.8),
            (ConsentPurpose.NEWSLETTER, 0.55),
            (ConsentPurpose.EVENT_INVITATIONS, 0.45),
            (ConsentPurpose.CONTACT_VISIBLE_TO_AMBASSADOR, 0.6),
        )
        given = [
            purpose
            for (purpose, share), draw in zip(optional, draws[1:], strict=True)
            if draw < share
        ]
        return (ConsentPurpose.NETWORK_MEMBERSHIP, *given)

    def _postal_code(self, area: places.DemoArea) -> str:
        while True:
            letters = "".join(self.rng.choice(places.POSTAL_LETTERS) for _ in range(2))
            if letters not in places.FORBIDDEN_POSTAL_SUFFIXES:
                return f"{self.rng.choice(area.postal_prefixes)} {letters}"

    def _landline(self, municipality: places.DemoMunicipality) -> str:
        digits = 10 - len(municipality.phone_prefix)  # Dutch numbers have ten digits
        number = self.rng.randint(2 * 10 ** (digits - 1), 10**digits - 1)
        return f"{municipality.phone_prefix}-{number}"

    @staticmethod
    def _unique(seen: set[str], draw: Callable[[], str]) -> str:
        while (value := draw()) in seen:
            pass
        seen.add(value)
        return value

    # --- ambassadors, contacts and the printed logins -----------------------------------

    def _choose_ambassadors(self, area_businesses: list[BusinessSpec]) -> None:
        count = 1 if len(area_businesses) < 15 else 2
        for business in self.rng.sample(area_businesses, count):
            business.owner.consents = _all_consents()
            business.joined_network_on = business.joined_network_on or datetime.date(2024, 1, 8)
            self.result.ambassadors.append(business)

    def _person_name(self) -> str:
        return f"{self.rng.choice(sectors.FIRST_NAMES)} {self.rng.choice(sectors.SURNAMES)}"

    def _contacts(self, municipality: places.DemoMunicipality) -> None:
        slug, police = municipality.slug, municipality.police_unit
        logins = {login.email: login for login in people.STAFF_LOGINS}
        wijdemeren = logins["ondernemersmanager@wijdemeren.weerbaar.demo"]
        liaison = logins["bedrijfscontact@politie.weerbaar.demo"]
        wijkagent = logins["wijkagent@politie.weerbaar.demo"]
        oov = logins["oov@breda.weerbaar.demo"]
        # One person per role for the whole municipality, a wijkagent per area.
        centre_manager = self._person_name()
        business_manager = wijdemeren.full_name if slug == "wijdemeren" else self._person_name()
        liaison_name = liaison.full_name if slug in liaison.municipalities else self._person_name()
        fire_officer = self._person_name()
        add = self.result.contacts.append
        for area in municipality.areas:
            key = (slug, area.name)
            area_slug = slugify(area.name)
            officer_is_login = key in wijkagent.areas
            add(
                ContactSpec(
                    key,
                    AreaContactRole.COMMUNITY_OFFICER,
                    wijkagent.full_name if officer_is_login else self._person_name(),
                    police,
                    f"wijkagent.{slug}.{area_slug}@politie.{DOMAIN}",
                    "0900-8844",
                    user_email=wijkagent.email if officer_is_login else "",
                )
            )
            if area.kind == AreaKind.BUSINESS_PARK:
                add(
                    ContactSpec(
                        key,
                        AreaContactRole.POLICE_BUSINESS_LIAISON,
                        liaison_name,
                        police,
                        f"bedrijfscontact.{slug}@politie.{DOMAIN}",
                        "0900-8844",
                        user_email=liaison.email if slug in liaison.municipalities else "",
                    )
                )
                add(
                    ContactSpec(
                        key,
                        AreaContactRole.FIRE_SAFETY,
                        fire_officer,
                        municipality.fire_brigade,
                        f"brandveilig.{slug}@brandweer.{DOMAIN}",
                    )
                )
            if area.kind == AreaKind.RETAIL_AREA or (
                area.kind == AreaKind.VILLAGE_CORE and slug == "westland"
            ):
                add(
                    ContactSpec(
                        key,
                        AreaContactRole.CENTRE_MANAGER,
                        centre_manager,
                        people.ez(municipality.name),
                        f"centrummanager@{slug}.{DOMAIN}",
                        self._landline(municipality),
                    )
                )
            else:
                add(
                    ContactSpec(
                        key,
                        AreaContactRole.BUSINESS_MANAGER,
                        business_manager,
                        people.ez(municipality.name),
                        f"ondernemersmanager@{slug}.{DOMAIN}",
                        user_email=wijdemeren.email if slug == "wijdemeren" else "",
                    )
                )
            biz = {("breda", "Binnenstad"): people.BIZ_BREDA}
            biz[("westland", "'s-Gravenzande Centrum")] = people.BIZ_GRAVENZANDE
            if key in biz:
                add(ContactSpec(key, AreaContactRole.BIZ_BOARD, self._person_name(), biz[key]))
            if key == ("breda", "Binnenstad"):
                # Known to the network team, not shown to entrepreneurs.
                add(
                    ContactSpec(
                        key,
                        AreaContactRole.PUBLIC_ORDER_SAFETY,
                        oov.full_name,
                        oov.organisation,
                        oov.email,
                        user_email=oov.email,
                        is_public=False,
                    )
                )

    def _assign_demo_logins(self) -> None:
        """The printed ambassador and entrepreneur are people of Breda Binnenstad."""
        key = people.AMBASSADOR_LOGIN.areas[0]
        ambassador = next(b for b in self.result.ambassadors if b.area == key)
        entrepreneur = next(
            b for b in self.result.businesses if b.area == key and b not in self.result.ambassadors
        )
        for business, login in (
            (ambassador, people.AMBASSADOR_LOGIN),
            (entrepreneur, people.ENTREPRENEUR_LOGIN),
        ):
            business.owner.email = login.email
            business.owner.full_name = login.full_name
            business.owner.consents = _all_consents()
            business.joined_network_on = business.joined_network_on or datetime.date(2024, 1, 8)


def _all_consents() -> tuple[ConsentPurpose, ...]:
    return tuple(ConsentPurpose)
