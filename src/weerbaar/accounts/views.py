"""The login flows: one login page, password + TOTP for staff, login links for entrepreneurs.

Views stay thin: forms parse the request, `accounts.services` does every write, and the
functions at the bottom decide where a freshly logged-in user goes next.
"""

from __future__ import annotations

import base64
from typing import Any, cast

import segno
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import View
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from weerbaar.accounts import services
from weerbaar.accounts.backends import MAGIC_LINK_BACKEND
from weerbaar.accounts.forms import MagicLinkRequestForm, PasswordLoginForm, SecondFactorForm
from weerbaar.accounts.models import User
from weerbaar.accounts.policy import Role, actor_for, second_factor_satisfied
from weerbaar.contrib.oidc.providers import enabled_providers

PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"  # noqa: S105 - a class path


# --- the login page ------------------------------------------------------------------------


def _next_from(request: HttpRequest) -> str:
    """The `next` parameter (query or form) when it points into this site, else ''."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    return candidate if is_safe_next(request, candidate) else ""


def is_safe_next(request: HttpRequest, url: str | None) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _render_login(
    request: HttpRequest,
    *,
    password_form: PasswordLoginForm | None = None,
    magic_link_form: MagicLinkRequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    next_url = _next_from(request)
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    buttons = [
        (provider, reverse("oidc:login", args=[provider.slug]) + query)
        for provider in enabled_providers()
    ]
    context = {
        "password_form": password_form or PasswordLoginForm(request),
        "magic_link_form": magic_link_form or MagicLinkRequestForm(initial={"next": next_url}),
        "next": next_url,
        "business_logins": [
            {"provider": p, "url": url} for p, url in buttons if p.is_business_login
        ],
        "staff_logins": [
            {"provider": p, "url": url} for p, url in buttons if not p.is_business_login
        ],
    }
    return render(request, "accounts/login.html", context, status=status)


class LoginView(View):
    """GET: the login page with both choices. POST: email + password (staff and partners).

    A correct password logs the user in; staff then pass the second factor before anything
    else (see `redirect_after_login`). django-axes counts failures and, after
    AXES_FAILURE_LIMIT of them, answers 429 with accounts/locked_out.html.
    """

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return _render_login(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PasswordLoginForm(request, data=request.POST)
        if not form.is_valid():
            return _render_login(request, password_form=form, status=400)
        user = form.get_user()
        auth.login(request, user, backend=getattr(user, "backend", PASSWORD_BACKEND))
        services.record_login(user, "password")
        return redirect_after_login(request, user, _next_from(request))


class MagicLinkRequestView(View):
    """POST: email me a login link. Answers the same for known and unknown addresses."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect(resolve_url("accounts:login") + "#inloggen-met-link")

    def post(self, request: HttpRequest) -> HttpResponse:
        form = MagicLinkRequestForm(request.POST)
        if not form.is_valid():
            return _render_login(request, magic_link_form=form, status=400)
        try:
            url = services.request_magic_link(
                form.cleaned_data["email"],
                _next_from(request),
                client_key=get_client_ip_address(request) or "unknown",
            )
        except services.MagicLinkRateLimited:
            return render(
                request,
                "accounts/rate_limited.html",
                {
                    "message": _(
                        "You have asked for too many login links. Wait an hour and try "
                        "again, or use the most recent link we sent you."
                    )
                },
                status=429,
            )
        context = {
            "email": form.cleaned_data["email"],
            "ttl_minutes": settings.MAGIC_LINK_TTL_MINUTES,
            "demo_url": url if settings.SHOW_MAGIC_LINK_ON_PAGE else None,
        }
        return render(request, "accounts/magic_link_sent.html", context)


MAGIC_LINK_SESSION_KEY = "magic_link_id"


class MagicLinkView(View):
    """The URL in the email. GET checks the link, remembers it in the session and redirects
    to the confirmation page, so the token leaves the address bar, the Referer header and
    our logs (django-axes records the path of every login). Nothing is used up here, so
    mail scanners that open links do no harm. An unknown or garbled link answers 404, an
    expired or already used one 410, each with a page that says what to do.
    """

    http_method_names = ["get"]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            link = services.check_magic_link(token)
        except services.MagicLinkError as error:
            return _magic_link_problem(request, error)
        request.session[MAGIC_LINK_SESSION_KEY] = link.pk
        return redirect("accounts:magic_link_confirm")


