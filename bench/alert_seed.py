"""Fill the bench database with N entrepreneurs who asked for alerts, all in one area (run by
bench/alert_stack.py in a Django process; prints one JSON line).

Each entrepreneur is a user with an email address, linked to a business of their own in the
area, with the consents a registered member has (network membership and alerts), so the
real audience query (alerts.audience.people_in) finds all N. Also a municipal OOV officer
who may write and publish alerts for the municipality without a second approver.

Rows go in with PostgreSQL COPY built from model instances (their defaults, auto_now
fields), not through the services: the point is the size of the audience, and 100,000
registrations one by one would take many minutes longer. The ids are assigned here and the
sequences reset afterwards.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import django

django.setup()

from django.core.management.color import no_style  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402

from weerbaar.accounts.models import (  # noqa: E402
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    StaffFunction,
    User,
)
from weerbaar.network.models import (  # noqa: E402
    Area,
    AreaKind,
    Business,
    BusinessPerson,
    Consent,
    ConsentPurpose,
    Municipality,
)

STAFF_EMAIL = "oov@benchstad.example.nl"
# Starts with "!": Django's mark for an unusable password (nobody logs in as these people).
NO_PASSWORD = "!bench"  # noqa: S105 - not a password: the mark for none


def main(count: int) -> None:
    with transaction.atomic():
        municipality = Municipality.objects.create(
            name="Benchstad", slug="benchstad", network_name="Veilig Ondernemen Benchstad"
        )
        area = Area.objects.create(
            municipality=municipality, name="Centrum", slug="centrum", kind=AreaKind.RETAIL_AREA
        )
        officer = User.objects.create_user(email=STAFF_EMAIL, full_name="OOV Benchstad")
        membership = Membership.objects.create(
            user=officer,
            organisation=Organisation.objects.create(
                name="Gemeente Benchstad", kind=OrganisationKind.MUNICIPALITY
            ),
            role=Role.MUNICIPAL_STAFF,
            function=StaffFunction.PUBLIC_ORDER_SAFETY,
        )
        membership.municipalities.set([municipality])

        first_user = _next_id(User)
        first_business = _next_id(Business)
        user_ids = range(first_user, first_user + count)
        business_ids = range(first_business, first_business + count)
        _copy(User, _people(user_ids))
        _copy(Business, _businesses(business_ids, municipality, area))
        first_link = _next_id(BusinessPerson)
        _copy(
            BusinessPerson,
            (
                BusinessPerson(id=first_link + number, person_id=person, business_id=business)
                for number, (person, business) in enumerate(
                    zip(user_ids, business_ids, strict=True)
                )
            ),
        )
        first_consent = _next_id(Consent)
        _copy(
            Consent,
            (
                Consent(id=first_consent + 2 * number + offset, person_id=person, purpose=purpose)
                for number, person in enumerate(user_ids)
                for offset, purpose in enumerate(
                    (ConsentPurpose.NETWORK_MEMBERSHIP, ConsentPurpose.ALERTS)
                )
            ),
        )
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(
                no_style(), [User, Business, BusinessPerson, Consent]
            ):
                cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        json.dumps(
            {
                "municipality": municipality.pk,
                "area": area.pk,
                "staff_email": STAFF_EMAIL,
                "people": User.objects.filter(business_links__business__area=area).count(),
            }
        )
    )


def _people(ids: Iterable[int]) -> Iterator[User]:
    for number, pk in enumerate(ids):
        yield User(
            id=pk,
            email=f"ondernemer{number:06d}@bench.example.nl",
            full_name=f"Ondernemer {number}",
            password=NO_PASSWORD,
        )


def _businesses(ids: Iterable[int], municipality: Municipality, area: Area) -> Iterator[Business]:
    for number, pk in enumerate(ids):
        yield Business(
            id=pk,
            name=f"Winkel {number}",
            kvk_number=f"{50_000_000 + number:08d}",
            establishment_number=f"{200_000_000_000 + number:012d}",
            sbi_code="4711",
            sbi_description="Supermarkten",
            street="Grote Markt",
            house_number=str(number % 9999 + 1),
            postal_code="4811 XR",
            city="Benchstad",
            municipality=municipality,
            area=area,
        )


def _next_id(model: type[models.Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def _copy(model: type[models.Model], objects: Iterable[models.Model]) -> None:
    """COPY the instances into the model's table: every concrete column, as Django would
    save it (defaults, auto_now)."""
    fields = list(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    sql = f"COPY {quote(str(model._meta.db_table))} ({columns}) FROM STDIN"
    connection.ensure_connection()
    raw: Any = connection.connection
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for instance in objects:
            copy.write_row(
                [
                    field.get_db_prep_save(field.pre_save(instance, True), connection)
                    for field in fields
                ]
            )


if __name__ == "__main__":
    main(int(sys.argv[1]))
