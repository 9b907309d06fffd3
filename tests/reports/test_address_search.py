"""The address search behind the report form: reports_public:address_search (PDOK fake)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from weerbaar.contrib.pdok.client import PdokUnavailable
from weerbaar.reports import views_address

URL = "/meldingen/adres-zoeken/"


@pytest.fixture(autouse=True)
def _english_fake() -> Iterator[None]:
    with translation.override("en"), override_settings(PDOK_CLIENT="fake"):
        yield


def test_url_comes_before_the_municipality_catch_all() -> None:
    assert reverse("reports_public:address_search") == URL


def test_suggestions_are_buttons_with_the_point(client: Client) -> None:
    response = client.get(URL, {"q": "Ginnekenstraat 14"}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-address-choice") == 1
    assert 'data-label="Ginnekenstraat 14, 4811JH Breda"' in html
    assert 'data-latitude="51.587190"' in html
    assert 'data-longitude="4.777089"' in html
    assert 'type="button"' in html
    assert "1 adres gevonden" in html  # Dutch is the default language
    assert "no-store" in response["Cache-Control"]


def test_a_suggestion_without_point_has_no_coordinates(client: Client) -> None:
    html = client.get(URL, {"q": "Markt 2, 2611GP"}).content.decode()
    assert 'data-label="Markt 2, 2611GP Delft"' in html
    assert "data-latitude" not in html


def test_labels_are_escaped(client: Client) -> None:
    html = client.get(URL, {"q": "'s-Gravenzande"}).content.decode()
    assert "Naaldwijkseweg 35, 2691RA &#x27;s-Gravenzande" in html


@pytest.mark.parametrize("query", ["", "ab", "  a  "])
def test_short_query_is_an_empty_answer(client: Client, query: str) -> None:
    with mock.patch.object(views_address, "get_client") as get_client:
        response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert "data-address-choice" not in response.content.decode()
    get_client.assert_not_called()


def test_long_query_is_400(client: Client) -> None:
    response = client.get(URL, {"q": "x" * 101})
    assert response.status_code == 400
    assert "maximaal 100 tekens" in response.content.decode()


def test_nothing_found_says_so(client: Client) -> None:
    html = client.get(URL, {"q": "Nergensstraat 99"}).content.decode()
    assert "Geen adres gevonden" in html


def test_unavailable_service_is_a_message_not_an_error(client: Client) -> None:
    failing = mock.Mock()
    failing.suggest.side_effect = PdokUnavailable("Address search is not available right now.")
    with mock.patch.object(views_address, "get_client", return_value=failing):
        response = client.get(URL, {"q": "Markt 87 Delft"})
    assert response.status_code == 200
    assert "not available right now" in response.content.decode()


def test_rate_limited_per_client(client: Client) -> None:
    for _ in range(views_address.SEARCHES_PER_MINUTE):
        assert client.get(URL, {"q": "Breda"}, REMOTE_ADDR="192.0.2.20").status_code == 200
    limited = client.get(URL, {"q": "Breda"}, REMOTE_ADDR="192.0.2.20")
    assert limited.status_code == 429
    assert "Te veel zoekopdrachten" in limited.content.decode()
    assert client.get(URL, {"q": "Breda"}, REMOTE_ADDR="192.0.2.21").status_code == 200


def test_query_and_client_address_are_not_logged(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    failing = mock.Mock()
    failing.suggest.side_effect = PdokUnavailable("unavailable")
    with (
        caplog.at_level(logging.DEBUG),
        mock.patch.object(views_address, "get_client", return_value=failing),
    ):
        client.get(URL, {"q": "Ginnekenstraat 14"}, REMOTE_ADDR="192.0.2.30")
        client.get(URL, {"q": "Rading 1"}, REMOTE_ADDR="192.0.2.30")
    assert "Ginnekenstraat" not in caplog.text
    assert "192.0.2.30" not in caplog.text


def test_report_form_has_the_search_without_sending_it(client: Client, municipality: Any) -> None:
    html = client.get(reverse("reports_public:new", args=[municipality.slug])).content.decode()
    match = re.search(r'<input[^>]*id="address-search"[^>]*>', html)
    assert match is not None
    assert 'hx-get="/meldingen/adres-zoeken/"' in match.group(0)
    # No name: the search text never travels with the report itself.
    assert "name=" not in match.group(0)
