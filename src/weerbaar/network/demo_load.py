"""Demo data, step two: write the plan. Creates only what does not exist yet, in one
transaction, with bulk inserts; records one audit entry "demo_data.loaded" when anything
was created. Called by `manage.py load_demo_data` (an operator command, demo settings only).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from weerbaar.accounts.models import Membership, Organisation, User
from weerbaar.core.audit import record
from weerbaar.network import demo_people as people
from weerbaar.network import demo_places as places
from weerbaar.network.demo import DemoPlan, make_plan
from weerbaar.network.models import (
    Ambassador,
    Area,
    AreaContact,
    Business,
    BusinessPerson,
    BusinessRole,
    BusinessSource,
    Consent,
    Municipality,
)

BATCH_SIZE = 500
AMBASSADOR_SINCE = datetime.date(2025, 3, 1)


@dataclass(frozen=True)
class DemoResult:
    created: dict[str, int]
    logins: tuple[people.DemoLogin, ...]
    password: str

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


def load_demo_data(plan: DemoPlan | None = None) -> DemoResult:
    """Create the demo municipalities, areas, organisations, logins, businesses, people,
    ambassadors, contacts and consents that do not exist yet. Safe to run again."""
    plan = plan or make_plan()
    with transaction.atomic():
        loader = _Loader(make_password(people.DEMO_PASSWORD))
        loader.run(plan)
        created = {name: loader.created[name] for name in _COUNTED}
        if any(created.values()):
            record(None, "demo_data.loaded", None, created)
    return DemoResult(created=created, logins=people.DEMO_LOGINS, password=people.DEMO_PASSWORD)


_COUNTED = (
    "municipalities",
    "areas",
    "organisations",
    "users",
    "memberships",
    "businesses",
    "business_people",
    "ambassadors",
    "area_contacts",
    "consents",
)


class _Loader:
    def __init__(self, password_hash: str) -> None:
        # One hash for every account: hashing hundreds of passwords would take minutes.
        self.password_hash = password_hash
        self.created: Counter[str] = Counter()
        self.areas: dict[tuple[str, str], Area] = {}
        self.organisations: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}

    def run(self, plan: DemoPlan) -> None:
        self._places()
        self._organisations()
        self._staff()
        businesses = self._businesses(plan)
        self._people(plan, businesses)
        self._ambassadors(plan, businesses)
        self._contacts(plan)

    def _places(self) -> None:
        for spec in places.MUNICIPALITIES:
            municipality, created = Municipality.objects.get_or_create(
                slug=spec.slug,
                defaults={
                    "name": spec.name,
                    "cbs_code": spec.cbs_code,
                    "network_name": spec.network_name,
                    "introduction": spec.introduction,
                    "contact_email": spec.contact_email,
                },
            )
            self.created["municipalities"] += created
            for area_spec in spec.areas:
                area, created = Area.objects.get_or_create(
                    municipality=municipality,
                    slug=slugify(area_spec.name),
                    defaults={
                        "name": area_spec.name,
                        "kind": area_spec.kind,
                        "description": area_spec.description,
                    },
                )
                self.created["areas"] += created
                self.areas[(spec.slug, area_spec.name)] = area

    def _organisations(self) -> None:
        municipalities = {m.slug: m for m in Municipality.objects.all()}
        for name, kind, slug, email in people.ORGANISATIONS:
            organisation, created = Organisation.objects.get_or_create(
                name=name,
                kind=kind,
                defaults={"municipality": municipalities.get(slug), "email": email},
            )
            self.created["organisations"] += created
            self.organisations[name] = organisation

    def _staff(self) -> None:
        municipalities = {m.slug: m for m in Municipality.objects.all()}
        for login in people.STAFF_LOGINS:
            user, created = User.objects.get_or_create(
                email=login.email,
                defaults={
                    "full_name": login.full_name,
                    "password": self.password_hash,
                    "second_factor_exempt": True,
                },
            )
            self.created["users"] += created
            self.users[login.email] = user
            membership, created = Membership.objects.get_or_create(
                user=user,
                organisation=self.organisations[login.organisation],
                role=login.role,
                defaults={
                    "function": login.function,
                    "handles_confidential_reports": login.handles_confidential_reports,
                },
            )
            if created:
                self.created["memberships"] += 1
                membership.municipalities.set([municipalities[s] for s in login.municipalities])
                membership.areas.set([self.areas[key] for key in login.areas])

    def _businesses(self, plan: DemoPlan) -> dict[str, Business]:
        numbers = [spec.establishment_number for spec in plan.businesses]
        existing = set(
            Business.objects.filter(establishment_number__in=numbers).values_list(
                "establishment_number", flat=True
            )
        )
        new = [
            Business(
                name=spec.name,
                kvk_number=spec.kvk_number,
                establishment_number=spec.establishment_number,
                sbi_code=spec.sbi_code,
                sbi_description=spec.sbi_description,
                street=spec.street,
                house_number=spec.house_number,
                house_number_addition=spec.house_number_addition,
                postal_code=spec.postal_code,
                city=spec.city,
                municipality_id=self.areas[spec.area].municipality_id,
                area=self.areas[spec.area],
                employee_count=spec.employee_count,
                email=spec.email,
                phone=spec.phone,
                website=spec.website,
                source=BusinessSource.MANUAL,
                joined_network_on=spec.joined_network_on,
            )
            for spec in plan.businesses
            if spec.establishment_number not in existing
        ]
        Business.objects.bulk_create(new, batch_size=BATCH_SIZE)
        self.created["businesses"] += len(new)
        return {
            b.establishment_number: b
            for b in Business.objects.filter(establishment_number__in=numbers)
        }

    def _people(self, plan: DemoPlan, businesses: dict[str, Business]) -> None:
        emails = [spec.owner.email for spec in plan.businesses]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        new_users = [
            User(
                email=spec.owner.email,
                full_name=spec.owner.full_name,
                phone=spec.owner.phone,
                password=self.password_hash,
            )
            for spec in plan.businesses
            if spec.owner.email not in existing
        ]
        User.objects.bulk_create(new_users, batch_size=BATCH_SIZE)
        self.created["users"] += len(new_users)
        self.users.update({u.email: u for u in User.objects.filter(email__in=emails)})

        linked = set(
            BusinessPerson.objects.filter(business__in=businesses.values()).values_list(
                "person_id", "business_id"
            )
        )
        links = []
        for spec in plan.businesses:
            person, business = self.users[spec.owner.email], businesses[spec.establishment_number]
            if (person.pk, business.pk) not in linked:
                links.append(
                    BusinessPerson(
                        person=person,
                        business=business,
                        role=BusinessRole.OWNER,
                        is_primary_contact=True,
                    )
                )
        BusinessPerson.objects.bulk_create(links, batch_size=BATCH_SIZE)
        self.created["business_people"] += len(links)

        # Consents only for people created now: a person who withdrew keeps it withdrawn.
        new_emails = {u.email for u in new_users}
        consents = [
            Consent(person=self.users[spec.owner.email], purpose=purpose)
            for spec in plan.businesses
            if spec.owner.email in new_emails
            for purpose in spec.owner.consents
        ]
        Consent.objects.bulk_create(consents, batch_size=BATCH_SIZE)
        self.created["consents"] += len(consents)

    def _ambassadors(self, plan: DemoPlan, businesses: dict[str, Business]) -> None:
        existing = set(Ambassador.objects.values_list("person_id", "area_id"))
        new = []
        for spec in plan.ambassadors:
            person, area = self.users[spec.owner.email], self.areas[spec.area]
            if (person.pk, area.pk) not in existing:
                new.append(
                    Ambassador(
                        person=person,
                        area=area,
                        business=businesses[spec.establishment_number],
                        since=AMBASSADOR_SINCE,
                    )
                )
        Ambassador.objects.bulk_create(new)
        self.created["ambassadors"] += len(new)

    def _contacts(self, plan: DemoPlan) -> None:
        area_ids = [area.pk for area in self.areas.values()]
        existing = set(
            AreaContact.objects.filter(area_id__in=area_ids).values_list("area_id", "role", "name")
        )
        new = []
        for spec in plan.contacts:
            area = self.areas[spec.area]
            if (area.pk, spec.role.value, spec.name) in existing:
                continue
            new.append(
                AreaContact(
                    area=area,
                    role=spec.role,
                    name=spec.name,
                    organisation=self.organisations[spec.organisation],
                    user=self.users.get(spec.user_email) if spec.user_email else None,
                    email=spec.email,
                    phone=spec.phone,
                    is_public=spec.is_public,
                )
            )
        AreaContact.objects.bulk_create(new)
        self.created["area_contacts"] += len(new)
