"""Fixtures for the login flow tests. Pages are requested in English so that assertions on
messages do not depend on the state of the Dutch catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import BusinessPersonFactory, MembershipFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"  # tests/factories.UserFactory


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def staff(municipality: Any) -> Any:
    user = UserFactory(email="oov@breda.example.nl", full_name="Olga Oov")
    MembershipFactory(user=user, municipalities=[municipality])
    return user


@pytest.fixture
def entrepreneur(area: Any) -> Any:
    user = UserFactory(email="bakker@example.nl", full_name="Bert Bakker")
    BusinessPersonFactory(person=user, business__area=area)
    return user


@pytest.fixture
def device(staff: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=staff, name="Authenticator", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows right now."""
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"
