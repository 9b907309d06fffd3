"""Login audit entries and the daily purge of expired login links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.conftest import PASSWORD, current_code
from weerbaar.accounts import services, tasks
from weerbaar.accounts.models import MagicLink
from weerbaar.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _login_methods(user: Any) -> list[str]:
    entries = AuditEntry.objects.filter(actor=user, action="accounts.login").order_by("pk")
    return [entry.changes["method"] for entry in entries]


def test_password_and_code_steps_are_audited(client: Client, staff: Any, device: Any) -> None:
    client.post(reverse("accounts:login"), {"username": staff.email, "password": PASSWORD})
    response = client.post(reverse("accounts:second_factor"), {"code": current_code(device)})

    assert response.status_code == 302
    assert _login_methods(staff) == ["password", "totp"]


def test_failed_password_writes_no_login_entry(client: Client, staff: Any) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": staff.email, "password": "wrong-password-123"}
    )

    assert response.status_code == 400
    assert _login_methods(staff) == []


def _link(user: Any, *, expires_in: timedelta, used: bool = False) -> MagicLink:
    now = timezone.now()
    return MagicLink.objects.create(
        user=user,
        token_hash=services.hash_token(f"token-{user.pk}-{expires_in}-{used}"),
        expires_at=now + expires_in,
        used_at=now if used else None,
    )


def test_purge_removes_only_links_that_can_no_longer_be_used(entrepreneur: Any) -> None:
    _link(entrepreneur, expires_in=timedelta(minutes=-1))
    _link(entrepreneur, expires_in=timedelta(hours=-2), used=True)
    valid = _link(entrepreneur, expires_in=timedelta(minutes=settings.MAGIC_LINK_TTL_MINUTES))

    assert tasks.purge_expired_magic_links.delay().get() == 2

    remaining = set(MagicLink.objects.values_list("pk", flat=True))
    assert remaining == {valid.pk}
    entry = AuditEntry.objects.get(action="accounts.magic_links_purged")
    assert entry.changes == {"deleted": 2}


def test_purge_with_nothing_to_do_writes_nothing(entrepreneur: Any) -> None:
    _link(entrepreneur, expires_in=timedelta(minutes=5))

    assert services.purge_expired_magic_links() == 0
    assert not AuditEntry.objects.filter(action="accounts.magic_links_purged").exists()


def test_purge_runs_daily_in_the_beat_schedule() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE["purge-expired-magic-links"]

    assert schedule["task"] == tasks.purge_expired_magic_links.name
