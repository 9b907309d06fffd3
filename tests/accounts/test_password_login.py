"""Staff and partners: email + password, then the TOTP second factor; lockout by axes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.accounts.conftest import PASSWORD, current_code, wrong_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/account/inloggen/"
BACK_OFFICE = "/beheer/"


def password_login(client: Client, email: str, password: str, next_url: str = "") -> Any:
    data = {"username": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


def test_login_page_offers_both_ways_with_accessible_fields(client: Client) -> None:
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert reverse("accounts:login") == LOGIN
    html = response.content.decode()
    assert "Staff and partners" in html
    assert "Entrepreneurs" in html
    assert "Email me a login link" in html
    assert 'name="username"' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert 'autocomplete="email"' in html
    assert '<label class="utrecht-form-label" for="password-login-username">' in html
    assert '<label class="utrecht-form-label" for="magic-link-email">' in html


def test_staff_password_and_code_reach_the_back_office(
    client: Client, staff: Any, device: Any
) -> None:
    response = password_login(client, staff.email, PASSWORD, next_url=BACK_OFFICE)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:second_factor')}?next=%2Fbeheer%2F"
    # Logged in, but the back office still asks for the code.
    assert client.get(BACK_OFFICE)["Location"].startswith(reverse("accounts:second_factor"))

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html

    response = client.post(
        response["Location"], {"code": current_code(device), "next": BACK_OFFICE}
    )
    assert response.status_code == 302
    assert response["Location"] == BACK_OFFICE
    assert client.get(BACK_OFFICE).status_code == 200


def test_code_with_a_space_is_accepted(client: Client, staff: Any, device: Any) -> None:
    password_login(client, staff.email, PASSWORD)
    code = current_code(device)

    response = client.post(reverse("accounts:second_factor"), {"code": f"{code[:3]} {code[3:]}"})

    assert response.status_code == 302
    assert response["Location"] == BACK_OFFICE


def test_wrong_code_is_refused_with_400(client: Client, staff: Any, device: Any) -> None:
    password_login(client, staff.email, PASSWORD)

    response = client.post(reverse("accounts:second_factor"), {"code": wrong_code(device)})

    assert response.status_code == 400
    assert "This code is not correct" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert client.get(BACK_OFFICE).status_code == 302


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567"])
def test_malformed_code_is_refused_with_400(
    client: Client, staff: Any, device: Any, code: str
) -> None:
    password_login(client, staff.email, PASSWORD)

    response = client.post(reverse("accounts:second_factor"), {"code": code})

    assert response.status_code == 400
    assert "6-digit code" in response.content.decode() or "6 digits" in response.content.decode()


def test_code_attempts_are_rate_limited(client: Client, staff: Any, device: Any) -> None:
    password_login(client, staff.email, PASSWORD)
    url = reverse("accounts:second_factor")
    for _ in range(5):
        assert client.post(url, {"code": wrong_code(device)}).status_code == 400

    response = client.post(url, {"code": current_code(device)})

    assert response.status_code == 429
    assert "too many wrong codes" in response.content.decode()
    assert client.get(BACK_OFFICE).status_code == 302


def test_staff_without_an_app_set_one_up_with_a_qr_code(client: Client, staff: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    response = password_login(client, staff.email, PASSWORD, next_url=BACK_OFFICE)
    # The verify page sends a user without an app on to the setup page, keeping `next`.
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == (f"{reverse('accounts:second_factor_setup')}?next=%2Fbeheer%2F")

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    assert 'alt="QR code to add this website to your authenticator app.' in html
    pending = TOTPDevice.objects.get(user=staff)
    assert pending.confirmed is False
    # The key is shown for typing in by hand (grouped by four).
    assert page.context["secret"].replace(" ", "")[:8] in html.replace(" ", "")
    # Reloading shows the same key.
    assert client.get(response["Location"]).context["secret"] == page.context["secret"]

    wrong = client.post(response["Location"], {"code": wrong_code(pending)})
    assert wrong.status_code == 400
    pending.refresh_from_db()
    assert pending.confirmed is False
    pending.throttle_reset()

    done = client.post(response["Location"], {"code": current_code(pending), "next": BACK_OFFICE})
    assert done.status_code == 302
    assert done["Location"] == BACK_OFFICE
    pending.refresh_from_db()
    assert pending.confirmed is True
    assert client.get(BACK_OFFICE).status_code == 200
    from weerbaar.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="accounts.second_factor_enabled").count() == 1


def test_setup_page_refuses_a_second_app(client: Client, staff: Any, device: Any) -> None:
    """With a confirmed app, a stolen password must not be enough to add another one."""
    password_login(client, staff.email, PASSWORD)

    response = client.get(reverse("accounts:second_factor_setup"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:second_factor")


def test_second_factor_pages_need_a_login(client: Client) -> None:
    for name in ("accounts:second_factor", "accounts:second_factor_setup"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_wrong_password_and_unknown_address_get_the_same_answer(client: Client, staff: Any) -> None:
    wrong_password = password_login(client, staff.email, "not-the-password")
    unknown = password_login(client, "nobody@example.nl", "not-the-password")

    for response in (wrong_password, unknown):
        assert response.status_code == 400
        assert "The email address or password is incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_invalid_email_format_is_a_form_error(client: Client) -> None:
    response = password_login(client, "not-an-address", "whatever")

    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()


def test_five_failed_passwords_lock_the_login_with_429(client: Client, staff: Any) -> None:
    for _ in range(4):
        assert password_login(client, staff.email, "wrong-password").status_code == 400

    fifth = password_login(client, staff.email, "wrong-password")
    assert fifth.status_code == 429
    assert "Logging in is blocked for now" in fifth.content.decode()

    # Even the right password is refused while locked, with the same page.
    locked = password_login(client, staff.email.upper(), PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_entrepreneur_password_login_needs_no_code(client: Client, entrepreneur: Any) -> None:
    response = password_login(client, entrepreneur.email, PASSWORD, next_url="/gemeente/")

    assert response.status_code == 302
    assert response["Location"] == "/gemeente/"
    assert client.session["_auth_user_id"] == str(entrepreneur.pk)


def test_unsafe_next_is_ignored(client: Client, entrepreneur: Any) -> None:
    response = password_login(
        client, entrepreneur.email, PASSWORD, next_url="https://evil.example.com/"
    )

    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_demo_exemption_is_honoured_only_when_allowed(client: Client, staff: Any) -> None:
    staff.second_factor_exempt = True
    staff.save()

    with override_settings(ALLOW_SECOND_FACTOR_EXEMPTION=False):
        response = password_login(client, staff.email, PASSWORD)
        assert response["Location"].startswith(reverse("accounts:second_factor"))
        assert client.get(BACK_OFFICE).status_code == 302

    client.logout()
    with override_settings(ALLOW_SECOND_FACTOR_EXEMPTION=True):
        response = password_login(client, staff.email, PASSWORD)
        assert response["Location"] == BACK_OFFICE
        assert client.get(BACK_OFFICE).status_code == 200


def test_exemption_flag_does_not_help_other_staff(client: Client, staff: Any) -> None:
    with override_settings(ALLOW_SECOND_FACTOR_EXEMPTION=True):
        response = password_login(client, staff.email, PASSWORD)
    assert response["Location"].startswith(reverse("accounts:second_factor"))


def test_logout_is_post_only(client: Client, entrepreneur: Any) -> None:
    password_login(client, entrepreneur.email, PASSWORD)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_log_in(client: Client) -> None:
    user = UserFactory(email="gone@example.nl", is_active=False)

    response = password_login(client, user.email, PASSWORD)

    assert response.status_code == 400
    assert "The email address or password is incorrect." in response.content.decode()
