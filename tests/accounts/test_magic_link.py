"""Entrepreneurs: a one-time login link by email."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from weerbaar.accounts import services
from weerbaar.accounts.backends import MagicLinkBackend
from weerbaar.accounts.models import MagicLink
from weerbaar.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SENT = "belongs to an account, we have sent a login link to it"
LINK_RE = re.compile(r"http://testserver/account/inloggen/link/([A-Za-z0-9_-]{43})/")


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = "http://testserver"
    settings.SHOW_MAGIC_LINK_ON_PAGE = False
    settings.MAGIC_LINK_TTL_MINUTES = 15
    settings.MAGIC_LINK_REQUESTS_PER_HOUR = 5


def request_link(client: Client, email: str, next_url: str = "", **extra: Any) -> Any:
    data = {"email": email}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:magic_link_request"), data, **extra)


CONFIRM = "/account/inloggen/link/bevestigen/"


def use_link(client: Client, token: str) -> Any:
    """Open the link from the email, then press "Log in" on the confirmation page."""
    opened = client.get(reverse("accounts:magic_link", args=[token]))
    if opened.status_code != 302:
        return opened
    assert opened["Location"] == CONFIRM
    return client.post(CONFIRM)


def emailed_token(index: int = -1) -> str:
    match = LINK_RE.search(mail.outbox[index].body)
    assert match, mail.outbox[index].body
    return match.group(1)


def test_known_address_gets_an_email_with_a_working_link(
    client: Client, entrepreneur: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = request_link(client, "Bakker@Example.nl", next_url="/gemeente/")

    assert response.status_code == 200
    assert SENT in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bakker@example.nl"]
    token = emailed_token()
    # Only the hash is stored.
    link = MagicLink.objects.get(user=entrepreneur)
    assert link.token_hash == services.hash_token(token)
    assert token not in link.token_hash
    assert link.next_url == "/gemeente/"
    assert timedelta(minutes=14) < link.expires_at - timezone.now() <= timedelta(minutes=15)

    url = reverse("accounts:magic_link", args=[token])
    # Opening the link (a mail scanner, or the user) changes nothing; the token leaves the
    # address bar.
    opened = client.get(url)
    assert opened.status_code == 302
    assert opened["Location"] == CONFIRM
    confirm = client.get(CONFIRM)
    assert confirm.status_code == 200
    assert "Log in with your link" in confirm.content.decode()
    assert token not in confirm.content.decode()
    link.refresh_from_db()
    assert link.used_at is None
    assert "_auth_user_id" not in client.session

    response = client.post(CONFIRM)
    assert response.status_code == 302
    assert response["Location"] == "/gemeente/"
    assert client.session["_auth_user_id"] == str(entrepreneur.pk)
    assert client.session["_auth_user_backend"] == "weerbaar.accounts.backends.MagicLinkBackend"
    link.refresh_from_db()
    assert link.used_at is not None
    assert AuditEntry.objects.filter(action="accounts.magic_link_used").count() == 1


def test_email_is_in_the_users_language(
    client: Client, entrepreneur: Any, django_capture_on_commit_callbacks: Any
) -> None:
    entrepreneur.preferred_language = "en"
    entrepreneur.save()

    with django_capture_on_commit_callbacks(execute=True):
        request_link(client, entrepreneur.email)

    message = mail.outbox[0]
    assert message.subject == "Your login link for Weerbaar"
    assert "Hello Bert," in message.body
    assert "The link works once and for 15 minutes." in message.body


def test_unknown_address_gets_the_same_answer_and_no_email(
    client: Client, entrepreneur: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = request_link(client, "bakker@example.nl")
        unknown = request_link(client, "onbekend@example.nl")

    assert known.status_code == unknown.status_code == 200
    known_html = known.content.decode().replace("bakker@example.nl", "ADDRESS")
    unknown_html = unknown.content.decode().replace("onbekend@example.nl", "ADDRESS")
    strip_csrf = re.compile(r"\b[A-Za-z0-9]{64}\b")  # the CSRF tokens differ per response
    assert strip_csrf.sub("", known_html) == strip_csrf.sub("", unknown_html)
    assert len(mail.outbox) == 1
    assert MagicLink.objects.count() == 1


def test_inactive_account_gets_no_link(
    client: Client, entrepreneur: Any, django_capture_on_commit_callbacks: Any
) -> None:
    entrepreneur.is_active = False
    entrepreneur.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = request_link(client, entrepreneur.email)

    assert response.status_code == 200
    assert SENT in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b", "x" * 300 + "@example.nl"])
def test_invalid_address_is_a_form_error_with_400(client: Client, email: str) -> None:
    response = request_link(client, email)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'id="magic-link-email_error"' in html
    assert MagicLink.objects.count() == 0


def test_requests_per_address_are_rate_limited(client: Client, entrepreneur: Any) -> None:
    for number in range(5):
        # Different clients, so only the per-address limit counts.
        response = request_link(client, entrepreneur.email, REMOTE_ADDR=f"10.0.0.{number}")
        assert response.status_code == 200

    response = request_link(client, entrepreneur.email, REMOTE_ADDR="10.0.0.99")

    assert response.status_code == 429
    assert "too many login links" in response.content.decode()
    assert MagicLink.objects.count() == 5


def test_requests_per_client_are_rate_limited(client: Client) -> None:
    for number in range(5):
        assert request_link(client, f"iemand{number}@example.nl").status_code == 200

    assert request_link(client, "nog-iemand@example.nl").status_code == 429


def test_demo_shows_the_link_on_the_page(client: Client, entrepreneur: Any, settings: Any) -> None:
    settings.SHOW_MAGIC_LINK_ON_PAGE = True

    response = request_link(client, entrepreneur.email)
    unknown = request_link(client, "onbekend@example.nl")

    assert LINK_RE.search(response.content.decode())
    assert not LINK_RE.search(unknown.content.decode())


def test_production_never_shows_the_link(client: Client, entrepreneur: Any) -> None:
    response = request_link(client, entrepreneur.email)

    assert not LINK_RE.search(response.content.decode())
    assert "Demo: your login link" not in response.content.decode()


def make_link(user: Any, **fields: Any) -> str:
    token = "A" * 43
    MagicLink.objects.create(
        user=user,
        token_hash=services.hash_token(token),
        expires_at=fields.pop("expires_at", timezone.now() + timedelta(minutes=15)),
        **fields,
    )
    return token


def test_used_link_answers_410(client: Client, entrepreneur: Any) -> None:
    token = make_link(entrepreneur)
    assert use_link(client, token).status_code == 302
    client.logout()

    response = client.get(reverse("accounts:magic_link", args=[token]))

    assert response.status_code == 410
    assert "This login link has already been used" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_link_used_in_another_browser_meanwhile_answers_410(
    client: Client, entrepreneur: Any
) -> None:
    token = make_link(entrepreneur)
    assert client.get(reverse("accounts:magic_link", args=[token])).status_code == 302
    other_browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert use_link(other_browser, token).status_code == 302

    for response in (client.get(CONFIRM), client.post(CONFIRM)):
        assert response.status_code == 410
        assert "This login link has already been used" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pressing_log_in_twice_keeps_the_user_logged_in(client: Client, entrepreneur: Any) -> None:
    token = make_link(entrepreneur, next_url="/gemeente/")
    assert use_link(client, token)["Location"] == "/gemeente/"

    second = client.post(CONFIRM)

    assert second.status_code == 302
    assert client.session["_auth_user_id"] == str(entrepreneur.pk)


def test_confirmation_page_without_a_link_answers_404(client: Client) -> None:
    for response in (client.get(CONFIRM), client.post(CONFIRM)):
        assert response.status_code == 404
        assert "This login link does not work" in response.content.decode()


def test_expired_link_answers_410(client: Client, entrepreneur: Any) -> None:
    token = make_link(entrepreneur, expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get(reverse("accounts:magic_link", args=[token]))

    assert response.status_code == 410
    html = response.content.decode()
    assert "This login link has expired" in html
    assert "Request a new login link" in html
    assert "_auth_user_id" not in client.session
    assert MagicLink.objects.get().used_at is None


@pytest.mark.parametrize("token", ["B" * 43, "short", "A" * 42 + "%", "x" * 500])
def test_unknown_or_garbled_link_answers_404(client: Client, entrepreneur: Any, token: str) -> None:
    make_link(entrepreneur)

    response = client.get(f"/account/inloggen/link/{token}/")

    assert response.status_code == 404
    assert "This login link does not work" in response.content.decode()
    assert MagicLink.objects.get().used_at is None


def test_the_link_url_is_get_only(client: Client, entrepreneur: Any) -> None:
    token = make_link(entrepreneur)

    assert client.post(reverse("accounts:magic_link", args=[token])).status_code == 405
    assert MagicLink.objects.get().used_at is None


def test_link_of_a_deactivated_account_does_not_work(client: Client, entrepreneur: Any) -> None:
    token = make_link(entrepreneur)
    entrepreneur.is_active = False
    entrepreneur.save()

    response = use_link(client, token)

    assert response.status_code == 404
    assert "_auth_user_id" not in client.session


def test_a_link_is_used_at_most_once_even_when_racing(
    entrepreneur: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another request uses the link between our read and our write: the conditional
    UPDATE … WHERE used_at IS NULL lets only one of the two win."""
    token = make_link(entrepreneur)
    real_find = services._find_magic_link

    def find_then_lose_the_race(**kwargs: Any) -> MagicLink:
        link = real_find(**kwargs)
        MagicLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
        return link

    monkeypatch.setattr(services, "_find_magic_link", find_then_lose_the_race)

    with pytest.raises(services.MagicLinkUsed):
        services.consume_magic_link(token)
    assert AuditEntry.objects.filter(action="accounts.magic_link_used").count() == 0


