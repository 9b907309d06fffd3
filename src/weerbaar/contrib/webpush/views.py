"""Turning push notifications on and off for this browser, and the service worker.

The two JSON endpoints are for the portal's page script (static/webpush/push-toggle.js):
POST with the browser's PushSubscription.toJSON() as body and the CSRF token in the
X-CSRFToken header. They answer {"subscribed": true} (201) and {"removed": true|false} (200);
bad input answers 400 with {"error": "<message for the person>"}. Like every portal page
they need a logged-in entrepreneur or ambassador (Action.USE_PORTAL): others are sent to
log in, or get 403.

The service worker is served from /sw.js, the root of the site, so it may handle
notifications for every page.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_safe

from weerbaar.accounts.mixins import PolicyRequiredMixin
from weerbaar.accounts.models import User
from weerbaar.accounts.policy import Action
from weerbaar.contrib.webpush import services

# A subscription is about 500 bytes of JSON; anything much larger is not one.
MAX_BODY_BYTES = 8 * 1024


class SubscriptionView(PolicyRequiredMixin, View, ABC):
    """A JSON POST about the logged-in person's push subscription; bad input answers 400
    with the reason."""

    permission_action = Action.USE_PORTAL
    http_method_names = ["post", "options"]

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.change(_user(request), _json_object(request))
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)

    @abstractmethod
    def change(self, user: User, data: dict[str, Any]) -> HttpResponse:
        """Apply the request body `data` for `user`; raise ValidationError on bad input."""


class SubscribeView(SubscriptionView):
    def change(self, user: User, data: dict[str, Any]) -> HttpResponse:
        keys = data.get("keys")
        if not isinstance(keys, dict):
            raise ValidationError(_("The push subscription has no keys."))
        services.subscribe(
            user, data.get("endpoint", ""), keys.get("p256dh", ""), keys.get("auth", "")
        )
        return JsonResponse({"subscribed": True}, status=201)


class UnsubscribeView(SubscriptionView):
    def change(self, user: User, data: dict[str, Any]) -> HttpResponse:
        removed = services.unsubscribe(user, data.get("endpoint", ""))
        return JsonResponse({"removed": removed})


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    script = render_to_string(
        "webpush/service_worker.js", {"default_title": settings.PLATFORM_NAME}
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Always ask: a stale worker would keep showing notifications the old way.
    response["Cache-Control"] = "no-cache"
    return response


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # PolicyRequiredMixin let only logged-in users through
    return user


def _json_object(request: HttpRequest) -> dict[str, Any]:
    too_large = _("The request is too large for a push subscription.")
    try:
        body = request.body
    except RequestDataTooBig:
        raise ValidationError(too_large) from None
    if len(body) > MAX_BODY_BYTES:
        raise ValidationError(too_large)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise ValidationError(_("The request is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ValidationError(_("The request must be a JSON object."))
    return data
