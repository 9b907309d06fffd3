"""The import services: check (dry run), confirm (atomic), discard."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from tests.factories import AreaFactory, BusinessFactory, MembershipFactory, MunicipalityFactory
from tests.network.import_helpers import csv_bytes, row
from weerbaar.accounts.models import Role
from weerbaar.accounts.policy import actor_for
from weerbaar.core.models import AuditEntry
from weerbaar.network.models import Business, BusinessImport, BusinessSource, ImportStatus
from weerbaar.network.services import imports

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def actor(municipality: Any) -> Any:
    membership = MembershipFactory(municipalities=[municipality])
    return actor_for(membership.user)


def _messages(business_import: BusinessImport) -> dict[int, list[str]]:
    return {
        r["row"]: [f"{e['column']}: {e['message']}" for e in r["errors"]]
        for r in business_import.invalid_rows
    }


def test_clean_file_is_checked_then_imported(actor: Any, municipality: Any, area: Any) -> None:
    data = csv_bytes([row(1), row(2, Gebied="binnenstad"), row(3, Gebied="BINNENSTAD")])

    business_import = imports.check_import(actor, municipality, data, "schoon.csv")

    assert business_import.status == ImportStatus.VALIDATED
    assert business_import.invalid_rows == []
    assert Business.objects.count() == 0
    assert imports.confirm_import(actor, business_import, only_valid=False) == 3
    business = Business.objects.get(establishment_number="600000000001")
    assert business.area == area
    assert business.municipality == municipality
    assert business.postal_code == "4811 JH"
    assert business.source == BusinessSource.CSV_IMPORT
    assert business.employee_count == 3
    business_import.refresh_from_db()
    assert business_import.status == ImportStatus.IMPORTED
    assert business_import.imported_count == 3
    assert business_import.finished_at is not None
    entry = AuditEntry.objects.get(action="network.import_businesses")
    assert entry.actor == actor.user
    assert entry.changes["imported"] == 3


def test_mixed_file_dry_run_reports_row_errors_and_writes_no_business(
    actor: Any, municipality: Any, area: Any
) -> None:
    BusinessFactory(establishment_number="600000000004", area=area)
    data = csv_bytes(
        [
            row(1),
            row(2, **{"KvK-nummer": "1234567"}),
            row(3, Gebied="Nergensland"),
            row(4),  # vestigingsnummer already registered
            row(5, Vestigingsnummer="600000000001"),  # duplicate of row 2 in the spreadsheet
        ]
    )
    business_import = imports.check_import(actor, municipality, data, "gemengd.csv")

    messages = _messages(business_import)
    assert sorted(messages) == [3, 4, 5, 6]
    assert messages[3][0].startswith("KvK-nummer: A KvK number has exactly 8 digits")
    assert messages[4] == ["Gebied: There is no area “Nergensland” in Breda."]
    assert messages[5] == [
        "Vestigingsnummer: Vestigingsnummer 600000000004 is already registered on the platform."
    ]
    assert messages[6] == ["Vestigingsnummer: This vestigingsnummer is also in row 2 of the file."]
    assert Business.objects.count() == 1  # only the one that was there


def test_confirm_all_is_refused_while_rows_have_errors(
    actor: Any, municipality: Any, area: Any
) -> None:
    data = csv_bytes([row(1), row(2, Postcode="abc")])
    business_import = imports.check_import(actor, municipality, data, "gemengd.csv")
    with pytest.raises(imports.ImportHasErrors) as caught:
        imports.confirm_import(actor, business_import, only_valid=False)
    assert "1 row has errors" in caught.value.message
    assert Business.objects.count() == 0


def test_confirm_only_valid_writes_exactly_the_valid_rows(
    actor: Any, municipality: Any, area: Any
) -> None:
    data = csv_bytes([row(1), row(2, Postcode="abc"), row(3), row(4, Gebied="")])
    business_import = imports.check_import(actor, municipality, data, "gemengd.csv")

    assert imports.confirm_import(actor, business_import, only_valid=True) == 2

    assert set(Business.objects.values_list("establishment_number", flat=True)) == {
        "600000000001",
        "600000000003",
    }
    entry = AuditEntry.objects.get(action="network.import_businesses")
    assert entry.changes["left_out_rows"] == [3, 5]


def test_no_valid_rows_imports_nothing(actor: Any, municipality: Any, area: Any) -> None:
    business_import = imports.check_import(
        actor, municipality, csv_bytes([row(1, Postcode="x")]), "fout.csv"
    )
    with pytest.raises(imports.ImportHasErrors):
        imports.confirm_import(actor, business_import, only_valid=True)


def test_failure_in_the_second_batch_writes_nothing(
    actor: Any, municipality: Any, area: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    business_import = imports.check_import(
        actor, municipality, csv_bytes([row(n) for n in range(1, 6)]), "groot.csv"
    )
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    real_bulk_create = Business.objects.bulk_create
    calls: list[int] = []

    def failing_bulk_create(objs: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Business.objects, "bulk_create", failing_bulk_create)

    with pytest.raises(RuntimeError):
        imports.confirm_import(actor, business_import, only_valid=False)

    assert calls == [2, 2]
    assert Business.objects.count() == 0
    business_import.refresh_from_db()
    assert business_import.status == ImportStatus.VALIDATED
    assert not AuditEntry.objects.filter(action="network.import_businesses").exists()


def test_number_registered_between_check_and_confirm_aborts_everything(
    actor: Any, municipality: Any, area: Any
) -> None:
    data = csv_bytes([row(1), row(2), row(3)])
    business_import = imports.check_import(actor, municipality, data, "race.csv")
    BusinessFactory(establishment_number="600000000002", area=area)  # someone else, meanwhile

    with pytest.raises(imports.ImportConflict) as caught:
        imports.confirm_import(actor, business_import, only_valid=False)

    assert caught.value.status_code == 409
    assert "row 3" in caught.value.message
    assert Business.objects.count() == 1
    business_import.refresh_from_db()
    assert business_import.status == ImportStatus.VALIDATED
    assert [r["row"] for r in business_import.invalid_rows] == [3]  # marked for the preview
    # The user can now go on with the other rows.
    assert imports.confirm_import(actor, business_import, only_valid=True) == 2


def test_area_removed_between_check_and_confirm_aborts(actor: Any, municipality: Any) -> None:
    doomed = AreaFactory(municipality=municipality, name="Tijdelijk", slug="tijdelijk")
    business_import = imports.check_import(
        actor, municipality, csv_bytes([row(1, Gebied="Tijdelijk")]), "gebied.csv"
    )
    doomed.delete()
    with pytest.raises(imports.ImportConflict):
        imports.confirm_import(actor, business_import, only_valid=False)
    assert Business.objects.count() == 0


def test_confirming_twice_imports_once(actor: Any, municipality: Any, area: Any) -> None:
    business_import = imports.check_import(actor, municipality, csv_bytes([row(1)]), "a.csv")
    imports.confirm_import(actor, business_import, only_valid=False)
    with pytest.raises(imports.ImportAlreadyFinished) as caught:
        imports.confirm_import(actor, business_import, only_valid=False)
    assert caught.value.status_code == 409
    assert "already imported" in caught.value.message
    assert Business.objects.count() == 1


def test_discard_closes_the_check(actor: Any, municipality: Any, area: Any) -> None:
    business_import = imports.check_import(actor, municipality, csv_bytes([row(1)]), "a.csv")
    imports.discard_import(actor, business_import)
    assert business_import.status == ImportStatus.DISCARDED
    with pytest.raises(imports.ImportAlreadyFinished):
        imports.confirm_import(actor, business_import, only_valid=False)
    with pytest.raises(imports.ImportAlreadyFinished):
        imports.discard_import(actor, business_import)
    assert Business.objects.count() == 0
    assert AuditEntry.objects.filter(action="network.discard_business_import").count() == 1


def test_unreadable_file_stores_nothing(actor: Any, municipality: Any) -> None:
    with pytest.raises(imports.CsvFormatError):
        imports.check_import(actor, municipality, b"\x00\x01\x02", "foto.png")
    assert BusinessImport.objects.count() == 0


def test_policy_is_enforced_in_the_service(municipality: Any, area: Any) -> None:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    police = actor_for(MembershipFactory(role=Role.POLICE, municipalities=[municipality]).user)
    with pytest.raises(PermissionDenied):
        imports.check_import(police, municipality, csv_bytes([row(1)]), "a.csv")
    other = MunicipalityFactory(name="Tilburg", slug="tilburg")
    outsider = actor_for(MembershipFactory(municipalities=[other]).user)
    with pytest.raises(Http404):
        imports.check_import(outsider, municipality, csv_bytes([row(1)]), "a.csv")
    business_import = imports.check_import(None, municipality, csv_bytes([row(1)]), "a.csv")
    with pytest.raises(Http404):
        imports.confirm_import(outsider, business_import, only_valid=False)
    assert Business.objects.count() == 0


def test_sample_file_has_exactly_two_deliberate_errors(municipality: Any) -> None:
    from pathlib import Path

    import weerbaar.network

    for name in ("Binnenstad", "Hazeldonk", "Princenhage", "Ulvenhout"):
        AreaFactory(municipality=municipality, name=name, slug=name.lower())
    sample = Path(weerbaar.network.__file__).parent / "samples" / "voorbeeld-kvk-export.csv"
    business_import = imports.check_import(None, municipality, sample.read_bytes(), sample.name)
    assert len(business_import.rows) == 20
    assert sorted(_messages(business_import)) == [13, 18]


def test_unique_constraint_race_becomes_a_conflict(
    actor: Any, municipality: Any, area: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A registration committed after our re-check still cannot produce a duplicate."""
    business_import = imports.check_import(
        actor, municipality, csv_bytes([row(1), row(2)]), "a.csv"
    )
    BusinessFactory(establishment_number="600000000002", area=area)
    monkeypatch.setattr(imports, "_conflicts", lambda *args: {})
    with pytest.raises(imports.ImportConflict):
        imports.confirm_import(actor, business_import, only_valid=False)
    assert Business.objects.count() == 1
    business_import.refresh_from_db()
    assert business_import.status == ImportStatus.VALIDATED
