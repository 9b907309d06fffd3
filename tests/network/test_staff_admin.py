"""The Django admin for platform operators: every registered page opens, users are made by
email (there is no username), and changes are audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.factories import (
    AmbassadorFactory,
    AreaContactFactory,
    BusinessPersonFactory,
    ConsentFactory,
    MembershipFactory,
)
from tests.helpers import login_verified
from weerbaar.accounts.models import User
from weerbaar.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client: Client) -> Client:
    user = User.objects.create_superuser("beheer@weerbaar.example.nl", "correct-horse-battery")
    login_verified(client, user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def rows() -> dict[str, Any]:
    link = BusinessPersonFactory()
    return {
        "link": link,
        "ambassador": AmbassadorFactory(area=link.business.area),
        "contact": AreaContactFactory(area=link.business.area),
        "consent": ConsentFactory(person=link.person),
        "membership": MembershipFactory(municipalities=[link.business.municipality]),
    }


def _registered() -> list[Any]:
    return [
        model for model in admin.site._registry if model._meta.app_label in {"accounts", "network"}
    ]


def test_every_changelist_and_change_page_opens(operator: Client, rows: dict[str, Any]) -> None:
    assert len(_registered()) >= 11
    for model in _registered():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert operator.get(changelist).status_code == 200, changelist
        assert operator.get(changelist, {"q": "breda"}).status_code == 200, changelist
        obj = model._default_manager.first()
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert operator.get(change).status_code == 200, change


def test_operator_adds_a_user_by_email(operator: Client) -> None:
    url = reverse("admin:accounts_user_add")
    assert operator.get(url).status_code == 200
    response = operator.post(
        url, {"email": "Nieuw@Example.nl", "full_name": "Nina Nieuw", "usable_password": "false"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="nieuw@example.nl")
    assert not user.has_usable_password()
    assert AuditEntry.objects.filter(action="admin.user.create", object_id=str(user.pk)).exists()
    response = operator.post(url, {"email": "nieuw@EXAMPLE.nl", "usable_password": "false"})
    assert response.status_code == 200
    assert "A user with this email address already exists." in response.content.decode()
