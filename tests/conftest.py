"""Shared pytest fixtures. Every test gets its own transaction; nothing reaches the internet."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the site's default language (Dutch). A request with
    Accept-Language leaves its language active in the thread; without this, what a later
    test sees would depend on the order the tests ran in."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Refuse connections to anything but this machine (browser tests serve on loopback)."""
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in {"localhost", "::1"} or host.startswith("/")
        ):
            raise OSError(f"tests may not connect to {host}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture
def municipality(db: None) -> Any:
    from tests.factories import MunicipalityFactory

    return MunicipalityFactory(name="Breda", slug="breda")


@pytest.fixture
def area(municipality: Any) -> Any:
    from tests.factories import AreaFactory

    return AreaFactory(municipality=municipality, name="Binnenstad", slug="binnenstad")


@pytest.fixture
def staff_client(client: Any, municipality: Any) -> Any:
    """A client logged in as municipal staff of Breda, second factor passed."""
    from tests.factories import MembershipFactory, UserFactory
    from tests.helpers import login_verified

    user = UserFactory(email="oov@breda.example.nl", full_name="Olga Oov")
    MembershipFactory(user=user, municipalities=[municipality])
    login_verified(client, user)
    client.user = user
    return client