def test_backend_authenticates_once(entrepreneur: Any) -> None:
    token = make_link(entrepreneur)
    backend = MagicLinkBackend()

    assert backend.authenticate(None, magic_link_token=token) == entrepreneur
    assert backend.authenticate(None, magic_link_token=token) is None
    assert backend.get_user(entrepreneur.pk) == entrepreneur


def test_staff_still_need_the_second_factor_after_a_link(client: Client, staff: Any) -> None:
    token = make_link(staff, next_url="/beheer/")

    response = use_link(client, token)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:second_factor')}?next=%2Fbeheer%2F"
    assert client.get("/beheer/").status_code == 302


def test_external_next_url_is_not_stored(client: Client, entrepreneur: Any) -> None:
    request_link(client, entrepreneur.email, next_url="https://evil.example.com/")
    request_link(client, entrepreneur.email, next_url="//evil.example.com/")

    assert set(MagicLink.objects.values_list("next_url", flat=True)) == {""}


def test_nothing_secret_reaches_the_logs(
    client: Client,
    entrepreneur: Any,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        request_link(client, entrepreneur.email)
    token = emailed_token()
    use_link(client, token)

    # Django logs the path of 4xx answers, so a *used* link may appear there later; a live
    # one never does, and django-axes (which logs the path of every login) sees only the
    # confirmation URL.
    assert client.session["_auth_user_id"] == str(entrepreneur.pk)
    assert token not in caplog.text
    assert services.hash_token(token) not in caplog.text


@override_settings(MAGIC_LINK_TTL_MINUTES=1)
def test_link_lifetime_comes_from_settings(client: Client, entrepreneur: Any) -> None:
    request_link(client, entrepreneur.email)

    link = MagicLink.objects.get()
    assert link.expires_at - timezone.now() <= timedelta(minutes=1)


def test_invalid_address_says_what_is_expected(client: Client) -> None:
    response = request_link(client, "not-an-address")

    assert response.status_code == 400
    assert "Enter a valid email address, such as name@example.nl." in response.content.decode()


def test_the_request_url_sends_a_get_to_the_login_page(client: Client) -> None:
    response = client.get(reverse("accounts:magic_link_request"))

    assert response.status_code == 302
    assert response["Location"] == "/account/inloggen/#inloggen-met-link"
