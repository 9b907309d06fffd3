import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_page_is_dutch_by_default(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="nl"' in response.content.decode()


def test_unknown_url_answers_404_with_a_dutch_page(client: Client) -> None:
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404


def test_health_checks_the_database(client: Client) -> None:
    assert client.get("/gezondheid/").json() == {"status": "ok"}
