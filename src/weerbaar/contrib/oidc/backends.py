"""mozilla-django-oidc's backend, configured per provider instead of by global settings.

The library reads its configuration through `get_settings("OIDC_…")`; here that answers
from the provider's entry in settings.OIDC_PROVIDERS. On top of the library's checks
(algorithm, signature, nonce) the ID token's audience must be our client id, it must carry
`exp`, `iat` and `sub`, and the userinfo `sub` must equal the ID token's. Every HTTP call
uses the provider's timeout.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from weerbaar.contrib.oidc.claims import OidcIdentity, parse_identity
from weerbaar.contrib.oidc.errors import (
    OidcLoginError,
    OidcProviderRefused,
    OidcProviderUnavailable,
    OidcTokenInvalid,
)
from weerbaar.contrib.oidc.providers import Provider, get_provider

logger = logging.getLogger(__name__)

OIDC_BACKEND = "weerbaar.contrib.oidc.backends.ProviderOIDCBackend"
CLOCK_SKEW_SECONDS = 60


def callback_url(provider: Provider) -> str:
    """The redirect URI registered at the provider, built on settings.SITE_URL so that it is
    the same behind any proxy."""
    return urljoin(settings.SITE_URL, reverse("oidc:callback", args=[provider.slug]))


def provider_settings(provider: Provider) -> dict[str, Any]:
    """The library's setting names, answered from one provider."""
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": provider.authorization_endpoint,
        "OIDC_OP_TOKEN_ENDPOINT": provider.token_endpoint,
        "OIDC_OP_USER_ENDPOINT": provider.userinfo_endpoint,
        "OIDC_OP_JWKS_ENDPOINT": provider.jwks_endpoint or None,
        "OIDC_RP_CLIENT_ID": provider.client_id,
        "OIDC_RP_CLIENT_SECRET": provider.client_secret,
        "OIDC_RP_SIGN_ALGO": provider.sign_algo,
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_RP_SCOPES": provider.scopes,
        "OIDC_TIMEOUT": provider.timeout,
        "OIDC_VERIFY_SSL": True,
        "OIDC_PROXY": None,
        "OIDC_VERIFY_KID": True,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": provider.use_pkce,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_TOKEN_USE_BASIC_AUTH": False,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_CREATE_USER": True,
    }


