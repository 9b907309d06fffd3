"""A fake OIDC provider: an RSA key made in the test, JWKS/token/userinfo served through
`responses`. The whole authorization-code flow runs through the Django test client."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

ISSUER = "https://idp.example.test"
CLIENT_ID = "weerbaar-test"
CLIENT_SECRET = "client-secret-for-tests"
SITE_URL = "http://testserver"


def provider_settings(slug: str, **overrides: Any) -> dict[str, Any]:
    values = {
        "label": "eHerkenning" if slug == "eherkenning" else "Gemeente-account",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "authorization_endpoint": f"{ISSUER}/{slug}/authorize",
        "token_endpoint": f"{ISSUER}/{slug}/token",
        "userinfo_endpoint": f"{ISSUER}/{slug}/userinfo",
        "jwks_endpoint": f"{ISSUER}/{slug}/jwks",
        "sign_algo": "RS256",
        "scopes": "openid email profile",
        "kvk_claim": "kvk",
        "establishment_claim": "vestigingsnummer",
        "timeout": 3.0,
    }
    values.update(overrides)
    return values


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeProvider:
    """One provider slug. Set `claims`/`userinfo`/`id_token_overrides` before the callback."""

    slug: str
    mock: responses.RequestsMock
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    kid: str = "key-1"
    claims: dict[str, Any] = field(default_factory=dict)
    userinfo: dict[str, Any] | None = None
    id_token_overrides: dict[str, Any] = field(default_factory=dict)
    signing_key: rsa.RSAPrivateKey | None = None  # sign with another key (tampering)
    nonce: str = ""
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        public.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [public]}

    def id_token(self) -> str:
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            **self.claims,
            **self.id_token_overrides,
        }
        payload = {name: value for name, value in payload.items() if value is not None}
        return jwt.encode(
            payload, self.signing_key or self.key, algorithm="RS256", headers={"kid": self.kid}
        )

    def serve(self) -> None:
        base = f"{ISSUER}/{self.slug}"
        self.mock.add_callback(responses.POST, f"{base}/token", callback=self._token)
        self.mock.add_callback(
            responses.GET,
            f"{base}/jwks",
            callback=lambda request: (200, {}, json.dumps(self.jwks())),
        )
        self.mock.add_callback(responses.GET, f"{base}/userinfo", callback=self._userinfo)

    def _jwks(self, request: Any) -> tuple[int, dict[str, str], str]:
        return 200, {}, json.dumps(self.jwks())

    def _token(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.token_requests.append(parse_qs(request.body))
        body = {"access_token": "access-token", "token_type": "Bearer", "id_token": self.id_token()}
        return 200, {}, json.dumps(body)

    def _userinfo(self, request: Any) -> tuple[int, dict[str, str], str]:
        assert request.headers["Authorization"] == "Bearer access-token"
        info = self.userinfo if self.userinfo is not None else self.claims
        return 200, {}, json.dumps(info)

    def start_login(self, client: Client, next_url: str = "") -> dict[str, str]:
        """GET /oidc/<slug>/login/ and return the parameters sent to the provider."""
        url = f"/oidc/{self.slug}/login/" + (f"?next={next_url}" if next_url else "")
        response = client.get(url)
        assert response.status_code == 302, response
        location = urlparse(response["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == (
            f"{ISSUER}/{self.slug}/authorize"
        )
        params = {name: values[0] for name, values in parse_qs(location.query).items()}
        self.nonce = params["nonce"]
        return params

    def callback(self, client: Client, state: str, code: str = "the-code") -> Any:
        return client.get(f"/oidc/{self.slug}/callback/", {"code": code, "state": state})

    def login(self, client: Client, next_url: str = "") -> Any:
        params = self.start_login(client, next_url)
        return self.callback(client, params["state"])


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(autouse=True)
def _providers(settings: Any) -> None:
    settings.SITE_URL = SITE_URL
    settings.OIDC_PROVIDERS = {
        "sso": provider_settings("sso"),
        "eherkenning": provider_settings("eherkenning"),
    }


@pytest.fixture
def sso(http: responses.RequestsMock) -> FakeProvider:
    provider = FakeProvider(
        slug="sso",
        mock=http,
        claims={
            "sub": "sso-subject-1",
            "email": "Medewerker@Breda.example.nl",
            "email_verified": True,
            "name": "Mia Medewerker",
        },
    )
    provider.serve()
    return provider


@pytest.fixture
def eherkenning(http: responses.RequestsMock) -> FakeProvider:
    provider = FakeProvider(
        slug="eherkenning",
        mock=http,
        claims={
            "sub": "eh-subject-1",
            "email": "eigenaar@bakkerij.example.nl",
            "name": "Eva Eigenaar",
            "kvk": "12345678",
            "vestigingsnummer": "000012345678",
        },
    )
    provider.serve()
    return provider
