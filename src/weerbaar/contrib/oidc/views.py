"""The authorization-code flow per provider: `/oidc/<provider>/login/` → provider →
`/oidc/<provider>/callback/`.

Both views subclass mozilla-django-oidc's and answer its settings from the provider. The
callback never answers 500: every failure renders oidc/failure.html with a clear message
and a fitting status (400 bad state, 401 refused or unverifiable, 403 blocked account,
502 provider unreachable), and writes nothing.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib import auth, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.utils import (
    add_state_and_verifier_and_nonce_to_session,
    generate_code_challenge,
    import_from_settings,
)
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from weerbaar.accounts.views import is_safe_next, redirect_after_login
from weerbaar.contrib.oidc import services
from weerbaar.contrib.oidc.backends import (
    OIDC_BACKEND,
    ProviderOIDCBackend,
    callback_url,
    provider_settings,
)
from weerbaar.contrib.oidc.errors import OidcLoginError, OidcProviderRefused, OidcStateError
from weerbaar.contrib.oidc.providers import Provider, get_provider

logger = logging.getLogger(__name__)

STATES_SESSION_KEY = "oidc_states"
NEXT_SESSION_KEY = "oidc_login_next"


class _ProviderMixin:
    """Resolves the provider from the URL (404 when unknown or not configured) and answers
    the library's get_settings from it."""

    provider: Provider

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)  # type: ignore[misc]
        provider = get_provider(kwargs.get("provider", ""))
        if provider is None:
            raise Http404
        self.provider = provider

    def get_settings(self, attr: str, *args: Any) -> Any:
        values = provider_settings(self.provider)
        if attr in values:
            return values[attr]
        return import_from_settings(attr, *args)


class OidcLoginView(_ProviderMixin, OIDCAuthenticationRequestView):
    """Start a login: remember state, nonce and PKCE verifier in the session and send the
    visitor to the provider's authorization endpoint."""

    def __init__(self, **kwargs: Any) -> None:
        # The library's __init__ reads global settings; the provider is known in setup().
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest, provider: str) -> HttpResponse:
        state = get_random_string(32)
        nonce = get_random_string(32)
        params = {
            "response_type": "code",
            "scope": self.provider.scopes,
            "client_id": self.provider.client_id,
            "redirect_uri": callback_url(self.provider),
            "state": state,
            "nonce": nonce,
        }
        code_verifier = None
        if self.provider.use_pkce:
            code_verifier = get_random_string(64)
            params["code_challenge"] = generate_code_challenge(code_verifier, "S256")
            params["code_challenge_method"] = "S256"
        add_state_and_verifier_and_nonce_to_session(request, state, params, code_verifier)
        # Tie the state to this provider, so a callback cannot be replayed at another one.
        request.session[STATES_SESSION_KEY][state]["provider"] = self.provider.slug
        request.session.modified = True

        next_url = request.GET.get("next", "")
        request.session[NEXT_SESSION_KEY] = next_url if is_safe_next(request, next_url) else ""

        endpoint = self.provider.authorization_endpoint
        separator = "&" if "?" in endpoint else "?"
        return HttpResponseRedirect(f"{endpoint}{separator}{urlencode(params)}")


class OidcCallbackView(_ProviderMixin, OIDCAuthenticationCallbackView):
    """Finish a login: check state, verify the provider's answer, map it to a user, log in.

    All HTTP calls happen before the single database transaction in
    services.complete_oidc_login, so a failure at any step leaves no half-written rows.
    """

    def get(self, request: HttpRequest, provider: str) -> HttpResponse:
        try:
            result = self._complete(request)
        except OidcLoginError as error:
            logger.warning("OIDC login via %s failed: %s", self.provider.slug, error.detail)
            return render(
                request,
                "oidc/failure.html",
                {"provider": self.provider, "message": error.message},
                status=error.status,
            )
        next_url = request.session.pop(NEXT_SESSION_KEY, "")
        auth.login(request, result.user, backend=OIDC_BACKEND)
        if result.business_not_in_network:
            messages.warning(
                request,
                _(
                    "You are logged in. The business you logged in for is not yet part of the "
                    "network, so you do not see business information yet. The municipality "
                    "can add it; contact them if you want to join."
                ),
            )
        return redirect_after_login(request, result.user, next_url)

    def _complete(self, request: HttpRequest) -> services.OidcLoginResult:
        state = request.GET.get("state", "")
        if request.GET.get("error"):
            self._forget_state(request, state)
            raise OidcProviderRefused(f"provider error {request.GET.get('error', '')[:50]!r}")
        code = request.GET.get("code", "")
        if not code or not state:
            raise OidcStateError("callback without code or state")
        entry = self._forget_state(request, state)
        if entry is None or entry.get("provider") != self.provider.slug:
            raise OidcStateError("unknown state")
        backend = ProviderOIDCBackend(self.provider)
        identity = backend.verified_identity(
            request,
            code=code,
            nonce=entry.get("nonce"),
            code_verifier=entry.get("code_verifier"),
        )
        return services.complete_oidc_login(self.provider, identity)

    @staticmethod
    def _forget_state(request: HttpRequest, state: str) -> dict[str, Any] | None:
        """Remove `state` from the session (a state is good for one callback) and return
        what was stored with it. Saved at once: error pages with 5xx skip the session save."""
        states = request.session.get(STATES_SESSION_KEY)
        if not isinstance(states, dict) or not state or state not in states:
            return None
        entry = states.pop(state)
        request.session.modified = True
        request.session.save()
        return entry if isinstance(entry, dict) else None
