"""The PDOK Locatieserver client against answers in the documented shape (responses), and the
offline fake."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import translation

from weerbaar.contrib.pdok.apps import check_pdok_settings
from weerbaar.contrib.pdok.client import (
    MAX_SUGGESTIONS,
    SAMPLE_FILE,
    AddressSuggestion,
    FakePdokClient,
    HttpPdokClient,
    PdokClient,
    PdokInvalidInput,
    PdokUnavailable,
    get_client,
    parse_free,
    parse_point,
)

BASE = "https://locatieserver.example.nl/search/v3_1"
FREE = f"{BASE}/free"


def sample() -> Any:
    return json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> HttpPdokClient:
    return HttpPdokClient(base_url=BASE + "/", timeout=2.5)


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as rsps:
        yield rsps


def test_suggest_asks_the_free_endpoint_for_addresses(
    client: HttpPdokClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(
        FREE,
        json=sample(),
        match=[
            responses.matchers.query_param_matcher(
                {
                    "q": "Grote Markt 38 Breda",
                    "fq": "type:adres",
                    "rows": "7",
                    "fl": "id,weergavenaam,gemeentenaam,postcode,centroide_ll",
                }
            )
        ],
    )
    suggestions = client.suggest("  Grote   Markt 38 Breda ")
    assert len(suggestions) == MAX_SUGGESTIONS
    first = suggestions[0]
    assert first == AddressSuggestion(
        id=first.id,
        label="Claudius Prinsenlaan 10, 4811DJ Breda",
        municipality="Breda",
        postal_code="4811DJ",
        latitude=51.586617,
        longitude=4.780412,
    )
    assert first.id.startswith("adr-")
    # responses records the keyword arguments on the request; the stubs do not know it.
    assert mocked.calls[0].request.req_kwargs["timeout"] == 2.5  # type: ignore[attr-defined]


def test_short_query_asks_nothing(client: HttpPdokClient, mocked: responses.RequestsMock) -> None:
    assert client.suggest("ab ") == []
    assert len(mocked.calls) == 0


def test_long_query_is_refused(client: HttpPdokClient, mocked: responses.RequestsMock) -> None:
    with pytest.raises(PdokInvalidInput):
        client.suggest("x" * 101)
    assert len(mocked.calls) == 0


def test_timeout_is_unavailable_and_not_logged_with_the_query(
    client: HttpPdokClient, mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    mocked.get(FREE, body=requests.ReadTimeout("read timed out"))
    with caplog.at_level(logging.WARNING), pytest.raises(PdokUnavailable) as raised:
        client.suggest("Ginnekenstraat 14")
    assert "not available" in raised.value.message
    assert caplog.records
    assert "Ginnekenstraat" not in caplog.text


def test_connection_error_does_not_log_the_url(
    client: HttpPdokClient, mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    mocked.get(FREE, body=requests.ConnectionError(f"cannot reach {FREE}?q=Ginnekenstraat"))
    with caplog.at_level(logging.WARNING), pytest.raises(PdokUnavailable):
        client.suggest("Ginnekenstraat 14")
    assert "Ginnekenstraat" not in caplog.text


def test_server_error_is_unavailable(
    client: HttpPdokClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(FREE, status=500, body="Internal Server Error")
    with pytest.raises(PdokUnavailable):
        client.suggest("Markt 87 Delft")


def test_garbage_is_unavailable(client: HttpPdokClient, mocked: responses.RequestsMock) -> None:
    mocked.get(FREE, body="<html>maintenance</html>", content_type="text/html")
    with pytest.raises(PdokUnavailable):
        client.suggest("Markt 87 Delft")


@pytest.mark.parametrize(
    "payload", [[], {"response": None}, {"response": {"docs": "none"}}, {"error": "x"}]
)
def test_json_in_another_shape_is_unavailable(
    client: HttpPdokClient, mocked: responses.RequestsMock, payload: Any
) -> None:
    mocked.get(FREE, json=payload)
    with pytest.raises(PdokUnavailable):
        client.suggest("Markt 87 Delft")


def test_docs_without_id_or_label_are_skipped_and_missing_fields_left_empty() -> None:
    suggestions = parse_free(
        {
            "response": {
                "docs": [
                    {"weergavenaam": "Markt 1, 2611GP Delft"},
                    {"id": "adr-2", "weergavenaam": ""},
                    "not a doc",
                    {"id": "adr-3", "weergavenaam": "Rading 1, 1231KB Loosdrecht", "postcode": 5},
                    {"id": "adr-4", "weergavenaam": "Verdilaan 7", "centroide_ll": "POINT(x y)"},
                ]
            }
        }
    )
    assert suggestions == [
        AddressSuggestion("adr-3", "Rading 1, 1231KB Loosdrecht", "", ""),
        AddressSuggestion("adr-4", "Verdilaan 7", "", ""),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("POINT(4.7758 51.58873)", (51.58873, 4.7758)),
        ("POINT (4.7758 51.58873)", (51.58873, 4.7758)),
        ("point( -0.5  51 )", (51.0, -0.5)),
        ("POINT(4.7758)", None),
        ("POINT(4.7758 51.5 3)", None),
        ("POLYGON((4 51, 5 52))", None),
        ("POINT(51.5 200)", None),
        ("", None),
        (None, None),
        ([4.7, 51.5], None),
    ],
)
def test_parse_point(value: Any, expected: tuple[float, float] | None) -> None:
    assert parse_point(value) == expected


def test_fake_matches_every_word_ignoring_case_and_postcode_spaces() -> None:
    fake = FakePdokClient()
    assert [s.label for s in fake.suggest("ginnekenstraat breda")] == [
        "Ginnekenstraat 14, 4811JH Breda"
    ]
    assert [s.label for s in fake.suggest("4811 dj")] == ["Claudius Prinsenlaan 10, 4811DJ Breda"]
    assert {s.municipality for s in fake.suggest("Loosdrecht")} == {"Wijdemeren"}
    assert {s.municipality for s in fake.suggest("Naaldwijk")} == {"Westland"}
    assert fake.suggest("Nergensstraat 99") == []
    assert fake.suggest("de") == []


def test_fake_keeps_a_suggestion_without_point() -> None:
    (markt,) = FakePdokClient().suggest("Markt 2, 2611GP")
    assert markt.latitude is None
    assert markt.longitude is None


def test_fake_limits_the_number_of_suggestions() -> None:
    assert len(FakePdokClient().suggest("Breda")) == 4
    assert len(FakePdokClient().suggest("a")) == 0


def test_get_client_follows_settings() -> None:
    with override_settings(PDOK_CLIENT="fake"):
        assert isinstance(get_client(), FakePdokClient)
    with override_settings(
        PDOK_CLIENT="http", PDOK_LOCATIESERVER_URL=BASE, PDOK_TIMEOUT_SECONDS=1.5
    ):
        http = get_client()
        assert isinstance(http, HttpPdokClient)
        assert isinstance(http, PdokClient)
        assert http.url == FREE
        assert http.timeout == 1.5
    with override_settings(PDOK_CLIENT="soap"), pytest.raises(ImproperlyConfigured):
        get_client()


def test_system_check_rejects_an_unknown_client() -> None:
    with override_settings(PDOK_CLIENT="fake"):
        assert check_pdok_settings() == []
    with override_settings(PDOK_CLIENT="soap"):
        assert [e.id for e in check_pdok_settings()] == ["weerbaar_pdok.E001"]