class MagicLinkConfirmView(View):
    """GET shows a "Log in" button; POST uses the link once and logs the user in."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        link_id = request.session.get(MAGIC_LINK_SESSION_KEY)
        if link_id is None and request.user.is_authenticated:
            return redirect_after_login(request, request.user, _next_from(request))
        try:
            if not isinstance(link_id, int):
                raise services.MagicLinkInvalid
            services.check_magic_link_by_id(link_id)
        except services.MagicLinkError as error:
            return _magic_link_problem(request, error)
        return render(request, "accounts/magic_link_confirm.html")

    def post(self, request: HttpRequest) -> HttpResponse:
        link_id = request.session.pop(MAGIC_LINK_SESSION_KEY, None)
        if link_id is None and request.user.is_authenticated:
            # A second click on the button after the first one logged the user in.
            return redirect_after_login(request, request.user, _next_from(request))
        try:
            if not isinstance(link_id, int):
                raise services.MagicLinkInvalid
            link = services.consume_magic_link_by_id(link_id)
        except services.MagicLinkError as error:
            return _magic_link_problem(request, error)
        auth.login(request, link.user, backend=MAGIC_LINK_BACKEND)
        return redirect_after_login(request, link.user, link.next_url)


def _magic_link_problem(request: HttpRequest, error: services.MagicLinkError) -> HttpResponse:
    if isinstance(error, services.MagicLinkExpired):
        title = _("This login link has expired")
        text = _(
            "For your security a login link works for %(minutes)s minutes. Request a new "
            "link below; it arrives within a few minutes."
        ) % {"minutes": settings.MAGIC_LINK_TTL_MINUTES}
        status = 410
    elif isinstance(error, services.MagicLinkUsed):
        title = _("This login link has already been used")
        text = _(
            "A login link works only once. If you are not logged in, request a new link below."
        )
        status = 410
    else:
        title = _("This login link does not work")
        text = _(
            "The link is not complete or no longer valid. Copy the whole link from the email, "
            "or request a new link below."
        )
        status = 404
    context = {"title": title, "text": text, "form": MagicLinkRequestForm()}
    return render(request, "accounts/magic_link_problem.html", context, status=status)


# --- second factor -------------------------------------------------------------------------


class _SecondFactorBase(View):
    http_method_names = ["get", "post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return auth_views.redirect_to_login(request.get_full_path())
        self.next_url = _next_from(request)
        if second_factor_satisfied(request.user):
            return HttpResponseRedirect(self.next_url or _landing_url(request.user))
        return super().dispatch(request, *args, **kwargs)

    def _problem(self, outcome: services.SecondFactorOutcome) -> tuple[str, int]:
        if outcome == services.SecondFactorOutcome.RATE_LIMITED:
            return (
                _(
                    "You have entered too many wrong codes. Wait 15 minutes and try again. "
                    "Lost your phone? Contact your administrator."
                ),
                429,
            )
        if outcome == services.SecondFactorOutcome.WAIT:
            return (
                _("The previous code was wrong. Wait a few seconds, then enter the new code."),
                400,
            )
        return (
            _(
                "This code is not correct. Enter the code your app shows now; codes change "
                "every 30 seconds."
            ),
            400,
        )


class SecondFactorView(_SecondFactorBase):
    """Enter the 6-digit code from the authenticator app (staff, after the password).

    Without a confirmed app the user is sent to set one up first. On success the session is
    marked verified (django_otp.login) and the user goes on to `next`.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not second_factor_satisfied(request.user):
            user = cast(User, request.user)
            if not services.confirmed_totp_devices(user):
                query = (
                    f"?{urlencode({'next': _next_from(request)})}" if _next_from(request) else ""
                )
                return redirect(reverse("accounts:second_factor_setup") + query)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(SecondFactorForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SecondFactorForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        user = cast(User, request.user)
        result = services.verify_second_factor(user, form.cleaned_data["code"])
        if result.device is None:
            message, status = self._problem(result.outcome)
            form.add_error("code", message)
            return self._render(form, status=status)
        otp_login(request, result.device)
        services.record_login(user, "totp")
        return HttpResponseRedirect(self.next_url or _landing_url(user))

    def _render(self, form: SecondFactorForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "accounts/second_factor.html",
            {"form": form, "next": self.next_url},
            status=status,
        )


class SecondFactorSetupView(_SecondFactorBase):
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code.

    Only for a user without a confirmed app; a user with one is sent to the code page, so a
    stolen password is never enough to add a second app.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not second_factor_satisfied(request.user):
            user = cast(User, request.user)
            if services.confirmed_totp_devices(user):
                query = (
                    f"?{urlencode({'next': _next_from(request)})}" if _next_from(request) else ""
                )
                return redirect(reverse("accounts:second_factor") + query)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(SecondFactorForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SecondFactorForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        user = cast(User, request.user)
        device = services.start_totp_setup(user)
        result = services.confirm_totp_setup(user, device, form.cleaned_data["code"])
        if result.device is None:
            message, status = self._problem(result.outcome)
            form.add_error("code", message)
            return self._render(form, status=status)
        otp_login(request, result.device)
        services.record_login(user, "totp")
        messages.success(request, _("Your authenticator app is set up. You are logged in."))
        return HttpResponseRedirect(self.next_url or _landing_url(user))

    def _render(self, form: SecondFactorForm, status: int = 200) -> HttpResponse:
        user = cast(User, self.request.user)
        device = services.start_totp_setup(user)
        context = {
            "form": form,
            "next": self.next_url,
            "qr_code_uri": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
            "secret": _grouped_secret(device),
        }
        return render(self.request, "accounts/second_factor_setup.html", context, status=status)


def _grouped_secret(device: TOTPDevice) -> str:
    """The base32 key in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- logout --------------------------------------------------------------------------------


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): log out and go to the start page."""


# --- where to go after logging in ----------------------------------------------------------


def _with_next(view_name: str, next_url: str) -> str:
    url = reverse(view_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _landing_url(user: Any) -> str:
    """Where a user goes without a `next`: the portal for entrepreneurs, the back office for
    staff, settings.LOGIN_REDIRECT_URL otherwise."""
    actor = actor_for(user)
    if actor.is_staff_member:
        return reverse("core:back_office")
    if actor.has_role(Role.ENTREPRENEUR) or actor.has_role(Role.AMBASSADOR):
        try:
            return reverse("portal:dashboard")
        except NoReverseMatch:
            pass
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def redirect_after_login(request: HttpRequest, user: Any, next_url: str | None) -> HttpResponse:
    """Send a freshly logged-in user on: staff without a passed second factor to the code
    page (keeping `next`), everyone else to a safe `next` or their landing page.

    Used by the password, login link and OIDC flows alike.
    """
    target = next_url if next_url and is_safe_next(request, next_url) else ""
    if actor_for(user).is_staff_member and not second_factor_satisfied(user):
        return redirect(_with_next("accounts:second_factor", target))
    return HttpResponseRedirect(target or _landing_url(user))
