"""factory_boy factories for every model of the foundation. Extend here; keep one per model."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils.text import slugify

from weerbaar.accounts.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    StaffFunction,
    User,
)
from weerbaar.network.models import (
    Ambassador,
    Area,
    AreaContact,
    AreaContactRole,
    AreaKind,
    Business,
    BusinessPerson,
    Consent,
    ConsentPurpose,
    Municipality,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"persoon{n}@example.nl")
    full_name = factory.Faker("name", locale="nl_NL")
    password = factory.django.Password("correct-horse-battery-staple")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Gemeente {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    network_name = factory.LazyAttribute(lambda o: f"Veilig Ondernemend {o.name}")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Winkelgebied {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = AreaKind.RETAIL_AREA


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"Bakkerij {n}")
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n:08d}")
    establishment_number = factory.Sequence(lambda n: f"{100000000000 + n:012d}")
    sbi_code = "4711"
    sbi_description = "Supermarkten"
    street = "Grote Markt"
    house_number = factory.Sequence(lambda n: str(n + 1))
    postal_code = "4811 XR"
    city = "Breda"
    area = factory.SubFactory(AreaFactory)
    municipality = factory.LazyAttribute(lambda o: o.area.municipality)


class BusinessPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessPerson

    person = factory.SubFactory(UserFactory)
    business = factory.SubFactory(BusinessFactory)


class AmbassadorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ambassador

    person = factory.SubFactory(UserFactory)
    area = factory.SubFactory(AreaFactory)
    since = datetime.date(2025, 1, 1)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name", "kind")

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = OrganisationKind.MUNICIPALITY


class AreaContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaContact

    area = factory.SubFactory(AreaFactory)
    role = AreaContactRole.COMMUNITY_OFFICER
    name = factory.Faker("name", locale="nl_NL")
    email = factory.Sequence(lambda n: f"wijkagent{n}@politie.example.nl")


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    person = factory.SubFactory(UserFactory)
    purpose = ConsentPurpose.ALERTS


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MUNICIPAL_STAFF
    function = StaffFunction.PUBLIC_ORDER_SAFETY

    @factory.post_generation
    def municipalities(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.municipalities.set(extracted)

    @factory.post_generation
    def areas(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.areas.set(extracted)


# --- delivery outbox (core) ---
from weerbaar.core.models import Delivery, DeliveryStatus, OutboundMessage  # noqa: E402


class OutboundMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundMessage

    kind = "report_feedback"
    subject = factory.Sequence(lambda n: f"Terugkoppeling op uw melding {n}")
    body_text = "Uw melding is in behandeling genomen."


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    message = factory.SubFactory(OutboundMessageFactory)
    channel = "email"
    address = factory.Sequence(lambda n: f"ondernemer{n}@example.nl")
    status = DeliveryStatus.QUEUED
    next_attempt_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))