class ProviderOIDCBackend(OIDCAuthenticationBackend):
    """Authenticates the authorization-code callback of one provider.

    Django instantiates backends without arguments (to restore sessions); such an instance
    only answers `get_user`. The callback view builds one with the provider and calls
    `verified_identity()` and then `services.complete_oidc_login()`;
    `authenticate(request, oidc_provider=…, nonce=…, code_verifier=…)` does both, for callers
    that go through django.contrib.auth.authenticate.
    """

    def __init__(self, provider: Provider | None = None) -> None:
        # The library's __init__ reads global settings; ours come from the provider.
        self.UserModel = get_user_model()
        self.provider = provider
        if provider is not None:
            values = provider_settings(provider)
            self.OIDC_OP_TOKEN_ENDPOINT = values["OIDC_OP_TOKEN_ENDPOINT"]
            self.OIDC_OP_USER_ENDPOINT = values["OIDC_OP_USER_ENDPOINT"]
            self.OIDC_OP_JWKS_ENDPOINT = values["OIDC_OP_JWKS_ENDPOINT"]
            self.OIDC_RP_CLIENT_ID = values["OIDC_RP_CLIENT_ID"]
            self.OIDC_RP_CLIENT_SECRET = values["OIDC_RP_CLIENT_SECRET"]
            self.OIDC_RP_SIGN_ALGO = values["OIDC_RP_SIGN_ALGO"]
            self.OIDC_RP_IDP_SIGN_KEY = values["OIDC_RP_IDP_SIGN_KEY"]

    def get_settings(self, attr: str, *args: Any) -> Any:
        if self.provider is not None:
            values = provider_settings(self.provider)
            if attr in values:
                return values[attr]
        return import_from_settings(attr, *args)

    # --- restoring sessions --------------------------------------------------------------

    def get_user(self, user_id: Any) -> Any:
        # The library returns inactive users too; Django's rule is that they are logged out.
        return ModelBackend.get_user(self, user_id)

    # --- the callback --------------------------------------------------------------------

    def authenticate(
        self,
        request: HttpRequest | None,
        oidc_provider: str | None = None,
        nonce: str | None = None,
        code_verifier: str | None = None,
    ) -> Any:
        from weerbaar.contrib.oidc.services import complete_oidc_login

        provider = get_provider(oidc_provider) if oidc_provider else None
        if request is None or provider is None:
            return None
        backend = type(self)(provider)
        try:
            identity = backend.verified_identity(
                request,
                code=request.GET.get("code", ""),
                nonce=nonce,
                code_verifier=code_verifier,
            )
            return complete_oidc_login(provider, identity).user
        except OidcLoginError as error:
            logger.warning("OIDC login via %s failed: %s", provider.slug, error.detail)
            return None

    def verified_identity(
        self,
        request: HttpRequest,
        *,
        code: str,
        nonce: str | None,
        code_verifier: str | None,
    ) -> OidcIdentity:
        """Exchange `code` for tokens, verify the ID token, fetch userinfo, check the claims.

        Makes HTTP calls only (token, JWKS, userinfo), never database writes. Raises
        OidcProviderRefused, OidcTokenInvalid, OidcClaimsInvalid or OidcProviderUnavailable.
        """
        assert self.provider is not None
        self.request = request
        token_payload = {
            "client_id": self.OIDC_RP_CLIENT_ID,
            "client_secret": self.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": callback_url(self.provider),
        }
        if code_verifier:
            token_payload["code_verifier"] = code_verifier
        token_info = self._call(self.get_token, token_payload, step="token")
        if not isinstance(token_info, dict):
            raise OidcProviderUnavailable("token response is not a JSON object")
        id_token = token_info.get("id_token")
        access_token = token_info.get("access_token")
        if not isinstance(id_token, str) or not id_token:
            raise OidcProviderUnavailable("token response without id_token")

        payload = self._call(self.verify_token, id_token, nonce=nonce, step="id_token")
        missing = [claim for claim in ("exp", "iat", "sub") if claim not in payload]
        if missing:
            raise OidcTokenInvalid(f"ID token lacks {', '.join(missing)}")

        claims: dict[str, Any] = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT and isinstance(access_token, str) and access_token:
            userinfo = self._call(
                self.get_userinfo, access_token, id_token, payload, step="userinfo"
            )
            if not isinstance(userinfo, dict):
                raise OidcProviderUnavailable("userinfo response is not a JSON object")
            if userinfo.get("sub") != payload.get("sub"):
                raise OidcTokenInvalid("userinfo sub differs from ID token sub")
            claims.update(userinfo)
        return parse_identity(self.provider, claims)

    def _call(self, method: Any, *args: Any, step: str, **kwargs: Any) -> Any:
        """Run one library step and translate its failures into our errors."""
        try:
            return method(*args, **kwargs)
        except OidcLoginError:
            raise
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else 0
            if step == "token" and 400 <= status < 500:
                raise OidcProviderRefused(f"token endpoint answered {status}") from None
            raise OidcProviderUnavailable(f"{step}: HTTP {status}") from None
        except requests.RequestException as error:
            raise OidcProviderUnavailable(f"{step}: {type(error).__name__}") from None
        except (SuspiciousOperation, jwt.PyJWTError, KeyError, TypeError, ValueError) as error:
            raise OidcTokenInvalid(f"{step}: {type(error).__name__}: {error}") from None

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        """Verify signature and algorithm (as the library does), the audience, and the
        issuer when the provider's is configured."""
        header = jwt.get_unverified_header(payload)
        algorithm = header.get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The token's algorithm is not the configured one.")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[algorithm],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.provider.issuer if self.provider and self.provider.issuer else None,
                leeway=CLOCK_SKEW_SECONDS,
            )
        except jwt.PyJWTError as error:
            raise SuspiciousOperation(
                f"Token verification failed: {type(error).__name__}"
            ) from None

    def retrieve_matching_jwk(self, token: Any) -> Any:
        """The provider key that signed `token` (JWKS fetched with the provider's timeout).

        Stricter than the library: a malformed JWKS is a provider failure, a token whose
        `kid`/`alg` matches no key is an invalid token.
        """
        header = jwt.get_unverified_header(token)
        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT, timeout=self.get_settings("OIDC_TIMEOUT"), verify=True
        )
        response.raise_for_status()
        try:
            keys = response.json()["keys"]
        except (ValueError, KeyError, TypeError):
            raise OidcProviderUnavailable("JWKS is not a JSON key set") from None
        if not isinstance(keys, list):
            raise OidcProviderUnavailable("JWKS keys is not a list")
        kid, algorithm = header.get("kid"), header.get("alg")
        candidates = [
            key
            for key in keys
            if isinstance(key, dict)
            and (kid is None or key.get("kid") == kid)
            and key.get("alg", algorithm) == algorithm
            and key.get("use", "sig") == "sig"
        ]
        if len(candidates) != 1:
            raise SuspiciousOperation("No single provider key matches the token.")
        try:
            return jwt.PyJWK(candidates[0], algorithm=algorithm)
        except jwt.PyJWTError:
            raise OidcProviderUnavailable("provider key cannot be read") from None
