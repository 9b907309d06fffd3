"""The KvK client against recorded API answers (responses), and the offline fake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import translation

import weerbaar.contrib.kvk
from weerbaar.contrib.kvk.apps import check_kvk_settings
from weerbaar.contrib.kvk.client import (
    FakeKvKClient,
    HttpKvKClient,
    KvKClient,
    KvKInvalidInput,
    KvKNotFound,
    KvKUnavailable,
    get_kvk_client,
)

SAMPLES = Path(weerbaar.contrib.kvk.__file__).parent / "samples"
BASE = "https://api.kvk.example.nl/api"
ZOEKEN = f"{BASE}/v2/zoeken"


def basisprofiel_url(number: str) -> str:
    return f"{BASE}/v1/basisprofielen/{number}"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> HttpKvKClient:
    return HttpKvKClient(base_url=BASE + "/", api_key="test-key", timeout=3.5)


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as rsps:
        yield rsps


def test_search_by_kvk_number(client: HttpKvKClient, mocked: responses.RequestsMock) -> None:
    mocked.get(
        ZOEKEN,
        json=sample("zoeken_kvknummer.json"),
        match=[
            responses.matchers.query_param_matcher(
                {"kvkNummer": "90412345", "pagina": "1", "resultatenPerPagina": "10"}
            ),
            responses.matchers.header_matcher({"apikey": "test-key"}),
        ],
    )
    results = client.search(kvk_number="90412345")
    assert len(results) == 1
    result = results[0]
    assert result.kvk_number == "90412345"
    assert result.establishment_number == "000051234567"
    assert result.name == "Bakkerij Het Gouden Korenaar"
    assert result.kind == "hoofdvestiging"
    assert result.address is not None
    assert result.address.street == "Ginnekenstraat"
    assert result.address.city == "Breda"
    assert mocked.calls[0].request.req_kwargs["timeout"] == 3.5


def test_search_by_name_and_place_handles_all_result_kinds(
    client: HttpKvKClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(
        ZOEKEN,
        json=sample("zoeken_naam.json"),
        match=[
            responses.matchers.query_param_matcher(
                {
                    "naam": "vier winden",
                    "plaats": "Breda",
                    "pagina": "1",
                    "resultatenPerPagina": "10",
                }
            )
        ],
    )
    results = client.search(name=" vier winden ", place="Breda")
    assert [r.kind for r in results] == ["hoofdvestiging", "nevenvestiging", "rechtspersoon"]
    assert str(results[1].address) == "Grote Markt 40 a, 4811XS Breda"
    assert results[2].establishment_number == ""
    assert results[2].address is None  # a foreign address is not a Dutch visiting address


def test_search_without_results_is_an_empty_list(
    client: HttpKvKClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(ZOEKEN, json=sample("fout_geen_resultaten.json"), status=404)
    assert client.search(name="bestaat niet") == []


def test_search_needs_a_criterion_and_a_well_formed_number(client: HttpKvKClient) -> None:
    with pytest.raises(KvKInvalidInput):
        client.search()
    with pytest.raises(KvKInvalidInput, match="exactly 8 digits"):
        client.search(kvk_number="1234")


def test_basisprofiel(client: HttpKvKClient, mocked: responses.RequestsMock) -> None:
    mocked.get(
        basisprofiel_url("90412345"),
        json=sample("basisprofiel.json"),
        match=[responses.matchers.header_matcher({"apikey": "test-key"})],
    )
    profile = client.basisprofiel("90412345")
    assert profile.kvk_number == "90412345"
    assert profile.name == "Bakkerij Het Gouden Korenaar"
    assert profile.trade_names == ("Bakkerij Het Gouden Korenaar", "Het Gouden Korenaar")
    assert profile.main_activity is not None
    assert (profile.main_activity.code, profile.main_activity.description) == (
        "1071",
        "Brood- en banketbakkerijen",
    )
    assert len(profile.sbi_activities) == 2
    assert profile.employee_count == 6
    assert profile.establishment_number == "000051234567"
    assert profile.address is not None
    assert profile.address.kind == "bezoekadres"
    assert str(profile.address) == "Ginnekenstraat 14 B, 4811JH Breda"
    assert profile.websites == ("www.gouden-korenaar.example.nl",)
    assert profile.legal_form == "Eenmanszaak"
    assert mocked.calls[0].request.req_kwargs["timeout"] == 3.5


def test_basisprofiel_without_establishment(
    client: HttpKvKClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(basisprofiel_url("90412399"), json=sample("basisprofiel_zonder_vestiging.json"))
    profile = client.basisprofiel("90412399")
    assert profile.establishment_number == ""
    assert profile.address is None
    assert profile.employee_count is None
    assert profile.legal_form == "Stichting"


def test_basisprofiel_not_found(client: HttpKvKClient, mocked: responses.RequestsMock) -> None:
    mocked.get(basisprofiel_url("90412398"), json=sample("fout_niet_gevonden.json"), status=404)
    with pytest.raises(KvKNotFound, match="no business with KvK number 90412398"):
        client.basisprofiel("90412398")


def test_basisprofiel_refuses_a_malformed_number_without_calling(
    client: HttpKvKClient, mocked: responses.RequestsMock
) -> None:
    with pytest.raises(KvKInvalidInput):
        client.basisprofiel("12/34")
    assert len(mocked.calls) == 0


@pytest.mark.parametrize(
    ("mock", "message"),
    [
        ({"body": requests.exceptions.ConnectTimeout()}, "did not answer in time"),
        ({"body": requests.exceptions.ReadTimeout()}, "did not answer in time"),
        ({"body": requests.exceptions.ConnectionError()}, "cannot be reached"),
        ({"status": 500, "json": {"fout": [{"code": "IPD9999"}]}}, "cannot be reached"),
        ({"status": 401, "json": {"fout": []}}, "cannot be reached"),
        ({"status": 200, "body": "<html>maintenance</html>"}, "could not be read"),
        ({"status": 200, "json": {"unexpected": True}}, "could not be read"),
        ({"status": 200, "json": {"kvkNummer": "90412345", "sbiActiviteiten": 3}}, "not be read"),
        ({"status": 200, "json": ["a", "list"]}, "could not be read"),
    ],
)
def test_basisprofiel_failures_become_unavailable(
    client: HttpKvKClient, mocked: responses.RequestsMock, mock: dict[str, Any], message: str
) -> None:
    mocked.get(basisprofiel_url("90412345"), **mock)
    with pytest.raises(KvKUnavailable, match=message) as caught:
        client.basisprofiel("90412345")
    assert caught.value.message


@pytest.mark.parametrize(
    "mock",
    [
        {"body": requests.exceptions.ConnectTimeout()},
        {"status": 503, "body": "Service Unavailable"},
        {"status": 200, "body": "not json"},
        {"status": 200, "json": {"resultaten": [{"naam": "zonder nummer"}]}},
        {"status": 200, "json": {"resultaten": "geen lijst"}},
    ],
)
def test_search_failures_become_unavailable(
    client: HttpKvKClient, mocked: responses.RequestsMock, mock: dict[str, Any]
) -> None:
    mocked.get(ZOEKEN, **mock)
    with pytest.raises(KvKUnavailable):
        client.search(kvk_number="90412345")


# --- the fake and the choice of client -------------------------------------------------------


def test_fake_is_deterministic_and_offline() -> None:
    fake = FakeKvKClient()
    assert isinstance(fake, KvKClient)
    profile = fake.basisprofiel("90412345")
    assert profile == FakeKvKClient().basisprofiel("90412345")
    assert profile.main_activity is not None
    assert [r.kvk_number for r in fake.search(name="korenaar")] == ["90412345"]
    assert len(fake.search(place="breda")) == 5
    assert fake.search(name="korenaar", place="Tilburg") == []
    with pytest.raises(KvKNotFound):
        fake.basisprofiel("11111111")
    with pytest.raises(KvKInvalidInput):
        fake.basisprofiel("abc")


def test_get_kvk_client_follows_settings() -> None:
    with override_settings(KVK_CLIENT="fake"):
        assert isinstance(get_kvk_client(), FakeKvKClient)
    with override_settings(KVK_CLIENT="http", KVK_API_KEY="k", KVK_API_TIMEOUT=2.0):
        client = get_kvk_client()
        assert isinstance(client, HttpKvKClient)
        assert client.timeout == 2.0
        assert isinstance(client, KvKClient)
    with override_settings(KVK_CLIENT="http", KVK_API_KEY=""), pytest.raises(ImproperlyConfigured):
        get_kvk_client()
    with override_settings(KVK_CLIENT="soap"), pytest.raises(ImproperlyConfigured):
        get_kvk_client()


def test_system_check_catches_bad_settings() -> None:
    with override_settings(KVK_CLIENT="fake"):
        assert check_kvk_settings() == []
    with override_settings(KVK_CLIENT="soap"):
        assert [e.id for e in check_kvk_settings()] == ["weerbaar_kvk.E001"]
    with override_settings(KVK_CLIENT="http", KVK_API_KEY=""):
        assert [e.id for e in check_kvk_settings()] == ["weerbaar_kvk.E002"]
