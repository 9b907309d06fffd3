"""The import pages as a staff user sees them: upload, preview, confirm, discard, KvK lookup."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import BusinessFactory, MembershipFactory, MunicipalityFactory, UserFactory
from tests.helpers import login_verified
from tests.network.import_helpers import csv_bytes, row
from weerbaar.accounts.models import Role
from weerbaar.contrib.kvk import client as kvk_client
from weerbaar.network import csv_format
from weerbaar.network.models import Business, BusinessImport, ImportStatus
from weerbaar.network.services import imports

pytestmark = pytest.mark.django_db

UPLOAD = reverse("staff_import:upload")


@pytest.fixture
def staff(staff_client: Client) -> Client:
    """Breda municipal staff, reading the pages in English (the default is Dutch)."""
    staff_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return staff_client


def _upload(client: Client, municipality: Any, data: bytes, name: str = "bedrijven.csv") -> Any:
    return client.post(
        UPLOAD,
        {"municipality": municipality.pk, "file": SimpleUploadedFile(name, data, "text/csv")},
    )


def _check(municipality: Any, rows: list[dict[str, str]]) -> BusinessImport:
    return imports.check_import(None, municipality, csv_bytes(rows), "bedrijven.csv")


def test_upload_page_lists_only_municipalities_in_scope(staff: Client, municipality: Any) -> None:
    MunicipalityFactory(name="Tilburg", slug="tilburg")
    response = staff.get(UPLOAD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Breda" in page
    assert "Tilburg" not in page
    assert 'for="id_file"' in page
    assert reverse("staff_import:sample") in page


def test_clean_upload_redirects_to_a_preview_offering_import_all(
    staff: Client, municipality: Any, area: Any
) -> None:
    response = _upload(staff, municipality, csv_bytes([row(1), row(2)]))
    business_import = BusinessImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_import:preview", args=[business_import.pk])

    page = staff.get(response["Location"]).content.decode()
    assert "Import all 2 rows" in page
    assert "valid rows" not in page
    assert Business.objects.count() == 0
    assert business_import.uploaded_by == staff.user

    response = staff.post(
        reverse("staff_import:confirm", args=[business_import.pk]), {"mode": "all"}, follow=True
    )
    assert response.status_code == 200
    assert "2 businesses were imported into Breda." in response.content.decode()
    assert Business.objects.count() == 2


def test_mixed_upload_shows_row_errors_and_needs_explicit_confirmation(
    staff: Client, municipality: Any, area: Any
) -> None:
    _upload(staff, municipality, csv_bytes([row(1), row(2, Gebied="Atlantis"), row(3)]))
    business_import = BusinessImport.objects.get()
    preview = reverse("staff_import:preview", args=[business_import.pk])

    page = staff.get(preview).content.decode()
    assert "There is no area “Atlantis” in Breda." in page
    assert "Import 2 valid rows" in page
    assert "Import all" not in page
    assert Business.objects.count() == 0

    confirm = reverse("staff_import:confirm", args=[business_import.pk])
    response = staff.post(confirm, {"mode": "valid"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tick this box to import only the rows without errors." in page
    assert 'aria-invalid="true"' in page
    assert Business.objects.count() == 0

    response = staff.post(confirm, {"mode": "all"})
    assert response.status_code == 400
    assert "1 row has errors" in response.content.decode()

    response = staff.post(confirm, {"mode": "valid", "accept_partial": "on"})
    assert response.status_code == 302
    assert set(Business.objects.values_list("establishment_number", flat=True)) == {
        "600000000001",
        "600000000003",
    }


def test_second_confirmation_answers_409_and_imports_nothing_more(
    staff: Client, municipality: Any, area: Any
) -> None:
    business_import = _check(municipality, [row(1)])
    confirm = reverse("staff_import:confirm", args=[business_import.pk])
    assert staff.post(confirm, {"mode": "all"}).status_code == 302
    response = staff.post(confirm, {"mode": "all"})
    assert response.status_code == 409
    assert "already imported" in response.content.decode()
    assert Business.objects.count() == 1


def test_race_between_check_and_confirm_answers_409(
    staff: Client, municipality: Any, area: Any
) -> None:
    business_import = _check(municipality, [row(1), row(2)])
    BusinessFactory(establishment_number="600000000001", area=area)
    response = staff.post(
        reverse("staff_import:confirm", args=[business_import.pk]), {"mode": "all"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "is already registered on the platform" in page  # the row is now in the table
    assert Business.objects.count() == 1


def test_discard(staff: Client, municipality: Any, area: Any) -> None:
    business_import = _check(municipality, [row(1)])
    discard = reverse("staff_import:discard", args=[business_import.pk])
    response = staff.post(discard)
    assert response.status_code == 302
    business_import.refresh_from_db()
    assert business_import.status == ImportStatus.DISCARDED
    assert staff.post(discard).status_code == 409
    assert (
        staff.post(
            reverse("staff_import:confirm", args=[business_import.pk]), {"mode": "all"}
        ).status_code
        == 409
    )
    assert Business.objects.count() == 0


def test_oversized_file_answers_413(
    staff: Client, municipality: Any, area: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("weerbaar.network.forms_import.MAX_FILE_BYTES", 200)
    monkeypatch.setattr(csv_format, "MAX_FILE_BYTES", 200)
    response = _upload(staff, municipality, csv_bytes([row(n) for n in range(1, 10)]))
    assert response.status_code == 413
    assert "The file is larger than" in response.content.decode()
    assert BusinessImport.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This is not a CSV file."),
        (b"", "The file is empty."),
        (b"Naam|Plaats\r\nWinkel|Breda\r\n", "The file lacks the columns"),
        (csv_bytes([row(1)], delimiter="|"), "separated by semicolons or commas"),
        (b"\x81\x8d\x8f\x90", "could not be read"),
    ],
)
def test_unusable_file_is_a_form_error_with_400(
    staff: Client, municipality: Any, area: Any, data: bytes, message: str
) -> None:
    response = _upload(staff, municipality, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'id="id_file_error"' in page
    assert BusinessImport.objects.count() == 0


def test_missing_file_or_municipality_is_a_form_error(staff: Client, municipality: Any) -> None:
    response = staff.post(UPLOAD, {"municipality": municipality.pk})
    assert response.status_code == 400
    assert "Choose the CSV file to check." in response.content.decode()
    response = staff.post(UPLOAD, {"municipality": "abc"})
    assert response.status_code == 400


def test_other_municipality_answers_404(staff: Client, municipality: Any, area: Any) -> None:
    tilburg = MunicipalityFactory(name="Tilburg", slug="tilburg")
    response = _upload(staff, tilburg, csv_bytes([row(1)]))
    assert response.status_code == 404
    assert staff.get(UPLOAD, {"gemeente": "tilburg"}).status_code == 404
    foreign = _check(tilburg, [row(1)])
    assert staff.get(reverse("staff_import:preview", args=[foreign.pk])).status_code == 404
    confirm = reverse("staff_import:confirm", args=[foreign.pk])
    assert staff.post(confirm, {"mode": "all"}).status_code == 404
    assert staff.post(reverse("staff_import:discard", args=[foreign.pk])).status_code == 404
    assert Business.objects.count() == 0


def test_police_may_not_import(client: Client, municipality: Any, area: Any) -> None:
    officer = UserFactory()
    MembershipFactory(user=officer, role=Role.POLICE, municipalities=[municipality])
    login_verified(client, officer)
    business_import = _check(municipality, [row(1)])
    assert client.get(UPLOAD).status_code == 403
    assert _upload(client, municipality, csv_bytes([row(1)])).status_code == 403
    confirm = reverse("staff_import:confirm", args=[business_import.pk])
    assert client.post(confirm, {"mode": "all"}).status_code == 403
    assert Business.objects.count() == 0


def test_anonymous_is_sent_to_log_in(client: Client) -> None:
    response = client.get(UPLOAD)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_sample_download(staff: Client) -> None:
    response = staff.get(reverse("staff_import:sample"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"\xef\xbb\xbfKvK-nummer;Vestigingsnummer")


def test_preview_of_finished_import_has_no_buttons(
    staff: Client, municipality: Any, area: Any
) -> None:
    business_import = _check(municipality, [row(1)])
    imports.confirm_import(None, business_import, only_valid=False)
    page = staff.get(reverse("staff_import:preview", args=[business_import.pk])).content.decode()
    assert "Imported on" in page
    assert reverse("staff_import:confirm", args=[business_import.pk]) not in page


def test_recent_imports_are_listed_without_loading_rows(
    staff: Client, municipality: Any, area: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        _check(municipality, [row(1)])
    with django_assert_max_num_queries(12):
        page = staff.get(UPLOAD).content.decode()
    assert page.count("bedrijven.csv</a>") == 5


# --- KvK lookup ------------------------------------------------------------------------------

LOOKUP = reverse("staff_import:kvk_lookup")


def test_lookup_shows_the_profile_as_a_partial(staff: Client) -> None:
    response = staff.get(LOOKUP, {"kvk": "90412345"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bakkerij Het Gouden Korenaar" in page
    assert "<html" not in page
    assert "1071" in page


def test_lookup_without_htmx_is_a_whole_page(staff: Client) -> None:
    response = staff.get(LOOKUP, {"kvk": "90412345"})
    assert response.status_code == 200
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    ("kvk", "status", "message"),
    [
        ("1234", 400, "A KvK number has exactly 8 digits"),
        ("", 400, "A KvK number has exactly 8 digits"),
        ("11111111", 404, "has no business with KvK number 11111111"),
    ],
)
def test_lookup_errors(staff: Client, kvk: str, status: int, message: str) -> None:
    response = staff.get(LOOKUP, {"kvk": kvk}, headers={"HX-Request": "true"})
    assert response.status_code == status
    assert message in response.content.decode()


def test_lookup_when_the_register_is_down_answers_503(
    staff: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    class DownClient(kvk_client.FakeKvKClient):
        def basisprofiel(self, kvk_number: str) -> kvk_client.KvKProfile:
            raise kvk_client.KvKUnavailable("The KvK register cannot be reached right now.")

    monkeypatch.setattr("weerbaar.network.views_import.get_kvk_client", DownClient)
    response = staff.get(LOOKUP, {"kvk": "90412345"}, headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert "cannot be reached" in response.content.decode()


def test_lookup_needs_manage_business(client: Client, municipality: Any) -> None:
    officer = UserFactory()
    MembershipFactory(user=officer, role=Role.POLICE, municipalities=[municipality])
    login_verified(client, officer)
    assert client.get(LOOKUP, {"kvk": "90412345"}).status_code == 403


def test_tampered_confirmation_mode_is_refused(staff: Client, municipality: Any, area: Any) -> None:
    business_import = _check(municipality, [row(1)])
    confirm = reverse("staff_import:confirm", args=[business_import.pk])
    response = staff.post(confirm, {"mode": "everything"})
    assert response.status_code == 400
    assert "Use one of the import buttons below." in response.content.decode()
    assert Business.objects.count() == 0
