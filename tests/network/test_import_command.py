"""manage.py import_businesses: the same check and import, from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.network.import_helpers import csv_bytes, row
from weerbaar.core.models import AuditEntry
from weerbaar.network.models import Business, BusinessImport, ImportStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _run(*args: str) -> str:
    out = StringIO()
    call_command("import_businesses", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    path = tmp_path / "bedrijven.csv"
    path.write_bytes(csv_bytes([row(1), row(2, **{"KvK-nummer": "123"}), row(3)]))
    return path


def test_dry_run_prints_row_errors_and_imports_nothing(
    municipality: Any, area: Any, mixed_file: Path
) -> None:
    output = _run("breda", str(mixed_file), "--dry-run")
    assert "bedrijven.csv: 3 rows, 2 without errors, 1 with errors." in output
    assert "Row 3, KvK-nummer: A KvK number has exactly 8 digits (you entered 123)." in output
    assert "Dry run: nothing was imported." in output
    assert Business.objects.count() == 0
    assert BusinessImport.objects.get().status == ImportStatus.VALIDATED


def test_errors_without_only_valid_import_nothing(
    municipality: Any, area: Any, mixed_file: Path
) -> None:
    with pytest.raises(CommandError, match="1 row has errors, so nothing was imported"):
        _run("breda", str(mixed_file))
    assert Business.objects.count() == 0


def test_only_valid_imports_the_good_rows_as_the_system(
    municipality: Any, area: Any, mixed_file: Path
) -> None:
    output = _run("breda", str(mixed_file), "--only-valid")
    assert "2 businesses were imported into Breda." in output
    assert Business.objects.count() == 2
    entry = AuditEntry.objects.get(action="network.import_businesses")
    assert entry.actor is None
    assert entry.actor_label == "system"


def test_clean_file_imports_everything(municipality: Any, area: Any, tmp_path: Path) -> None:
    path = tmp_path / "schoon.csv"
    path.write_bytes(csv_bytes([row(1), row(2)], delimiter=",", bom=True))
    assert "2 businesses were imported" in _run("breda", str(path))
    assert Business.objects.count() == 2


@pytest.mark.parametrize(
    ("slug", "file_name", "content", "message"),
    [
        ("atlantis", "a.csv", b"x", "There is no municipality with the slug “atlantis”."),
        ("breda", "ontbreekt.csv", None, "cannot be read"),
        ("breda", "foto.png", b"\x89PNG\x00\x00", "This is not a CSV file."),
    ],
)
def test_bad_input_is_a_command_error(
    municipality: Any,
    tmp_path: Path,
    slug: str,
    file_name: str,
    content: bytes | None,
    message: str,
) -> None:
    path = tmp_path / file_name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        _run(slug, str(path))
    assert Business.objects.count() == 0
