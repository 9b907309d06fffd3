"""The OIDC providers, read from settings.OIDC_PROVIDERS (see conf/includes/integrations.py).

A provider is enabled when its client id is set. The login page shows a button for each
enabled provider; `/oidc/<slug>/login/` and `/oidc/<slug>/callback/` serve its flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

# The provider whose claims carry a KvK number and vestigingsnummer (an eHerkenning broker).
BUSINESS_PROVIDER_SLUG = "eherkenning"


@dataclass(frozen=True)
class Provider:
    slug: str
    label: str
    client_id: str
    client_secret: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_endpoint: str
    sign_algo: str
    scopes: str
    kvk_claim: str
    establishment_claim: str
    timeout: float
    use_pkce: bool = True
    # Expected `iss` of ID tokens; empty skips the check (not every broker documents it).
    issuer: str = ""

    @property
    def is_business_login(self) -> bool:
        """Does this provider log in on behalf of a business (eHerkenning)?"""
        return self.slug == BUSINESS_PROVIDER_SLUG

    @classmethod
    def from_settings(cls, slug: str, values: dict[str, Any]) -> Provider:
        return cls(
            slug=slug,
            label=str(values.get("label") or slug),
            client_id=str(values.get("client_id") or ""),
            client_secret=str(values.get("client_secret") or ""),
            authorization_endpoint=str(values.get("authorization_endpoint") or ""),
            token_endpoint=str(values.get("token_endpoint") or ""),
            userinfo_endpoint=str(values.get("userinfo_endpoint") or ""),
            jwks_endpoint=str(values.get("jwks_endpoint") or ""),
            sign_algo=str(values.get("sign_algo") or "RS256"),
            scopes=str(values.get("scopes") or "openid email profile"),
            kvk_claim=str(values.get("kvk_claim") or "kvk"),
            establishment_claim=str(values.get("establishment_claim") or "vestigingsnummer"),
            timeout=float(values.get("timeout") or 5.0),
            use_pkce=bool(values.get("use_pkce", True)),
            issuer=str(values.get("issuer") or ""),
        )

    @property
    def is_enabled(self) -> bool:
        return bool(self.client_id and self.authorization_endpoint and self.token_endpoint)


def get_provider(slug: str) -> Provider | None:
    """The enabled provider `slug`, or None when it is unknown or not configured."""
    values = settings.OIDC_PROVIDERS.get(slug)
    if not isinstance(values, dict):
        return None
    provider = Provider.from_settings(slug, values)
    return provider if provider.is_enabled else None


def enabled_providers() -> list[Provider]:
    """Every configured provider, in settings order (for the buttons on the login page)."""
    providers = (get_provider(slug) for slug in settings.OIDC_PROVIDERS)
    return [provider for provider in providers if provider is not None]
