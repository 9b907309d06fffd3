"""OIDC login (municipal SSO, eHerkenning broker) against a fake provider."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
import responses
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tests.factories import BusinessFactory, MembershipFactory, UserFactory
from tests.oidc.conftest import CLIENT_ID, CLIENT_SECRET, ISSUER, FakeProvider, new_key
from weerbaar.accounts.models import ExternalIdentity, User
from weerbaar.core.models import AuditEntry
from weerbaar.network.models import BusinessPerson

pytestmark = pytest.mark.django_db


def assert_nothing_written() -> None:
    assert User.objects.count() == 0
    assert ExternalIdentity.objects.count() == 0
    assert BusinessPerson.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def assert_not_logged_in(client: Client) -> None:
    assert "_auth_user_id" not in client.session


# --- the login page and the start of the flow ------------------------------------------------


def test_login_page_shows_a_button_per_enabled_provider(client: Client, settings: Any) -> None:
    html = client.get(reverse("accounts:login") + "?next=/beheer/").content.decode()

    assert "Log in with Gemeente-account" in html
    assert "Log in with eHerkenning" in html
    assert 'href="/oidc/sso/login/?next=%2Fbeheer%2F"' in html

    settings.OIDC_PROVIDERS["eherkenning"]["client_id"] = ""
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Log in with eHerkenning" not in html


def test_login_redirects_to_the_provider_with_state_nonce_and_pkce(
    client: Client, sso: FakeProvider
) -> None:
    params = sso.start_login(client)

    assert params["client_id"] == CLIENT_ID
    assert params["response_type"] == "code"
    assert params["scope"] == "openid email profile"
    assert params["redirect_uri"] == "http://testserver/oidc/sso/callback/"
    assert params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 32
    assert len(params["nonce"]) >= 32
    assert params["state"] in client.session["oidc_states"]


@pytest.mark.parametrize("slug", ["unknown", "sso"])
def test_unknown_or_unconfigured_provider_is_404(client: Client, settings: Any, slug: str) -> None:
    settings.OIDC_PROVIDERS["sso"]["client_id"] = ""

    assert client.get(f"/oidc/{slug}/login/").status_code == 404
    assert client.get(f"/oidc/{slug}/callback/?code=x&state=y").status_code == 404


# --- happy paths -----------------------------------------------------------------------------


def test_sso_login_creates_user_and_identity(client: Client, sso: FakeProvider) -> None:
    response = sso.login(client, next_url="/gemeente/")

    assert response.status_code == 302
    assert response["Location"] == "/gemeente/"
    user = User.objects.get()
    assert user.email == "medewerker@breda.example.nl"
    assert user.full_name == "Mia Medewerker"
    assert not user.has_usable_password()
    assert ExternalIdentity.objects.get().subject == "sso-subject-1"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session["_auth_user_backend"] == (
        "weerbaar.contrib.oidc.backends.ProviderOIDCBackend"
    )
    entry = AuditEntry.objects.get(action="accounts.oidc_login")
    assert entry.changes["provider"] == "sso"
    assert entry.changes["user_created"] is True

    # The code was exchanged with our secret, redirect URI and PKCE verifier.
    token_request = sso.token_requests[0]
    assert token_request["code"] == ["the-code"]
    assert token_request["client_secret"] == [CLIENT_SECRET]
    assert token_request["redirect_uri"] == ["http://testserver/oidc/sso/callback/"]
    assert len(token_request["code_verifier"][0]) == 64


def test_every_provider_call_has_a_timeout(
    client: Client, sso: FakeProvider, http: responses.RequestsMock
) -> None:
    sso.login(client)

    assert {call.request.url.rsplit("/", 1)[-1] for call in http.calls} == {
        "token",
        "jwks",
        "userinfo",
    }
    for call in http.calls:
        assert call.request.req_kwargs["timeout"] == 3.0


def test_existing_account_is_found_by_email_and_kept(client: Client, sso: FakeProvider) -> None:
    user = UserFactory(email="medewerker@breda.example.nl", full_name="Bestaande Naam")

    sso.login(client)

    assert User.objects.count() == 1
    assert ExternalIdentity.objects.get().user == user
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.full_name == "Bestaande Naam"


def test_known_identity_wins_over_a_changed_email(client: Client, sso: FakeProvider) -> None:
    user = UserFactory(email="oud@breda.example.nl")
    ExternalIdentity.objects.create(user=user, provider="sso", subject="sso-subject-1")

    sso.login(client)

    assert User.objects.count() == 1
    assert client.session["_auth_user_id"] == str(user.pk)


def test_staff_from_sso_still_pass_the_second_factor(
    client: Client, sso: FakeProvider, municipality: Any
) -> None:
    user = UserFactory(email="medewerker@breda.example.nl")
    MembershipFactory(user=user, municipalities=[municipality])

    response = sso.login(client, next_url="/beheer/")

    assert response["Location"] == f"{reverse('accounts:second_factor')}?next=%2Fbeheer%2F"


def test_eherkenning_links_the_user_to_the_business(
    client: Client, eherkenning: FakeProvider, area: Any
) -> None:
    business = BusinessFactory(
        area=area, kvk_number="12345678", establishment_number="000012345678"
    )
    BusinessFactory(area=area, kvk_number="12345678")  # another establishment: not linked

    response = eherkenning.login(client)

    assert response.status_code == 302
    user = User.objects.get()
    link = BusinessPerson.objects.get()
    assert (link.person, link.business) == (user, business)
    assert link.role == "employee"
    assert AuditEntry.objects.filter(action="network.business_person.link").count() == 1
    assert AuditEntry.objects.get(action="accounts.oidc_login").changes["businesses"] == [
        "000012345678"
    ]
    assert response["Location"] == reverse("portal:dashboard")

    # Logging in again does not link twice.
    client.logout()
    eherkenning.login(client)
    assert BusinessPerson.objects.count() == 1


def test_eherkenning_without_vestigingsnummer_covers_the_kvk_registration(
    client: Client, eherkenning: FakeProvider, area: Any
) -> None:
    first = BusinessFactory(area=area, kvk_number="12345678")
    second = BusinessFactory(area=area, kvk_number="12345678")
    BusinessFactory(area=area, kvk_number="87654321")
    del eherkenning.claims["vestigingsnummer"]

    eherkenning.login(client)

    assert {link.business for link in BusinessPerson.objects.all()} == {first, second}


def test_eherkenning_for_a_business_outside_the_network_logs_in_with_a_message(
    client: Client, eherkenning: FakeProvider
) -> None:
    response = eherkenning.login(client)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)
    assert BusinessPerson.objects.count() == 0
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("not yet part of the network" in message for message in messages)


# --- failures: clear message, right status, nothing written ----------------------------------


def test_tampered_signature_logs_nobody_in(client: Client, eherkenning: FakeProvider) -> None:
    eherkenning.signing_key = new_key()  # same kid, wrong key

    response = eherkenning.login(client)

    assert response.status_code == 401
    assert "could not verify the answer from the login service" in response.content.decode()
    assert_not_logged_in(client)
    assert_nothing_written()


def test_modified_payload_logs_nobody_in(
    client: Client, sso: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_id_token = sso.id_token

    def tampered() -> str:
        header, _payload, signature = real_id_token().split(".")
        other = sso.claims | {"sub": "someone-else"}
        sso.claims = other
        forged = FakeProvider(slug="x", mock=sso.mock, key=sso.key, claims=other, nonce=sso.nonce)
        return ".".join([header, forged.id_token().split(".")[1], signature])

    monkeypatch.setattr(sso, "id_token", tampered)

    response = sso.login(client)

    assert response.status_code == 401
    assert_nothing_written()


@pytest.mark.parametrize(
    "override",
    [
        {"nonce": "not-the-nonce"},
        {"aud": "another-client"},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
        {"exp": None},
        {"sub": None},
    ],
    ids=["nonce", "audience", "expired", "no-exp", "no-sub"],
)
def test_id_token_claims_are_checked(
    client: Client, sso: FakeProvider, override: dict[str, Any]
) -> None:
    sso.id_token_overrides = override

    response = sso.login(client)

    assert response.status_code == 401
    assert_not_logged_in(client)
    assert_nothing_written()


def test_unsigned_token_is_refused(client: Client, sso: FakeProvider, monkeypatch: Any) -> None:
    monkeypatch.setattr(
        sso,
        "id_token",
        lambda: jwt_none({"sub": "sso-subject-1", "aud": CLIENT_ID, "nonce": sso.nonce}),
    )

    response = sso.login(client)

    assert response.status_code == 401
    assert_nothing_written()


def jwt_none(payload: dict[str, Any]) -> str:
    import jwt

    now = int(time.time())
    return jwt.encode({**payload, "iat": now, "exp": now + 60}, key=None, algorithm="none")


def test_userinfo_for_another_subject_is_refused(client: Client, sso: FakeProvider) -> None:
    sso.userinfo = {"sub": "someone-else", "email": "ander@example.nl"}

    response = sso.login(client)

    assert response.status_code == 401
    assert_nothing_written()


def test_state_mismatch_is_400(client: Client, sso: FakeProvider) -> None:
    sso.start_login(client)

    response = sso.callback(client, state="not-our-state")

    assert response.status_code == 400
    assert "This login attempt is not valid" in response.content.decode()
    assert sso.token_requests == []
    assert_nothing_written()


def test_callback_without_a_started_login_is_400(client: Client, sso: FakeProvider) -> None:
    assert sso.callback(client, state="anything").status_code == 400
    assert client.get("/oidc/sso/callback/").status_code == 400


def test_replayed_callback_is_400(client: Client, sso: FakeProvider) -> None:
    params = sso.start_login(client)
    assert sso.callback(client, params["state"]).status_code == 302
    client.logout()
    # The session is new after logout; replay in the same session as well:
    params = sso.start_login(client)
    assert sso.callback(client, params["state"]).status_code == 302

    assert sso.callback(client, params["state"]).status_code == 400


def test_state_of_another_provider_is_400(
    client: Client, sso: FakeProvider, eherkenning: FakeProvider
) -> None:
    params = sso.start_login(client)

    response = eherkenning.callback(client, params["state"])

    assert response.status_code == 400
    assert_nothing_written()


def test_provider_error_is_401_and_consumes_the_state(client: Client, sso: FakeProvider) -> None:
    params = sso.start_login(client)

    response = client.get(
        "/oidc/sso/callback/", {"error": "access_denied", "state": params["state"]}
    )

    assert response.status_code == 401
    assert "The login service did not log you in" in response.content.decode()
    assert params["state"] not in client.session["oidc_states"]
    assert sso.callback(client, params["state"]).status_code == 400


def test_refused_authorization_code_is_401(
    client: Client, sso: FakeProvider, http: responses.RequestsMock
) -> None:
    http.replace(responses.POST, f"{ISSUER}/sso/token", json={"error": "invalid_grant"}, status=400)

    response = sso.login(client)

    assert response.status_code == 401
    assert_nothing_written()


@pytest.mark.parametrize(
    ("method", "endpoint", "failure"),
    [
        (responses.POST, "token", requests.exceptions.ConnectTimeout("timed out")),
        (responses.POST, "token", requests.exceptions.ConnectionError("refused")),
        (responses.GET, "jwks", requests.exceptions.ReadTimeout("timed out")),
        (responses.GET, "userinfo", requests.exceptions.ReadTimeout("timed out")),
    ],
)
def test_unreachable_provider_is_502(
    client: Client,
    sso: FakeProvider,
    http: responses.RequestsMock,
    method: str,
    endpoint: str,
    failure: Exception,
) -> None:
    http.replace(method, f"{ISSUER}/sso/{endpoint}", body=failure)

    response = sso.login(client)

    assert response.status_code == 502
    assert "The login service cannot be reached right now" in response.content.decode()
    assert_not_logged_in(client)
    assert_nothing_written()


@pytest.mark.parametrize(
    ("method", "endpoint", "body", "status"),
    [
        (responses.POST, "token", "<html>Bad gateway</html>", 502),
        (responses.POST, "token", "not json", 200),
        (responses.GET, "jwks", "{}", 200),
        (responses.GET, "jwks", "oops", 500),
        (responses.GET, "userinfo", "[]", 200),
    ],
)
def test_garbled_provider_answers_are_502(
    client: Client,
    sso: FakeProvider,
    http: responses.RequestsMock,
    method: str,
    endpoint: str,
    body: str,
    status: int,
) -> None:
    http.replace(method, f"{ISSUER}/sso/{endpoint}", body=body, status=status)

    response = sso.login(client)

    assert response.status_code == 502
    assert_nothing_written()


@pytest.mark.parametrize(
    "claims",
    [
        {"kvk": "1234567"},
        {"kvk": "12345678", "vestigingsnummer": "12345"},
        {"kvk": None},
        {"kvk": "1234567X"},
    ],
)
def test_malformed_business_claims_are_refused(
    client: Client, eherkenning: FakeProvider, area: Any, claims: dict[str, Any]
) -> None:
    BusinessFactory(area=area, kvk_number="12345678", establishment_number="000012345678")
    eherkenning.claims = {
        name: value for name, value in (eherkenning.claims | claims).items() if value is not None
    }

    response = eherkenning.login(client)

    assert response.status_code == 401
    assert "valid KvK number" in response.content.decode()
    assert User.objects.count() == 0
    assert BusinessPerson.objects.count() == 0


def test_numeric_claims_keep_their_leading_zeros(
    client: Client, eherkenning: FakeProvider, area: Any
) -> None:
    business = BusinessFactory(
        area=area, kvk_number="01234567", establishment_number="000012345678"
    )
    eherkenning.claims |= {"kvk": 1234567, "vestigingsnummer": 12345678}

    eherkenning.login(client)

    assert BusinessPerson.objects.get().business == business


def test_new_identity_without_email_is_refused(client: Client, eherkenning: FakeProvider) -> None:
    del eherkenning.claims["email"]

    response = eherkenning.login(client)

    assert response.status_code == 401
    assert "did not share your email address" in response.content.decode()
    assert_nothing_written()


def test_unverified_email_is_not_matched(client: Client, sso: FakeProvider) -> None:
    UserFactory(email="medewerker@breda.example.nl")
    sso.claims["email_verified"] = False

    response = sso.login(client)

    assert response.status_code == 401
    assert ExternalIdentity.objects.count() == 0
    assert_not_logged_in(client)


def test_blocked_account_is_403_and_gets_no_identity(client: Client, sso: FakeProvider) -> None:
    UserFactory(email="medewerker@breda.example.nl", is_active=False)

    response = sso.login(client)

    assert response.status_code == 403
    assert "blocked" in response.content.decode()
    assert ExternalIdentity.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    assert_not_logged_in(client)


def test_unsafe_next_is_dropped(client: Client, sso: FakeProvider) -> None:
    response = sso.login(client, next_url="https://evil.example.com/")

    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_session_ends_when_the_account_is_blocked(client: Client, sso: FakeProvider) -> None:
    sso.login(client)
    User.objects.update(is_active=False)

    response = client.get(reverse("core:back_office"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_backend_works_through_django_authenticate(sso: FakeProvider, rf: Any) -> None:
    """For callers of django.contrib.auth.authenticate (the view uses the two steps)."""
    from django.contrib.auth import authenticate

    sso.nonce = "a-nonce"
    request = rf.get("/oidc/sso/callback/", {"code": "the-code", "state": "s"})

    user = authenticate(request, oidc_provider="sso", nonce="a-nonce", code_verifier=None)

    assert user == User.objects.get(email="medewerker@breda.example.nl")
    assert user.backend == "weerbaar.contrib.oidc.backends.ProviderOIDCBackend"
    sso.id_token_overrides = {"nonce": "other"}
    assert authenticate(request, oidc_provider="sso", nonce="a-nonce") is None


def test_id_token_from_another_issuer_is_refused(
    client: Client, sso: FakeProvider, settings: Any
) -> None:
    settings.OIDC_PROVIDERS = {
        **settings.OIDC_PROVIDERS,
        "sso": {**settings.OIDC_PROVIDERS["sso"], "issuer": "https://expected-issuer.example"},
    }

    response = sso.login(client)

    assert response.status_code == 401
    assert_not_logged_in(client)
    assert_nothing_written()


def test_id_token_from_the_configured_issuer_logs_in(
    client: Client, sso: FakeProvider, settings: Any
) -> None:
    from tests.oidc.conftest import ISSUER

    settings.OIDC_PROVIDERS = {
        **settings.OIDC_PROVIDERS,
        "sso": {**settings.OIDC_PROVIDERS["sso"], "issuer": ISSUER},
    }

    response = sso.login(client)

    assert response.status_code == 302
    assert "_auth_user_id" in client.session
