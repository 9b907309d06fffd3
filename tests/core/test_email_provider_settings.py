"""EMAIL_PROVIDER_OPTIONS: the credentials of an anymail provider reach its backend, and a
mistake in the variable stops the start with a message that names it."""

from __future__ import annotations

import pytest
from anymail.backends.postmark import EmailBackend as PostmarkBackend
from django.core.exceptions import ImproperlyConfigured

from weerbaar.conf.includes.email import CONSOLE_BACKEND, mailers

POSTMARK = "anymail.backends.postmark.EmailBackend"


def test_the_provider_gets_its_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_BACKEND", POSTMARK)
    monkeypatch.setenv("EMAIL_PROVIDER_OPTIONS", '{"server_token": "token-123"}')

    configured = mailers(CONSOLE_BACKEND)["default"]

    assert configured == {"BACKEND": POSTMARK, "OPTIONS": {"server_token": "token-123"}}
    backend = PostmarkBackend(**configured["OPTIONS"])
    assert backend.server_token == "token-123"


def test_without_options_the_provider_backend_gets_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_BACKEND", POSTMARK)
    monkeypatch.delenv("EMAIL_PROVIDER_OPTIONS", raising=False)
    assert mailers(CONSOLE_BACKEND)["default"]["OPTIONS"] == {}


@pytest.mark.parametrize("raw", ["api_key=abc", "[1, 2]", '{"api_key": "abc"'])
def test_bad_options_stop_the_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("EMAIL_BACKEND", POSTMARK)
    monkeypatch.setenv("EMAIL_PROVIDER_OPTIONS", raw)
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PROVIDER_OPTIONS"):
        mailers(CONSOLE_BACKEND)
